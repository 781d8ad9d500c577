"""A council service, not a GOV.UK one: the council's own name, logo, colours and copyright, no crown,
no GDS Transport font (#18 branding), and links that survive a development server's restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import ConfigError, create_app, load_settings
from app.config import development_key

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"


def test_pages_show_the_council_not_govuk(client):
    html = client.get("/").get_data(as_text=True)
    assert "govuk-header__logotype" not in html and "govuk-logo" not in html  # no crown or logotype
    assert "Crown copyright" not in html and "Open Government Licence" not in html
    assert "nationalarchives.gov.uk" not in html
    assert "© Wiltshire Council" in html
    assert 'class="app-council-logo" src="/council-logo"' in html and "app-council-name" in html
    logo = client.get("/council-logo")
    assert logo.status_code == 200 and logo.mimetype == "image/svg+xml"


def test_the_stylesheet_uses_arial_and_never_loads_the_gds_font():
    css = (STATIC / "govuk" / "govuk-frontend.min.css").read_text()
    assert "GDS Transport" not in css and "@font-face" not in css
    assert "font-family:arial,helvetica,sans-serif" in css
    assert not (STATIC / "govuk" / "assets" / "fonts").exists()


def test_council_colours_and_logo_are_settings(app, client, monkeypatch, tmp_path):
    css = client.get("/council.css")
    assert css.mimetype == "text/css" and "--govuk-brand-colour: #00594f" in css.get_data(as_text=True)
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg"><title>Borsetshire</title></svg>')
    monkeypatch.setenv("COUNCIL_NAME", "Borsetshire County Council")
    monkeypatch.setenv("COUNCIL_BRAND_COLOUR", "#4c2c92")
    monkeypatch.setenv("COUNCIL_LOGO_FILE", str(logo))
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    with other.test_client() as browser:
        assert "--govuk-brand-colour: #4c2c92" in browser.get("/council.css").get_data(as_text=True)
        assert b"Borsetshire" in browser.get("/council-logo").data
        assert "© Borsetshire County Council" in browser.get("/accessibility").get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("COUNCIL_BRAND_COLOUR", "blue", "must be a colour like #1d70b8"),
        ("COUNCIL_LINK_COLOUR", "#ffdd00", "too light to read on white"),
        ("COUNCIL_LOGO_FILE", "/nowhere/logo.svg", "must be an SVG or PNG file that exists"),
    ],
)
def test_unusable_branding_settings_stop_the_server(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        from app import load_settings as load

        load()


def test_a_development_key_is_kept_so_sent_links_survive_a_restart(tmp_path, monkeypatch):
    key_file = tmp_path / "dev-secret-key"
    first = development_key(key_file)
    assert len(first) >= 32 and development_key(key_file) == first  # a restart reads the same key
    assert key_file.stat().st_mode & 0o077 == 0  # only the owner can read it
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setattr("app.config.DEV_KEY_FILE", key_file)
    monkeypatch.setattr("app.config.development_key", lambda: development_key(key_file))
    assert load_settings().flask_config()["SECRET_KEY"] == first
    assert load_settings().flask_config()["SECRET_KEY"] == first


def test_production_still_needs_a_secret_key_from_the_environment(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://doorstep.council.example")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    with pytest.raises(ConfigError, match="SECRET_KEY must be a random secret"):
        load_settings()
