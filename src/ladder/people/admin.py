"""People in the Django admin: changes go through the same services, so they are audited."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction

from ladder.audit.services import audit_record

from . import permissions
from .emails import canonical_email
from .models import LevelAssignment, Person, Team
from .services import (
    check_manager,
    person_create,
    person_link_user,
    person_set_admin,
    person_update,
)
from .validation import check_text


class AdminOnly:
    """The admin's own permission checks defer to the one permissions module."""

    def has_module_permission(self, request):
        return permissions.is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_admin(request.user)


class LevelHistoryInline(admin.TabularInline):
    model = LevelAssignment
    fields = ["level", "start", "end", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PersonForm(forms.ModelForm):
    """Checks the manager tree before saving, so a refused change is shown on the form."""

    class Meta:
        model = Person
        fields = ["name", "email", "manager", "team", "user"]

    def clean(self):
        data = super().clean()
        email = canonical_email(data.get("email") or "")
        clash = Person.objects.filter(email=email).exclude(pk=self.instance.pk)
        if email and clash.exists():
            self.add_error("email", f"Someone already has the email {email}.")
        if self.instance.pk is not None:
            try:
                check_manager(Person.objects.get(pk=self.instance.pk), data.get("manager"))
            except ValidationError as error:
                self.add_error("manager", error)
        return data


@admin.register(Person)
class PersonAdmin(AdminOnly, admin.ModelAdmin):
    form = PersonForm
    list_display = ["name", "email", "team", "manager"]
    list_filter = ["team"]
    search_fields = ["name", "email"]
    autocomplete_fields = ["manager", "user"]
    fields = ["name", "email", "manager", "team", "user"]
    inlines = [LevelHistoryInline]
    actions = ["make_admin", "remove_admin"]

    def has_change_permission(self, request, obj=None):
        return permissions.is_admin(request.user)

    has_add_permission = has_change_permission

    def has_delete_permission(self, request, obj=None):
        return False  # people leave through their history, not by deletion

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                person = person_update(
                    by=request.user,
                    person=obj,
                    name=data["name"],
                    email=data["email"],
                    manager=data["manager"],
                    team=data["team"],
                )
            else:
                person = person_create(
                    by=request.user,
                    name=data["name"],
                    email=data["email"],
                    manager=data["manager"],
                    team=data["team"],
                )
            person_link_user(by=request.user, person=person, user=data["user"])
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
            return
        obj.pk = person.pk

    @admin.action(description="Make the selected people admins")
    def make_admin(self, request, queryset):
        self._set_admin(request, queryset, True)

    @admin.action(description="Remove admin rights from the selected people")
    def remove_admin(self, request, queryset):
        self._set_admin(request, queryset, False)

    def _set_admin(self, request, queryset, admin_rights):
        for person in queryset.select_related("user"):
            try:
                person_set_admin(by=request.user, person=person, admin=admin_rights)
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.WARNING)


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "slug"]

    def clean_name(self):
        # The one rule for names, as the CSV import and the person services apply it.
        check_text(self.cleaned_data["name"], "team name")
        return self.cleaned_data["name"]


@admin.register(Team)
class TeamAdmin(AdminOnly, admin.ModelAdmin):
    form = TeamForm
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def has_change_permission(self, request, obj=None):
        return permissions.is_admin(request.user)

    has_add_permission = has_change_permission

    def has_delete_permission(self, request, obj=None):
        return False  # deleting a team would silently take it from its members

    def save_model(self, request, obj, form, change):
        before = {f: form.initial.get(f) for f in form.changed_data} if change else None
        super().save_model(request, obj, form, change)
        if form.changed_data or not change:
            after = {f: form.cleaned_data.get(f) for f in form.changed_data}
            action = "team.updated" if change else "team.created"
            audit_record(by=request.user, action=action, target=obj, before=before, after=after)


User = get_user_model()
admin.site.unregister(User)


class LoginChangeForm(UserChangeForm):
    """Sign-in finds a login by its address, so no two logins may share one, however spelt."""

    def clean_email(self):
        email = canonical_email(self.cleaned_data.get("email") or "")
        if email and User.objects.filter(email=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(f"Another login already has the email {email}.")
        return email


@admin.register(User)
class AuditedUserAdmin(UserAdmin):
    """Django's own user admin, with every change to a login's rights, and every password an
    admin sets, in the audit log."""

    AUDITED = ["is_active", "is_staff", "is_superuser", "email"]
    form = LoginChangeForm

    def save_model(self, request, obj, form, change):
        before = (
            {f: getattr(User.objects.get(pk=obj.pk), f) for f in self.AUDITED} if change else None
        )
        super().save_model(request, obj, form, change)
        after = {f: getattr(obj, f) for f in self.AUDITED}
        if before != after:
            action = "role.changed" if change else "login.created"
            audit_record(by=request.user, action=action, target=obj, before=before, after=after)

    @transaction.atomic
    def user_change_password(self, request, id, form_url=""):
        # Django's view saves the form itself; a changed hash is what tells a set password
        # from a refused form, and the record lands in the same transaction.
        user = self.get_object(request, unquote(id))
        response = super().user_change_password(request, id, form_url)
        if user is not None:
            before = {"usable": user.has_usable_password()}
            hash_before = user.password
            user.refresh_from_db(fields=["password"])
            if user.password != hash_before:
                after = {"usable": user.has_usable_password()}
                audit_record(
                    by=request.user, action="password.set", target=user, before=before, after=after
                )
        return response

    def delete_model(self, request, obj):
        self._record_deletion(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._record_deletion(request, obj)
        super().delete_queryset(request, queryset)

    def _record_deletion(self, request, obj):
        before = {"login": obj.get_username()}
        audit_record(by=request.user, action="login.deleted", target=obj, before=before, after=None)
