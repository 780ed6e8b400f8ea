"""Imports point downwards (DESIGN.md): publishing and inbox → archive → channels → people →
guideline → core; checks and connectors need only core, and any app may use them."""

import ast
from pathlib import Path

import pytest

import somevahti

SRC = Path(somevahti.__file__).parent
LAYERS = ["core", "guideline", "people", "channels", "archive", "inbox", "publishing"]
BESIDE = {"checks", "connectors"}


def allowed(app: str) -> set[str]:
    if app in BESIDE:
        return {"core", app}
    below = LAYERS[: LAYERS.index(app) + 1]
    if app in ("inbox", "publishing"):
        below = [layer for layer in below if layer not in ("inbox", "publishing")] + [app]
    return set(below) | (BESIDE if app != "core" else set())


def imported_apps(path: Path) -> list[tuple[int, str]]:
    """(line, app) of every somevahti app a module imports, at the top or inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                modules = [node.module or ""]
            elif node.level == 2:  # from ..channels import models
                modules = [f"somevahti.{node.module or ''}"]
        for module in modules:
            parts = module.split(".")
            if parts[0] == "somevahti" and len(parts) > 1 and parts[1] in set(LAYERS) | BESIDE:
                found.append((node.lineno, parts[1]))
    return found


@pytest.mark.parametrize("app", LAYERS + sorted(BESIDE))
def test_layering__an_app_imports_only_the_apps_below_it(app):
    wrong = [
        f"{path.relative_to(SRC)}:{line} imports {other}"
        for path in sorted((SRC / app).rglob("*.py"))
        if "migrations" not in path.parts
        for line, other in imported_apps(path)
        if other not in allowed(app)
    ]
    assert wrong == []
