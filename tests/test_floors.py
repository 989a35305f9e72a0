"""Imports only go downward (DESIGN.md, "Layers of the house"), and no app reaches into another
app's private names. Read from the source itself, so a new module is checked without a list."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
FLOORS = {
    "core": 1,
    "layers": 2,
    "datasets": 2,
    "cases": 2,
    "engagement": 2,
    "indicators": 2,
    "parcels": 3,
    "permits": 3,
    "estate": 3,
    "budgeting": 3,
    "petitions": 3,
    "welfare": 3,
    "gisportal": 4,
}
# The demo data generator stands beside the house: it fills every floor, nothing imports it.
OUTSIDE = {"fixtures"}


def imports_of(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every import in a file, relative ones made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module]) if module else ".".join(base)
            found.append((node.lineno, module, [alias.name for alias in node.names]))
    return found


def app_files():
    for app in sorted(FLOORS):
        folder = ROOT / app
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


FILES = list(app_files())


@pytest.mark.parametrize(("app", "path"), FILES, ids=[str(p.relative_to(ROOT)) for _a, p in FILES])
def test_imports_go_downward_and_never_to_private_names(app, path):
    problems = []
    for line, module, names in imports_of(path):
        target = module.split(".")[0]
        where = f"{path.relative_to(ROOT)}:{line}"
        if target in OUTSIDE:
            problems.append(f"{where} imports {module}, which stands outside the floors")
        if target not in FLOORS or target == app:
            continue
        if FLOORS[target] > FLOORS[app]:
            problems.append(
                f"{where}: {app} (floor {FLOORS[app]}) imports {module} (floor {FLOORS[target]})"
            )
        private = [name for name in names if name.startswith("_")]
        if private or any(part.startswith("_") for part in module.split(".")[1:]):
            problems.append(f"{where}: imports private {module} {private}")
    assert not problems, "\n".join(problems)
