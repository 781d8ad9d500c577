"""One unit of work per action, as one request or one job gets in the running system: a fresh app
context (so a fresh database session) and a unit of work (app/unit_of_work.py) that commits once at
the end, or rolls back and re-raises if the action failed (the caller decides what a failure means)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app

from app.unit_of_work import unit_of_work


@contextmanager
def unit() -> Iterator[None]:
    with current_app._get_current_object().app_context(), unit_of_work():
        yield


@contextmanager
def context() -> Iterator[None]:
    """A fresh app context without a unit: the action opens its own units (e.g. a booking retried)."""
    with current_app._get_current_object().app_context():
        yield
