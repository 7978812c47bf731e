"""Matrix rows for the growth operations (see test_authorization.py for the shape).

Each row: method, URL template under /api/v1/ filled from the ids that `prepare` and the
calibration round give, a JSON body (or a function of org and ids returning one, or None), and
the outcome for each actor with a read-write token.

Actors: anonymous, engineer, peer, manager, skip, other_manager, committee, admin. The
engineer's evidence, plan and assessments are read by whoever may see the engineer; evidence is
added and plans edited by the engineer and their managers (and plans by admins); an assessment
is written, submitted and shared by its author alone.
"""

from django.utils import timezone

from ladder.assessments import services


def _evidence(org, ids):
    return {
        "happened_on": timezone.localdate().isoformat(),
        "text": "Ran the release retrospective.",
        "link": "https://example.com/retro",
        "criteria": [ids["criterion"]],
    }


def _revision(org, ids):
    return {"revision": ids["draft_revision"], "summary": "Ready for a second look."}


ROWS = [
    ("get", "people/{engineer}/evidence/", None, [401, 200, 404, 200, 200, 404, 404, 200]),
    ("post", "people/{engineer}/evidence/", _evidence, [401, 201, 404, 201, 201, 404, 404, 404]),
    ("get", "people/{engineer}/assessments/", None, [401, 200, 404, 200, 200, 404, 404, 200]),
    # A self-assessment against the current level is new; a manager's against MD2 too (the
    # shared one of the calibration round is no draft).
    ("post", "people/{engineer}/assessments/", {"role": "self", "level": "MD1"}, [401, 201, 404, 404, 404, 404, 404, 404]),
    ("post", "people/{engineer}/assessments/", {"role": "manager", "level": "MD2"}, [401, 404, 404, 201, 201, 404, 404, 404]),
    # A draft is its author's alone; a shared manager assessment reaches the person and the chain.
    ("get", "assessments/{draft}/", None, [401, 200, 404, 404, 404, 404, 404, 404]),
    ("get", "assessments/{assessment}/", None, [401, 200, 404, 200, 200, 404, 404, 200]),
    ("put", "assessments/{draft}/", _revision, [401, 200, 404, 404, 404, 404, 404, 404]),
    ("patch", "assessments/{draft}/", _revision, [401, 200, 404, 404, 404, 404, 404, 404]),
    ("patch", "assessments/{draft}/", {"revision": 1, "summary": "From an older read."}, [401, 409, 404, 404, 404, 404, 404, 404]),
    ("post", "assessments/{draft}/submit/", {}, [401, 200, 404, 404, 404, 404, 404, 404]),
    ("post", "assessments/{submitted}/share/", None, [401, 200, 404, 404, 404, 404, 404, 404]),
    ("post", "assessments/{assessment}/share/", None, [401, 404, 404, 409, 404, 404, 404, 404]),
    ("get", "people/{engineer}/plan/", None, [401, 200, 404, 200, 200, 404, 404, 200]),
    ("post", "people/{engineer}/plan/generate/", {}, [401, 200, 404, 200, 200, 404, 404, 200]),
    ("patch", "people/{engineer}/plan/items/{item}/", {"state": "done"}, [401, 200, 404, 200, 200, 404, 404, 200]),
    ("patch", "people/{peer}/plan/items/{item}/", {"state": "done"}, [401, 404, 404, 404, 404, 404, 404, 404]),
]  # fmt: skip


def _answered(author, assessment):
    """Every rating and status given, so the draft may be submitted."""
    expected = assessment.level.expected_ratings.by_dimension()
    return services.assessment_save(
        author=author,
        assessment=assessment,
        revision=assessment.revision,
        summary="Solid work.",
        ratings={r.dimension: expected[r.dimension] for r in assessment.ratings.all()},
        criteria={
            item.criterion_id: services.CriterionInput("meets", "", [])
            for item in assessment.criteria.all()
        },
    )


def prepare(org, ids: dict) -> None:
    """The engineer's evidence, a draft self-assessment against MD2 with every answer, a
    submitted self-assessment against MD1, and a growth plan with items."""
    engineer, md1, md2 = org.engineer, org.levels["MD1"], org.levels["MD2"]
    criterion = md2.criteria.order_by("position").first()
    evidence = services.evidence_add(
        added_by=engineer,
        person=engineer,
        happened_on=timezone.localdate(),
        text="Led the incident review.",
        criteria=[criterion],
    )
    start = {"author": engineer, "person": engineer, "role": "self"}
    draft = _answered(engineer, services.assessment_start(level=md2, **start))
    submitted = _answered(engineer, services.assessment_start(level=md1, **start))
    services.assessment_submit(author=engineer, assessment=submitted)
    plan = services.growth_plan_generate(by=engineer.user, person=engineer)
    ids.update(
        evidence=evidence.pk,
        criterion=criterion.pk,
        draft=draft.pk,
        draft_revision=draft.revision,
        submitted=submitted.pk,
        item=plan.items.order_by("position").first().pk,
    )
