from django.contrib import admin, messages

from ladder.admin import ReadOnlyAdmin, ReadOnlyInline
from ladder.roles import is_admin

from .models import Criterion, ExpectedRating, Ladder, LadderVersion, Level
from .services import ladder_restore, ladder_retire

# Versions, levels and criteria are written by `ladder import` only, so the history stays what
# was imported.


class VersionInline(ReadOnlyInline):
    model = LadderVersion
    fields = ["number", "title", "source_name", "imported_at", "imported_by"]


@admin.register(Ladder)
class LadderAdmin(ReadOnlyAdmin):
    """Ladders change through `ladder import`, which versions and audits every change; retiring
    and restoring go through the same audited services as `ladder retire`."""

    list_display = ["title", "slug", "created_at", "retired_at"]
    list_filter = [("retired_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "slug"]
    readonly_fields = ["created_at", "retired_at"]
    inlines = [VersionInline]
    actions = ["retire", "restore"]

    def has_retire_permission(self, request):
        return is_admin(request.user)

    @admin.action(
        permissions=["retire"],
        description="Retire the selected ladders (off the pages, versions kept)",
    )
    def retire(self, request, queryset):
        done = [ladder.slug for ladder in queryset if ladder_retire(by=request.user, ladder=ladder)]
        self._report(request, "Retired", done)

    @admin.action(permissions=["retire"], description="Restore the selected ladders to the pages")
    def restore(self, request, queryset):
        done = [
            ladder.slug for ladder in queryset if ladder_restore(by=request.user, ladder=ladder)
        ]
        self._report(request, "Restored", done)

    def _report(self, request, verb, slugs):
        if slugs:
            self.message_user(request, f"{verb}: {', '.join(slugs)}.", messages.SUCCESS)
        else:
            self.message_user(request, "Nothing changed.", messages.WARNING)


class LevelInline(ReadOnlyInline):
    model = Level
    fields = ["code", "title", "number", "track", "minimum_experience_months"]


@admin.register(LadderVersion)
class LadderVersionAdmin(ReadOnlyAdmin):
    list_display = ["ladder", "number", "title", "source_name", "imported_at", "imported_by"]
    list_filter = ["ladder"]
    inlines = [LevelInline]


class CriterionInline(ReadOnlyInline):
    model = Criterion
    fields = ["section", "position", "text"]


class ExpectedRatingInline(ReadOnlyInline):
    model = ExpectedRating
    fields = ["dimension", "rating"]


@admin.register(Level)
class LevelAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "number", "track", "version"]
    list_filter = ["version__ladder", "track"]
    search_fields = ["code", "title"]
    inlines = [ExpectedRatingInline, CriterionInline]


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):
    list_display = ["text", "section", "level"]
    list_filter = ["section", "level__version__ladder"]
    search_fields = ["text"]
