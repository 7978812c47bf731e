"""Apps import downwards only: the ladder, then people, then assessments, then what builds on them.

The order below is the whole configuration. A module may import its own layer and those before
it; an import of a later layer, anywhere in a module (inside a function too), fails this test.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import ladder

# Lowest first. "base" is the package's own top-level modules that every app may use (settings,
# system checks, middleware, the admin role); "site" wires every app together (urls, wsgi, cli).
LAYERS = [
    "base",
    "audit",
    "notifications",
    "frameworks",
    "people",
    "accounts",
    "sso",
    "scim",
    "assessments",
    "promotions",
    "insights",
    "api",
    "demo",
    "ops",
    "site",
]
SITE_MODULES = {"urls", "wsgi", "cli"}

PACKAGE = Path(ladder.__file__).parent


@dataclass(frozen=True)
class UpwardImport:
    module: str
    line: int
    imported: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported}"


def layer_of(module: str) -> str | None:
    """The layer of a dotted module name inside `ladder`, or None for one outside it."""
    parts = module.split(".")
    if parts[0] != "ladder":
        return None
    if len(parts) == 1:
        return "base"
    if parts[1] in LAYERS:
        return parts[1]
    return "site" if parts[1] in SITE_MODULES else "base"


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every module name `tree` imports, with relative imports resolved, and its line."""
    package = module if is_package else module.rpartition(".")[0]
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # `from ladder import assessments` imports the app, not just the package.
            names += [(node.lineno, base)] + [
                (node.lineno, f"{base}.{alias.name}") for alias in node.names if not node.module
            ]
            if node.module == "ladder" and not node.level:
                names += [(node.lineno, f"ladder.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call):
            names += [(node.lineno, name) for name in _named_in_call(node)]
    return names


# Ways around an import statement: a module named in a string, or a model by its app label.
_IMPORTERS = {"import_module", "__import__", "import_string"}
_MODEL_REFERENCES = {"ForeignKey", "OneToOneField", "ManyToManyField", "get_model"}


def _named_in_call(call: ast.Call) -> list[str]:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    texts = [
        arg.value
        for arg in [*call.args, *(keyword.value for keyword in call.keywords)]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    ]
    if name in _IMPORTERS and texts:
        module, *package = texts
        if module.startswith(".") and package:
            # import_module(".views", "ladder.assessments")
            return [package[0] + module]
        return [module]
    if name in _MODEL_REFERENCES and texts:
        # An app label, alone (get_model("assessments", "Assessment")) or dotted with a model.
        label = texts[0].partition(".")[0]
        return [f"ladder.{label}"] if label in LAYERS else []
    return []


def upward_imports(root: Path) -> list[UpwardImport]:
    found = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(root, path)
        own = layer_of(module)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name in imported_names(tree, module, path.name == "__init__.py"):
            theirs = layer_of(name)
            if theirs is not None and LAYERS.index(theirs) > LAYERS.index(own):
                found.append(UpwardImport(module, line, name))
    return found


def test_no_app_imports_an_app_above_it():
    assert [str(found) for found in upward_imports(PACKAGE)] == []


def test_every_app_has_its_place_in_the_order():
    # Every package inside `ladder`, whether or not it has an apps.py: one left out would count
    # as "base", which every app may import.
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert packages <= set(LAYERS), f"give {sorted(packages - set(LAYERS))} a place in LAYERS"


# The check itself, on a small package written for it: every way of importing upwards is found.


def write_package(root: Path, files: dict[str, str]) -> Path:
    package = root / "ladder"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for folder in {package, *(path.parent for path in package.rglob("*.py"))}:
        (folder / "__init__.py").touch()
    return package


@pytest.mark.parametrize(
    ("path", "text", "imported"),
    [
        (
            "people/views.py",
            "from ladder.assessments.views import panel\n",
            "ladder.assessments.views",
        ),
        ("people/views.py", "import ladder.assessments.models\n", "ladder.assessments.models"),
        ("people/demo.py", "from ..assessments import readiness\n", "ladder.assessments"),
        ("people/views.py", "from ladder import assessments\n", "ladder.assessments"),
        (
            "people/permissions.py",
            "def get(pk):\n    from ladder.assessments.models import Assessment\n",
            "ladder.assessments.models",
        ),
        (
            "people/views.py",
            "from importlib import import_module\nm = import_module('ladder.assessments.views')\n",
            "ladder.assessments.views",
        ),
        (
            "frameworks/admin.py",
            "from ladder.people.permissions import is_admin\n",
            "ladder.people.permissions",
        ),
        ("middleware.py", "from ladder.people import auth\n", "ladder.people"),
        ("people/models.py", "from ladder.urls import urlpatterns\n", "ladder.urls"),
        (
            "people/views.py",
            "from django.apps import apps\nA = apps.get_model('assessments', 'Assessment')\n",
            "ladder.assessments",
        ),
        (
            "people/models.py",
            "from django.db import models\nx = models.ForeignKey('assessments.Assessment', on_delete=None)\n",
            "ladder.assessments",
        ),
        (
            "people/models.py",
            "from django.db import models\nx = models.ManyToManyField(to='demo.Thing')\n",
            "ladder.demo",
        ),
        (
            "people/views.py",
            "from django.utils.module_loading import import_string\nv = import_string('ladder.assessments.views.x')\n",
            "ladder.assessments.views.x",
        ),
        (
            "people/views.py",
            "import importlib\nm = importlib.import_module('.views', 'ladder.assessments')\n",
            "ladder.assessments.views",
        ),
    ],
)
def test_an_import_of_a_higher_layer_is_found_however_it_is_written(tmp_path, path, text, imported):
    package = write_package(tmp_path, {path: text})
    assert [found.imported for found in upward_imports(package)] == [imported]


def test_imports_downwards_and_within_a_layer_are_allowed(tmp_path):
    package = write_package(
        tmp_path,
        {
            "assessments/views.py": (
                "from ladder.people.permissions import is_admin\n"
                "from ladder.frameworks import selectors\n"
                "from . import models\nfrom .models import Assessment\n"
            ),
            "people/views.py": "from ladder.frameworks.models import Level\nimport ladder.settings\n",
            "urls.py": "from ladder.assessments import urls\nfrom ladder.demo import apps\n",
            "demo/build.py": "from ladder.assessments.services import assessment_start\n",
        },
    )
    assert upward_imports(package) == []
