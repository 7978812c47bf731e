from django.urls import path

from . import views

app_name = "api_tokens"
urlpatterns = [
    path("", views.tokens, name="tokens"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("service-accounts/", views.service_account_new, name="service-account-new"),
    path("service-accounts/<int:pk>/", views.service_account, name="service-account"),
]
