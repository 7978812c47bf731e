"""Assessments in the Django admin, for HR to browse: changes go through the pages."""

from django.contrib import admin
from django.db.models import Q

from ladder.admin import ReadOnlyAdmin, ReadOnlyInline
from ladder.people.permissions import person_of

from .models import (
    Assessment,
    CriterionAssessment,
    DimensionRating,
    Evidence,
    GrowthItem,
    GrowthPlan,
)


class DimensionRatingInline(ReadOnlyInline):
    model = DimensionRating
    fields = ["dimension", "rating"]
    show_change_link = False


class CriterionAssessmentInline(ReadOnlyInline):
    model = CriterionAssessment
    fields = ["criterion", "status", "comment"]
    show_change_link = False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["person", "role", "level", "author", "state", "cycle", "updated_at"]
    list_filter = ["role", "state", "cycle"]
    search_fields = ["person__name", "author__name"]
    inlines = [DimensionRatingInline, CriterionAssessmentInline]

    def get_queryset(self, request):
        # The pages' rule holds here too: a draft is its author's alone, so another's draft is
        # neither listed nor reachable by its change URL (the admin answers as for a missing row).
        me = person_of(request.user)
        mine = Q(author=me) if me is not None else Q(pk__in=[])
        return super().get_queryset(request).filter(~Q(state=Assessment.State.DRAFT) | mine)


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["person", "happened_on", "text", "added_by"]
    search_fields = ["person__name", "text"]


class GrowthItemInline(ReadOnlyInline):
    model = GrowthItem
    fields = ["kind", "title", "owner", "due", "state"]
    show_change_link = False


@admin.register(GrowthPlan)
class GrowthPlanAdmin(ReadOnlyAdmin):
    list_display = ["person", "target", "generated_at"]
    search_fields = ["person__name"]
    inlines = [GrowthItemInline]
