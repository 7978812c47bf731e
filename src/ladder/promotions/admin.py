"""Review cycles and promotion cases in the Django admin, for HR to browse: every change goes
through the pages, whose services check it and record it in the audit log."""

from django.contrib import admin

from ladder.admin import ReadOnlyAdmin, ReadOnlyInline
from ladder.roles import is_admin

from .models import CaseNote, CycleMember, PromotionCase, ReviewCycle


class AdminOnly(ReadOnlyAdmin):
    """Admins alone, as on the pages; staff without the admin role see nothing here."""

    def has_module_permission(self, request):
        return is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)


@admin.register(ReviewCycle)
class ReviewCycleAdmin(AdminOnly):
    list_display = ["name", "ladder", "stage", "scope", "self_due", "effective_on", "opened_at"]
    list_filter = ["stage", "scope"]
    search_fields = ["name"]


@admin.register(CycleMember)
class CycleMemberAdmin(AdminOnly):
    list_display = ["person", "cycle", "target", "manager", "added_late", "added_at"]
    list_filter = ["cycle", "added_late"]
    list_select_related = ["person", "cycle", "target", "manager"]
    search_fields = ["person__name", "person__email"]


class CaseNoteInline(ReadOnlyInline):
    model = CaseNote
    fields = ["author", "kind", "text", "created_at"]
    show_change_link = False


@admin.register(PromotionCase)
class PromotionCaseAdmin(AdminOnly):
    list_display = ["person", "from_level", "to_level", "cycle", "state", "created_at"]
    list_filter = ["state", "cycle"]
    list_select_related = ["person", "from_level", "to_level", "cycle"]
    search_fields = ["person__name", "person__email"]
    inlines = [CaseNoteInline]
