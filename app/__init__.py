"""Doorstep: the Flask application factory."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from pydantic import ValidationError
from sqlalchemy.orm import configure_mappers
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import INSTANCE_DIR, Settings, use_settings
from app.extensions import (
    check_pooled_connections,
    configure_sqlite,
    db,
    keep_prepared_statements,
    login_manager,
    migrate,
)
from app.inputs import BoundedJSONProvider
from app.web.guards import csrf, limiter


class ConfigError(RuntimeError):
    """A setting that is missing, unknown or unsafe: the message says which and what to set."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = [
            f"{'.'.join(map(str, e['loc'])).upper() or 'settings'}: {e['msg']}" for e in error.errors()
        ]
        raise ConfigError("Doorstep cannot start:\n  " + "\n  ".join(problems)) from None


class _Flask(Flask):
    """Flask, remembering which request hooks and views need no async wrapper: it otherwise inspects
    each of them again on every request."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._callable_as_is: dict[Callable, Callable] = {}

    def ensure_sync(self, func: Callable) -> Callable:
        found = self._callable_as_is.get(func)
        if found is None:
            found = self._callable_as_is[func] = super().ensure_sync(func)
        return found


def create_app(settings: Settings | None = None, *, testing: bool = False) -> Flask:
    """The app, configured by `settings` (by default read from the environment and .env). Tests pass
    their own, e.g. `create_app(Settings(environment="test", database_url=...), testing=True)`."""
    app = _Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.json = BoundedJSONProvider(app)
    app.testing = testing
    chosen = use_settings(app, settings if settings is not None else load_settings())
    INSTANCE_DIR.mkdir(exist_ok=True)
    if chosen.environment == "production" and app.debug:
        # The debugger runs any code typed into an error page.
        raise ConfigError("Doorstep cannot start: FLASK_DEBUG must be off in production")
    if chosen.proxy_count:
        # Trust exactly the proxies we have: the client address and scheme they append, nothing more.
        count = chosen.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]

    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("app"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    db.init_app(app)
    migrate.init_app(app, db, directory=str(INSTANCE_DIR.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from app import i18n

    i18n.init_app(app)

    from govuk_frontend_wtf.main import WTFormsHelpers

    WTFormsHelpers(app)

    from app import models  # noqa: F401  (registers the tables)

    # Now, not in the first request each worker serves (about 0.1 s of CPU, once per process).
    configure_mappers()

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        else:
            check_pooled_connections(db.engine)
            keep_prepared_statements(db.engine)
    from app.web.wiring import register_web

    register_web(app)

    from app.cli import register_cli

    register_cli(app)
    return app
