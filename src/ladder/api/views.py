"""The token pages: a signed-in person makes, sees and revokes their own API tokens; admins make
service accounts and their tokens. A new token's text is in one response only, never stored."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ladder.roles import is_admin, require_admin

from .forms import ServiceAccountForm, TokenForm
from .models import ApiToken, ServiceAccount
from .tokens import may_revoke, service_account_create, token_create, token_revoke


def get_token_for_revoking(user, pk: int) -> ApiToken:
    """The token `pk` if `user` may revoke it; 404 alike for another's token and for none."""
    token = ApiToken.objects.select_related("owner__service_account").filter(pk=pk).first()
    if token is None or not may_revoke(user, token):
        raise Http404("Not found")
    return token


def get_service_account(user, pk: int) -> ServiceAccount:
    """A service account, for admins only."""
    require_admin(user)
    return get_object_or_404(ServiceAccount.objects.select_related("user", "created_by"), pk=pk)


def _token_made(request, owner) -> tuple[TokenForm, tuple[ApiToken, str] | None]:
    """The token form for `owner` and, after a good POST, the token made and its text."""
    admin_scope = is_admin(owner)
    form = TokenForm(request.POST if request.method == "POST" else None, admin_scope=admin_scope)
    if request.method != "POST" or not form.is_valid():
        return form, None
    try:
        created = token_create(by=request.user, owner=owner, **form.cleaned_data)
    except ValidationError as refused:
        form.add_error(None, refused)
        return form, None
    return TokenForm(admin_scope=admin_scope), created


def _render(request, template: str, context: dict, *forms):
    """The page, as a 400 when a form sent back errors."""
    status = 400 if any(form.is_bound and form.errors for form in forms) else 200
    return render(request, template, context, status=status)


def _tokens_page(request, *, form, created=None, account_form=None):
    user = request.user
    context = {
        "form": form,
        "created": created,
        "tokens": ApiToken.objects.filter(owner=user),
        "api_me": request.build_absolute_uri(reverse("api:me")),
    }
    if is_admin(user):
        context["accounts"] = ServiceAccount.objects.select_related("user").annotate(
            active_tokens=Count(
                "user__api_tokens",
                filter=Q(
                    user__api_tokens__revoked_at__isnull=True,
                    user__api_tokens__expires_at__gt=timezone.now(),
                ),
            )
        )
        context["account_form"] = account_form or ServiceAccountForm(prefix="account")
    forms = [form, account_form] if account_form else [form]
    return _render(request, "api/tokens.html", context, *forms)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tokens(request):
    form, created = _token_made(request, request.user)
    return _tokens_page(request, form=form, created=created)


@never_cache
@login_required
@require_POST
def service_account_new(request):
    require_admin(request.user)
    account_form = ServiceAccountForm(request.POST, prefix="account")
    if account_form.is_valid():
        try:
            account = service_account_create(by=request.user, **account_form.cleaned_data)
        except ValidationError as refused:
            account_form.add_error(None, refused)
        else:
            messages.success(request, f"Service account {account.name} made: make its token.")
            return redirect("api_tokens:service-account", account.pk)
    form = TokenForm(admin_scope=True)
    return _tokens_page(request, form=form, account_form=account_form)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def service_account(request, pk):
    account = get_service_account(request.user, pk)
    form, created = _token_made(request, account.user)
    context = {
        "account": account,
        "admin_rights": is_admin(account.user),
        "form": form,
        "created": created,
        "tokens": ApiToken.objects.filter(owner=account.user).select_related("created_by"),
        "api_me": request.build_absolute_uri(reverse("api:me")),
    }
    return _render(request, "api/service_account.html", context, form)


@login_required
@require_POST
def revoke(request, pk):
    token = get_token_for_revoking(request.user, pk)
    token_revoke(by=request.user, token=token)
    messages.success(request, f"The token {token.name} is revoked: it no longer works.")
    account = getattr(token.owner, "service_account", None)
    if account is not None and token.owner_id != request.user.pk:
        return redirect("api_tokens:service-account", account.pk)
    return redirect("api_tokens:tokens")
