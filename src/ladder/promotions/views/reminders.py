"""Turning reminders off and on for oneself."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from ladder.people.permissions import get_signed_in_person

from ..reminders import reminders_set


class RemindersForm(forms.Form):
    # The form says which way to turn them, so a second click or a second tab cannot turn
    # them back by accident.
    reminders = forms.ChoiceField(choices=[("on", "On"), ("off", "Off")])


@login_required
@require_POST
def reminders(request):
    me = get_signed_in_person(request.user)
    form = RemindersForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing changed: say whether reminders should be on or off.")
    else:
        on = form.cleaned_data["reminders"] == "on"
        reminders_set(by=request.user, person=me, on=on)
        if on:
            messages.success(request, "Reminders of due assessments are on.")
        else:
            messages.success(
                request,
                "Reminders of due assessments are off. Decisions about you are still mailed.",
            )
    return redirect("people:person", pk=me.pk)


urlpatterns = [path("me/reminders/", reminders, name="reminders")]
