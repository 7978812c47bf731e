from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ladder.accounts import views as account_views
from ladder.api.main import api
from ladder.ops.views import server_error
from ladder.people.accounts import PasswordChangeView
from ladder.sso.views import SignInView

# Django's sign-in, sign-out and password change; its password reset pages are replaced by
# throttled ones that mail through the outbox (below).
account_urls = [url for url in auth_urls.urlpatterns if "password_reset" not in url.name]
password_reset_urls = [
    path("password_reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]

# The 500 page shows the request's id, for the user to quote when they report the error.
handler500 = server_error

urlpatterns = [
    path("", include("ladder.ops.urls")),
    path("admin/", admin.site.urls),
    # Before Django's own: the same page, audited and throttled.
    path("accounts/password_change/", PasswordChangeView.as_view(), name="password_change"),
    # Before Django's own: the same page, offering single sign-on and keeping to PASSWORD_SIGN_IN.
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/", include(account_urls)),
    path("accounts/", include(password_reset_urls)),
    path("accounts/", include("ladder.accounts.urls")),
    path("sso/", include("ladder.sso.urls")),
    path("scim/v2/", include("ladder.scim.urls")),
    path("api/v1/", api.urls),
    path("settings/scim-tokens/", include("ladder.scim.token_urls")),
    path("settings/api-tokens/", include("ladder.api.urls")),
    path("", include("ladder.people.urls")),
    path("", include("ladder.assessments.urls")),
    path("", include("ladder.promotions.urls")),
    path("insights/", include("ladder.insights.urls")),
    path("audit/", include("ladder.audit.urls")),
    path("", include("ladder.frameworks.urls")),
]
