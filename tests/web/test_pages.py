from pathlib import Path


def test_start_page_uses_govuk_layout(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-skip-link" in html and 'href="#main-content"' in html
    assert "govuk-phase-banner" in html
    assert "Doorstep" in html and "Wiltshire Council" in html


def test_missing_page_is_a_govuk_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)


def test_govuk_frontend_is_served_without_gov_uk_s_own_crown_and_icons(client):
    # The crown's favicon, crest and app icons are GOV.UK's alone: the council's logo is the icon.
    assert client.get("/static/govuk/govuk-frontend.min.css").status_code == 200
    for path in ("/assets/images/favicon.ico", "/assets/images/govuk-crest.svg", "/assets/manifest.json"):
        assert client.get(path).status_code == 404, path
    assert not (Path(client.application.static_folder) / "govuk" / "assets").exists()


def test_health_check(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_nul_characters_get_a_clear_refusal_not_a_server_error(client):
    # PostgreSQL cannot store NUL; found by fuzzing the API.
    api = client.get("/api/v1/availability?service=a%00b")
    assert api.status_code == 422 and "request" in api.get_json()["errors"]
    body = client.post("/api/v1/appointments", json={"service": "a\u0000b"})
    assert body.status_code in (401, 422)  # refused before the bearer check or by it; never a 500
    page = client.get("/book/service?q=%00")
    assert page.status_code == 400
