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


def test_govuk_assets_are_served(client):
    assert client.get("/static/govuk/govuk-frontend.min.css").status_code == 200
    assert client.get("/assets/images/favicon.svg").status_code == 200


def test_health_check(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
