from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ladder.roles import require_admin

from .models import AuditEvent


class AuditFilter(forms.Form):
    action = forms.ChoiceField(required=False)
    target_type = forms.ChoiceField(required=False, label="Kind")
    actor = forms.CharField(required=False, label="Who", max_length=254)
    q = forms.CharField(required=False, label="What", max_length=200)
    since = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    until = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actions = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
        kinds = AuditEvent.objects.order_by().values_list("target_type", flat=True).distinct()
        self.fields["action"].choices = [("", "Any action"), *[(a, a) for a in sorted(actions)]]
        self.fields["target_type"].choices = [("", "Any kind"), *[(k, k) for k in sorted(kinds)]]

    def apply(self, events):
        if not self.is_bound or not self.is_valid():
            return events
        data = self.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["target_type"]:
            events = events.filter(target_type=data["target_type"])
        if data["actor"]:
            events = events.filter(actor_label__icontains=data["actor"])
        if data["q"]:
            events = events.filter(target_label__icontains=data["q"])
        if data["since"]:
            events = events.filter(at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(at__date__lte=data["until"])
        return events


@login_required
@require_safe
def audit_log(request):
    require_admin(request.user)
    form = AuditFilter(request.GET or None)
    events = form.apply(AuditEvent.objects.all())
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/log.html", {"form": form, "page": page, "query": query.urlencode()}
    )
