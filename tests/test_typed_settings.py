"""Each setting is declared once, on the typed `Settings`, and read from it (`settings().sms_provider`):
a misspelt or mistyped setting fails loudly wherever it is given, and app.config holds only the keys
Flask and its extensions read themselves, derived from the settings (#16.4)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from app import create_app
from app.appointments.links import external_url
from app.config import Settings, settings, settings_changed

ROOT = Path(__file__).resolve().parent.parent
GOOD_PRODUCTION = {
    "environment": "production",
    "secret_key": "0123456789abcdef" * 4,
    "public_base_url": "https://doorstep.council.example",
    "ratelimit_storage_uri": "redis://127.0.0.1:6379/0",
}


@pytest.mark.parametrize("name", ["sms_providr", "SMS_PROVIDER", "smtp_hots"])
def test_an_unknown_setting_name_fails_loudly_instead_of_doing_nothing(app, configure, name):
    with pytest.raises(TypeError, match=f"Settings has no field '{name}'"):
        Settings(**{name: "twilio"})
    with pytest.raises(TypeError, match=name):
        app.extensions["settings"].changed(**{name: "twilio"})
    with pytest.raises(TypeError, match=name):
        configure(**{name: "twilio"})
    with pytest.raises(TypeError, match=name), settings_changed(app, **{name: "twilio"}):
        pass
    assert app.extensions["settings"].sms_provider == "log"  # nothing half-applied


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"smtp_port": "twenty-five"}, "smtp_port"),
        ({"ratelimit_enabled": "perhaps"}, "ratelimit_enabled"),
        ({"public_base_url": "doorstep.council.example"}, "PUBLIC_BASE_URL must be a scheme and host"),
        ({"kiosk_warn_after_ms": 0}, "kiosk_warn_after_ms"),
    ],
)
def test_a_value_of_the_wrong_type_or_shape_fails_loudly(app, change, message):
    with pytest.raises(ValidationError, match=message):
        app.extensions["settings"].changed(**change)


def test_production_checks_hold_for_settings_made_in_code(app):
    assert Settings(**GOOD_PRODUCTION).environment == "production"
    with pytest.raises(ValidationError, match="RATELIMIT_STORAGE_URI must be shared"):
        Settings(**GOOD_PRODUCTION | {"ratelimit_storage_uri": "memory://"})
    with pytest.raises(ValidationError, match="SECRET_KEY must be a random secret"):
        Settings(**GOOD_PRODUCTION).changed(secret_key="short")
    with pytest.raises(ValidationError, match="PUBLIC_BASE_URL must start with https://"):
        app.extensions["settings"].changed(environment="production")  # the tests' http:// base


def test_pages_and_flask_follow_the_settings_object(app, client, configure):
    configure(council_name="Borsetshire County Council", session_timeout_minutes=10)
    assert "© Borsetshire County Council" in client.get("/accessibility").get_data(as_text=True)
    assert app.permanent_session_lifetime == timedelta(minutes=10)  # Flask's own key, derived
    with app.app_context():
        assert settings().council_name == "Borsetshire County Council"


def test_app_config_holds_only_flasks_own_keys(app):
    flask_keys = set(app.extensions["settings"].flask_config())
    copies = {name.upper() for name in Settings.model_fields} & set(app.config) - flask_keys
    assert copies == set()
    assert {"SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "PERMANENT_SESSION_LIFETIME"} <= flask_keys


def test_no_code_reads_a_setting_from_app_config():
    """Settings are read from the settings object; app.config keeps Flask's keys (derived in one place)."""
    flask_keys = set(Settings(secret_key="x" * 32).flask_config())
    names = "|".join(sorted(name.upper() for name in Settings.model_fields if name.upper() not in flask_keys))
    reads = re.compile(rf"config(?:\[\s*['\"]|\.get\(\s*['\"]|\.)({names})\b")
    files = [*ROOT.glob("app/**/*.py"), *ROOT.glob("app/templates/**/*.html"), *ROOT.glob("bench/*.py")]
    found = {
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in files
        for match in reads.finditer(path.read_text())
    }
    assert found == set()


def test_every_setting_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    assert [name for name in Settings.model_fields if f"`{name.upper()}`" not in readme] == []


def test_a_background_job_in_production_builds_links_from_the_public_address(app):
    """Production trusts only PUBLIC_BASE_URL's host; a job (no request) still builds a resident's
    links: the reminders job's manage link, a waiting-list offer's, the calendar file's."""
    production = create_app(
        Settings(**GOOD_PRODUCTION, database_url=app.config["SQLALCHEMY_DATABASE_URI"]), testing=True
    )
    with production.app_context():
        assert external_url("manage.view", token="abc") == "https://doorstep.council.example/manage/abc"
        assert external_url("api.calendar", reference="ABCD1234", token="t").startswith(
            "https://doorstep.council.example/api/v1/appointments/ABCD1234/calendar.ics"
        )
