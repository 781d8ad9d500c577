from app.extensions import db
from app.models import ApiToken, User
from app.staff.tokens import user_for_bearer
from tests.pages import csrf_token


def test_users_create_then_sign_in(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "New.Agent@Council.example",
            "--role",
            "agent",
            "--password",
            "a-long-enough-password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.query(User).filter_by(email="new.agent@council.example").one()
    assert user.role == "agent" and "a-long-enough" not in user.password_hash
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={
            "email": "new.agent@council.example",
            "password": "a-long-enough-password",
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302


def test_users_create_refuses_short_password_and_duplicates(app, make_user):
    runner = app.test_cli_runner()
    short = runner.invoke(
        args=["users", "create", "--email", "a@b.example", "--role", "agent", "--password", "short"]
    )
    assert short.exit_code != 0 and "at least 12" in short.output
    existing = make_user()
    db.session.commit()
    duplicate = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            existing.email,
            "--role",
            "agent",
            "--password",
            "a-long-enough-password",
        ]
    )
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output


def test_generated_password_is_printed_once(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "gen@council.example", "--role", "officer"], input="\n"
    )
    assert result.exit_code == 0
    assert "Password (shown once):" in result.output


def test_tokens_create_prints_a_working_token_stored_hashed(app, make_user):
    user = make_user(role="admin")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--email", user.email])
    assert result.exit_code == 0
    secret = result.output.strip()
    stored = db.session.query(ApiToken).one()
    assert secret not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
    assert user_for_bearer(f"Bearer {secret}") == user
    assert user_for_bearer("Bearer dst_wrong") is None
    stored.revoked_at = stored.created_at
    assert user_for_bearer(f"Bearer {secret}") is None
