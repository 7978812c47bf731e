"""People in the Django admin: changes go through the same services, so they are audited."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from . import permissions
from .models import LevelAssignment, Person, Team
from .services import person_create, person_set_admin, person_update


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


@admin.register(Person)
class PersonAdmin(AdminOnly, admin.ModelAdmin):
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
            if person.user_id != (data["user"].pk if data["user"] else None):
                Person.objects.filter(pk=person.pk).update(user=data["user"])
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


@admin.register(Team)
class TeamAdmin(AdminOnly, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def has_change_permission(self, request, obj=None):
        return permissions.is_admin(request.user)

    has_add_permission = has_change_permission
