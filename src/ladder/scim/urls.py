from django.urls import path, re_path

from . import api

app_name = "scim"
urlpatterns = [
    path("Users", api.users, name="users"),
    path("Users/.search", api.users_search, name="users_search"),
    path("Users/<str:pk>", api.user, name="user"),
    path("Groups", api.groups, name="groups"),
    path("Groups/.search", api.groups_search, name="groups_search"),
    path("Groups/<str:pk>", api.group, name="group"),
    path("ServiceProviderConfig", api.service_provider_config, name="service_provider_config"),
    path("ResourceTypes", api.resource_types, name="resource_types"),
    path("ResourceTypes/<str:pk>", api.resource_types, name="resource_type"),
    path("Schemas", api.schemas, name="schemas"),
    path("Schemas/<str:pk>", api.schemas, name="schema"),
    path(".search", api.search_everything, name="search"),
    # Anything else here answers as SCIM does, not with the site's HTML page.
    re_path(r"^(?P<rest>.*)$", api.not_found, name="not_found"),
]
