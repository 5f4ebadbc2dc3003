"""Layering: reads never depend on writes, and role rules depend on neither.

"Who may do what" lives in each app's ``policy.py``, read by selectors, views and services alike
(docs/architecture.md), so that no selectors module imports a services module (which would drag
the write side, its notifications and its transactions into every read). Checked on the source
with ``ast``, imports inside functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
APPS = ("shuangyong", "tasks", "visits", "reports", "evaluation")


def _modules(pattern: str) -> list[Path]:
    return sorted(p for app in APPS for p in (BASE / app).rglob(pattern) if "migrations" not in p.parts)


def _imported_modules(path: Path) -> set[str]:
    """Every module the file imports: ``a.b`` for ``import a.b``, ``a.b`` and ``a.b.c`` for ``from a.b import c``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _offending(path: Path, words: tuple[str, ...]) -> list[str]:
    """Imported modules whose last part contains one of ``words`` (``visits.services``, ``x.dual_list_services``)."""
    return sorted(
        name
        for name in _imported_modules(path)
        if any(word in name.rsplit(".", 1)[-1] for word in words) and name.split(".", 1)[0] != "django"
    )


SELECTORS = _modules("*selectors*.py")
POLICIES = _modules("policy.py")


def test_the_modules_are_found() -> None:
    found = {str(p.relative_to(BASE)) for p in SELECTORS + POLICIES}
    assert {"tasks/selectors.py", "visits/selectors.py", "reports/selectors.py", "shuangyong/selectors.py"} <= found
    assert {"tasks/policy.py", "visits/policy.py"} <= found


@pytest.mark.parametrize("path", SELECTORS, ids=lambda p: str(p.relative_to(BASE)))
def test_selectors_import_no_services(path: Path) -> None:
    assert _offending(path, ("services",)) == [], f"{path.relative_to(BASE)} imports a services module"


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: str(p.relative_to(BASE)))
def test_policy_imports_neither_services_nor_selectors(path: Path) -> None:
    assert _offending(path, ("services", "selectors")) == [], f"{path.relative_to(BASE)} imports services/selectors"


def test_the_check_catches_each_form_of_import(tmp_path: Path) -> None:
    """The detector itself: every spelling of "import a services module" is caught, a policy import is not."""
    cases = {
        "from visits.services import LEDGER_ROLES": ["visits.services"],
        "from tasks.dual_list_services import is_office_confirmer": ["tasks.dual_list_services"],
        "from visits import services": ["visits.services"],
        "import shuangyong.reminder_services as rs": ["shuangyong.reminder_services"],
        "def f():\n    from .services import x": [".services"],
        "from visits.policy import LEDGER_ROLES": [],
    }
    for source, expected in cases.items():
        module = tmp_path / "case_selectors.py"
        module.write_text(source + "\n", encoding="utf-8")
        assert _offending(module, ("services",)) == expected, source
