"""routing/ and notifications/ are plain libraries: they never import Flask or the app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"flask", "app", "flask_sqlalchemy", "sqlalchemy", "werkzeug"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["routing", "notifications"])
def test_library_never_imports_flask_or_the_app(package):
    files = list((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no Python files"
    offenders = {str(f.relative_to(ROOT)): sorted(_imports(f) & FORBIDDEN) for f in files}
    assert {f: bad for f, bad in offenders.items() if bad} == {}


def test_the_check_catches_a_flask_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from flask import current_app\nimport app.models\n")
    assert _imports(bad) & FORBIDDEN == {"flask", "app"}
