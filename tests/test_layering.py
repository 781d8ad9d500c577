"""routing/ and notifications/ are plain libraries: they never import Flask or the app."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"flask", "app", "flask_sqlalchemy", "sqlalchemy", "werkzeug"}


def _domain_modules() -> list[Path]:
    """The domain code's files: the packages of pyproject's layers contract (the one list of them)."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c.get("id") == "domain-layers")["layers"]
    files = []
    for name in (part.strip() for layer in layers for part in layer.split("|")):
        path = ROOT.joinpath(*name.split("."))
        files += list(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
    return files


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


def _commits(path: Path) -> list[str]:
    """Calls of `.commit(` or `.rollback(` in a module, as 'line: name'."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        f"{node.lineno}: {node.func.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("commit", "rollback")
    ]


def test_domain_code_never_commits_or_rolls_back():
    """The unit of work (app/unit_of_work.py) owns every commit: a route, a CLI command or a job opens it."""
    files = _domain_modules()
    assert len(files) > 50 and all(f.exists() for f in files)
    offenders = {str(f.relative_to(ROOT)): _commits(f) for f in files}
    assert {f: calls for f, calls in offenders.items() if calls} == {}


def test_only_the_unit_of_work_commits_the_session():
    """Routes, the API, CLI commands and jobs open a unit of work instead of committing themselves. (The
    scheduler's leadership lock commits on a connection of its own, outside the session.)"""
    allowed = {"app/unit_of_work.py": {"commit", "rollback"}, "app/scheduler.py": {"commit"}}
    offenders = {}
    for path in (ROOT / "app").rglob("*.py"):
        name = str(path.relative_to(ROOT))
        calls = [c for c in _commits(path) if c.split(": ")[1] not in allowed.get(name, set())]
        if calls:
            offenders[name] = calls
    # A pooled connection's ping ends its own transaction; it is not the session's.
    assert {f: [c.split(": ")[1] for c in calls] for f, calls in offenders.items()} == {
        "app/extensions.py": ["rollback"]
    }


def test_the_commit_check_catches_a_commit(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from app.extensions import db\n\ndef save():\n    db.session.commit()\n")
    assert _commits(bad) == ["4: commit"]


APP_LEVEL_FLASK = {"current_app", "url_for", "has_request_context"}


def test_domain_code_takes_nothing_of_the_request_from_flask():
    """Domain packages and models may read the app's settings and build URLs, never request, session
    or g: the web layer passes in what they need (pyproject's import contracts cover the rest)."""
    offenders = {}
    for path in _domain_modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "flask":
                names = {alias.name for alias in node.names} - APP_LEVEL_FLASK
                if names or node.module != "flask":
                    offenders[str(path.relative_to(ROOT))] = sorted(names) or [node.module]
            elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "flask" for a in node.names):
                offenders[str(path.relative_to(ROOT))] = ["import flask"]
    assert offenders == {}


def test_every_message_goes_through_the_outbox():
    """Only app/messaging/outbox.py writes Message rows: one place sets dedupe keys and sending rules."""
    makers = {}
    for path in (ROOT / "app").rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        calls = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Message"
        ]
        if calls:
            makers[str(path.relative_to(ROOT))] = calls
    assert set(makers) == {"app/messaging/outbox.py"}
