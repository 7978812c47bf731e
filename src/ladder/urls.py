from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.urls import include, path

from ladder.people.accounts import PasswordChangeView

# Password reset mails a link, and nothing here sends mail yet: until something does, its pages
# do not exist rather than claim to have sent one.
account_urls = [url for url in auth_urls.urlpatterns if "password_reset" not in url.name]

urlpatterns = [
    path("admin/", admin.site.urls),
    # Before Django's own: the same page, audited and throttled.
    path("accounts/password_change/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/", include(account_urls)),
    path("accounts/", include("ladder.accounts.urls")),
    path("sso/", include("ladder.sso.urls")),
    path("scim/v2/", include("ladder.scim.urls")),
    path("", include("ladder.people.urls")),
    path("", include("ladder.assessments.urls")),
    path("", include("ladder.promotions.urls")),
    path("audit/", include("ladder.audit.urls")),
    path("", include("ladder.frameworks.urls")),
]
