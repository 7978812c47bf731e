from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("ladder.people.urls")),
    path("", include("ladder.assessments.urls")),
    path("audit/", include("ladder.audit.urls")),
    path("", include("ladder.frameworks.urls")),
]
