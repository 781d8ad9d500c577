"""Settings that would leave a server open are refused at start-up, and accounts, numbers, searches and
API tokens hold what they promise (#15.10)."""

from __future__ import annotations

import pytest
import time_machine

from app import ConfigError, load_settings
from app.extensions import db
from app.messaging.contact import uk_mobile, uk_phone
from app.models import ApiToken, Customer, User
from app.staff.tokens import create_token, user_for_bearer
from tests.booking_helpers import NOW
from tests.factories import CustomerFactory, UserFactory
from tests.pages import csrf_token

GOOD_PRODUCTION = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": "0123456789abcdef" * 4,
    "PUBLIC_BASE_URL": "https://doorstep.council.example",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
}


@pytest.fixture
def environment(monkeypatch):
    for name in ("ENVIRONMENT", "SECRET_KEY", "PUBLIC_BASE_URL", "RATELIMIT_STORAGE_URI", "TIMEZONE",
                 "TRUSTED_HOSTS", "PROXY_COUNT"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)

    def set_to(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_to


def test_a_production_server_with_good_settings_starts_locked_down(environment):
    environment(**GOOD_PRODUCTION)
    chosen = load_settings()
    config = chosen.flask_config()
    assert chosen.environment == "production" and config["SESSION_COOKIE_SECURE"] is True
    assert config["TRUSTED_HOSTS"] == ["doorstep.council.example"]  # no localhost in production


@pytest.mark.parametrize("spelling", ["Production", "PRODUCTION", " production "])
def test_production_in_any_case_is_production_and_checked(environment, spelling):
    environment(**GOOD_PRODUCTION | {"ENVIRONMENT": spelling, "SECRET_KEY": "x"})
    with pytest.raises(ConfigError, match="SECRET_KEY must be a random secret of at least 32"):
        load_settings()


@pytest.mark.parametrize("name", ["prod", "live", "staging"])
def test_an_unknown_environment_is_refused(environment, name):
    environment(ENVIRONMENT=name)
    with pytest.raises(ConfigError, match="ENVIRONMENT must be one of development, test, production"):
        load_settings()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": "x"}, "SECRET_KEY"),
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"PUBLIC_BASE_URL": "http://doorstep.council.example"}, "https://"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
        ({"PUBLIC_BASE_URL": "https://doorstep.council.example/app"}, "scheme and host only"),
    ],
)
def test_unsafe_production_settings_are_refused_with_what_to_set(environment, change, message):
    environment(**GOOD_PRODUCTION | change)
    with pytest.raises(ConfigError, match=message):
        load_settings()


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "UTC", "Europe/Paris"])
def test_a_timezone_other_than_uk_time_is_refused_by_every_process(environment, zone):
    environment(TIMEZONE=zone)
    with pytest.raises(ConfigError, match="TIMEZONE can only be Europe/London"):
        load_settings()


# Passwords ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "passwordpass", "P@ssw0rd1234", "qwertyuiop12"])
def test_weak_passwords_are_refused(app, password):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "weak@council.example", "--role", "agent", "--password", password]
    )
    assert result.exit_code != 0 and "Choose a harder password" in result.output
    assert db.session.query(User).filter_by(email="weak@council.example").count() == 0


def test_a_password_made_of_the_users_own_name_is_refused(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "samantha.oakley@council.example", "--role", "agent",
              "--name", "Samantha Oakley", "--password", "samanthaoakley"]
    )  # fmt: skip
    assert result.exit_code != 0 and "Choose a harder password" in result.output


# Mobile numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["0770090012", "07012345678", "07600123456", "01380 123456", "7700900"])
def test_numbers_that_are_not_uk_mobiles_are_refused(number):
    assert uk_mobile(number) is None


@pytest.mark.parametrize(
    ("number", "e164"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 7400 123456", "+447400123456"),
        ("07624 123456", "+447624123456"),
    ],
)
def test_uk_mobiles_are_kept_in_e164(number, e164):
    assert uk_mobile(number) == e164


@pytest.mark.parametrize("number", ["0901 234 5678", "0871 234 5678", "0845 123 4567", "070 1234 5678"])
def test_numbers_that_would_bill_the_council_to_ring_are_refused(number):
    """Staff ring the numbers residents give: premium-rate, shared-cost and personal numbers are not one."""
    assert uk_phone(number) is None
    assert uk_phone("01380 722000") == "+441380722000" and uk_phone("0800 123 4567") == "+448001234567"


# Agent search -------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_wildcards_in_an_agent_search_are_letters(client, sign_in):
    sign_in("agent")
    CustomerFactory(name="Ann Example")
    CustomerFactory(name="Bob 100% Sure")
    db.session.commit()
    assert db.session.query(Customer).count() == 2
    for query in ("%%%%", "__", "%_"):
        html = client.get("/agent/", query_string={"q": query}).get_data(as_text=True)
        assert "Ann Example" not in html and "Bob 100% Sure" not in html, query
    assert "Bob 100% Sure" in client.get("/agent/", query_string={"q": "100%"}).get_data(as_text=True)


# API tokens ---------------------------------------------------------------------------------------


def test_one_token_is_revoked_from_the_command_line(app, client):
    user = UserFactory(role="agent")
    keep, lose = create_token(user, "website"), create_token(user, "old laptop")
    db.session.commit()
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["tokens", "list"])
    assert lose[:12] in listed.output and "old laptop" in listed.output and lose not in listed.output
    result = runner.invoke(args=["tokens", "revoke", lose[:12]])
    assert result.exit_code == 0, result.output
    headers = {"Authorization": f"Bearer {lose}"}
    assert client.get("/api/v1/appointments/ABCD1234", headers=headers).status_code == 401
    assert user_for_bearer(f"Bearer {keep}") == user  # the other token still works
    again = runner.invoke(args=["tokens", "revoke", lose[:12]])
    assert again.exit_code != 0 and "already revoked" in again.output
    assert runner.invoke(args=["tokens", "revoke", "dst_nothing"]).exit_code != 0


def test_an_admin_revokes_a_token_on_screen(client, sign_in):
    owner = UserFactory(role="agent")
    secret = create_token(owner, "contact centre CRM")
    db.session.commit()
    sign_in("admin")
    page = client.get("/admin/api-tokens").get_data(as_text=True)
    assert "contact centre CRM" in page and secret[:12] in page and secret not in page
    token = db.session.query(ApiToken).one()
    response = client.post(
        "/admin/api-tokens", data={"revoke": str(token.id), "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302
    assert user_for_bearer(f"Bearer {secret}") is None
    assert "contact centre CRM" not in client.get("/admin/api-tokens").get_data(as_text=True)


def test_only_admins_see_the_token_screen(client, sign_in):
    sign_in("supervisor")
    assert client.get("/admin/api-tokens").status_code == 403
