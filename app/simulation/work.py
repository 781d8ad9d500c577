"""One unit of work per action, as one request or one job gets in the running system: a fresh app
context, so a fresh database session, removed (rolled back if not committed) at the end."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app


@contextmanager
def unit() -> Iterator[None]:
    with current_app._get_current_object().app_context():
        yield
