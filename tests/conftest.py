import datetime
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from ladder.assessments.stored import readiness_refresh
from ladder.frameworks import bundled
from ladder.frameworks.services import ladder_import
from ladder.people.models import LevelAssignment, Person, Team
from ladder.people.tree import rebuild_paths

ROOT = Path(__file__).resolve().parent.parent
SEED = bundled.SEED  # shipped inside the package, beside the bundled ladder
DOTNET = ROOT / "ladders" / "dotnet.md"  # the bundled ladder, where the README names it


@pytest.fixture
def seed_text() -> str:
    if not SEED.exists():
        pytest.fail(f"the user's seed document is missing: {SEED}")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def dotnet_text() -> str:
    return DOTNET.read_text(encoding="utf-8")


def run_ladder(
    *args: str, cwd: Path | None = None, env: dict | None = None, input: str | None = None
):
    """Run the real `ladder` console script of this environment."""
    script = Path(sys.executable).with_name("ladder")
    return subprocess.run(
        [str(script), *args],
        cwd=cwd or ROOT,
        env={**os.environ, **(env or {})},
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing is deliberately slow; tests create many logins and check none for strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def plain_http():
    # With DEBUG off the settings insist on HTTPS; the test client and live server speak plain
    # HTTP. Set for the whole session, before the live server's middleware reads them once.
    # tests/test_production.py checks the HTTPS settings in a real production process.
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0


# -- the cast: an engineer, a peer on their team, their manager, their skip-level manager, a
# manager of another team, and an admin; each with a login.


@pytest.fixture
def dotnet_version(db):
    return ladder_import(
        source=DOTNET.read_text(), source_name="ladders/dotnet.md", slug="dotnet"
    ).version


def make_person(name, email, *, manager=None, team=None, login=True, admin=False):
    user = None
    if login:
        user = get_user_model().objects.create_user(
            username=email,
            email=email,
            password="correct horse",
            is_superuser=admin,
            is_staff=admin,
        )
    return Person.objects.create(name=name, email=email, manager=manager, team=team, user=user)


@pytest.fixture
def org(dotnet_version):
    core, other = (
        Team.objects.create(name="Core", slug="core"),
        Team.objects.create(name="Other", slug="other"),
    )
    skip = make_person("Sam Skip", "sam@example.com")
    manager = make_person("Mia Manager", "mia@example.com", manager=skip, team=core)
    engineer = make_person("Eve Engineer", "eve@example.com", manager=manager, team=core)
    peer = make_person("Pat Peer", "pat@example.com", manager=manager, team=core)
    other_manager = make_person("Oscar Other", "oscar@example.com", manager=skip, team=other)
    outsider = make_person("Olga Outside", "olga@example.com", manager=other_manager, team=other)
    admin = make_person("Ada Admin", "ada@example.com", admin=True)
    rebuild_paths()
    levels = dotnet_version.levels.by_code()
    for person, code, start in [
        (engineer, "MD1", datetime.date(2023, 3, 1)),
        (peer, "MD2", datetime.date(2022, 1, 10)),
        (manager, "TL1", datetime.date(2021, 6, 1)),
        (outsider, "JR2", datetime.date(2024, 2, 1)),
    ]:
        LevelAssignment.objects.create(
            person=person, level=levels[code], start=start, reason="hire"
        )
    # The levels above go straight to the table, round the services: store their readiness.
    readiness_refresh(None)
    people = [skip, manager, engineer, peer, other_manager, outsider, admin]
    for person in people:
        person.refresh_from_db()
    return SimpleNamespace(
        skip=skip,
        manager=manager,
        engineer=engineer,
        peer=peer,
        other_manager=other_manager,
        outsider=outsider,
        admin=admin,
        core=core,
        other=other,
        levels=levels,
    )


def calibration_round(org) -> dict:
    """A cycle of everyone in calibration, Cora (org.committee) on its committee, a shared
    manager assessment of the engineer against MD2, and the engineer's submitted case: the ids
    that authorization matrices fill their URLs with."""
    from ladder.assessments import services as assessment_services
    from ladder.assessments.models import Assessment
    from ladder.frameworks.models import Ladder
    from ladder.promotions import cases, cycles

    org.committee = make_person("Cora Committee", "cora@example.com")
    rebuild_paths()
    org.committee.refresh_from_db()
    today = timezone.localdate()
    cycle = cycles.cycle_create(
        by=org.admin.user,
        name="2026 H2",
        ladder=Ladder.objects.get(slug="dotnet"),
        scope="everyone",
        self_due=today,
        manager_due=today,
        calibration_on=today,
        effective_on=today + datetime.timedelta(days=30),
        committee=[org.committee],
    )
    cycle = cycles.cycle_advance(by=org.admin.user, cycle=cycle)
    assessment = assessment_services.assessment_start(
        author=org.manager, person=org.engineer, level=org.levels["MD2"], role="manager"
    )
    Assessment.objects.filter(pk=assessment.pk).update(
        state="submitted", submitted_at=assessment.created_at
    )
    assessment.refresh_from_db()
    assessment_services.assessment_share(author=org.manager, assessment=assessment)
    cycle = cycles.cycle_advance(by=org.admin.user, cycle=cycle)
    case = cases.case_open(
        by=org.manager.user,
        person=org.engineer,
        to_level=org.levels["MD2"],
        recommendation="Ready in all but time.",
        justification="Leads the payments work already.",
    )
    cases.case_submit(by=org.manager.user, case=case)
    return {
        "cycle": cycle.pk,
        "member": cycle.members.get(person=org.engineer).pk,
        "assessment": assessment.pk,
        "case": case.pk,
        "engineer": org.engineer.pk,
        "peer": org.peer.pk,
    }
