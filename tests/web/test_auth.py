import re

from app.extensions import db
from app.models import AuditEvent
from app.web.guards import limiter
from tests.factories import PASSWORD
from tests.pages import csrf_token, sign_out


def _post_sign_in(client, email, password, next_url=""):
    page = client.get("/sign-in")
    return client.post(
        "/sign-in" + (f"?next={next_url}" if next_url else ""),
        data={"email": email, "password": password, "csrf_token": csrf_token(page.get_data(as_text=True))},
    )


def test_staff_sign_in_lands_on_staff_home(client, make_user):
    user = make_user(role="supervisor")
    db.session.commit()
    response = _post_sign_in(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    home = client.get("/staff/")
    assert user.full_name in home.get_data(as_text=True)


def test_wrong_password_shows_a_govuk_error_summary_and_is_audited(client, make_user):
    user = make_user()
    db.session.commit()
    response = _post_sign_in(client, user.email, "wrong-password")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Enter a correct email address and password" in html
    assert "<title>Error: Sign in" in html
    assert db.session.query(AuditEvent).filter_by(action="sign_in_failed").count() == 1


def test_empty_form_names_each_missing_field(client):
    page = client.get("/sign-in")
    response = client.post("/sign-in", data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    html = response.get_data(as_text=True)
    assert "Enter your email address" in html and "Enter your password" in html


def test_sign_in_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    db.session.commit()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "timed out" in response.get_data(as_text=True)


def test_next_only_follows_local_paths(client, make_user):
    user = make_user(role="admin")
    db.session.commit()
    response = _post_sign_in(client, user.email, PASSWORD, next_url="https://evil.example/")
    assert response.headers["Location"] == "/staff/"
    sign_out(client)
    for sneaky in ("//evil.example/", "/.//evil.example", "/..//evil.example", "/\\evil.example"):
        sign_out(client)
        response = _post_sign_in(client, user.email, PASSWORD, next_url=sneaky)
        assert response.headers["Location"] == "/staff/", sneaky
    sign_out(client)
    response = _post_sign_in(client, user.email, PASSWORD, next_url="/admin/services?page=2")
    assert response.headers["Location"] == "/admin/services?page=2"


def test_inactive_staff_cannot_sign_in(client, make_user):
    user = make_user(active=False)
    db.session.commit()
    response = _post_sign_in(client, user.email, PASSWORD)
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


def test_sign_out_ends_the_session(client, sign_in):
    sign_in("supervisor")
    assert client.get("/admin/services").status_code == 200
    sign_out(client)
    assert client.get("/admin/services").status_code == 302


def test_sign_out_clears_what_the_browser_kept_but_not_a_trusted_phone(client, sign_in):
    """The officer's day saved for use with no signal, taps waiting and the browser's cache go; cookies
    stay out of it (a trusted work phone outlives sign-outs; the browser test checks the rest)."""
    sign_in("officer")
    page = client.get("/sign-in").get_data(as_text=True)
    assert "signed_out.js" not in page  # signed in: nothing is cleared
    token = csrf_token(page)
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert "signed_out.js" in client.get("/sign-in").get_data(as_text=True)


def test_sign_out_is_a_button_in_the_header_that_posts_with_a_csrf_token(client, sign_in):
    sign_in("agent")
    page = client.get("/staff/").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/sign-out"[^>]*>(.*?)</form>', page, re.S)
    assert form and 'name="csrf_token"' in form.group(1) and ">Sign out</button>" in form.group(1)
    assert 'href="/sign-out"' not in page


def test_a_link_or_another_site_cannot_sign_staff_out(client, sign_in):
    sign_in("supervisor")
    assert client.get("/sign-out").status_code == 405  # an <img src> or a link: no longer a sign-out
    assert client.post("/sign-out").status_code == 400  # a forged form without the session's token
    assert client.get("/admin/services").status_code == 200  # still signed in


def test_sign_in_attempts_are_rate_limited(app, client, make_user):
    user = make_user()
    db.session.commit()
    limiter.enabled = True
    limiter.reset()
    try:
        statuses = [_post_sign_in(client, user.email, "nope").status_code for _ in range(11)]
    finally:
        limiter.enabled = False
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
