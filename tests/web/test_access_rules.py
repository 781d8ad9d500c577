"""Every route declares who may use it, and every non-public route refuses everyone else."""

from __future__ import annotations

import re

import pytest

from app.web.access import ALL_STAFF, rule_for
from app.web.navigation import STAFF_SECTIONS

ROLES = ("agent", "officer", "supervisor", "admin")


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        yield rule.endpoint, url, methods


def test_every_route_declares_an_access_rule(app):
    with app.test_request_context():
        missing = [endpoint for endpoint, _url, _m in _routes(app) if rule_for(endpoint) is None]
    assert missing == []


def _call(client, method, url):
    return client.open(url, method=method, headers={"Accept": "text/html"})


def test_anonymous_visitors_are_refused_on_every_non_public_route(app, client):
    checked = 0
    with app.test_request_context():
        routes = [(e, u, m, rule_for(e)) for e, u, m in _routes(app)]
    for _endpoint, url, methods, rule in routes:
        if rule.kind == "public":
            continue
        for method in methods:
            response = _call(client, method, url)
            if rule.kind == "api":
                assert response.status_code == 401, (method, url)
            elif rule.kind == "kiosk":
                assert response.status_code in (400, 403), (method, url)  # CSRF first on POSTs
            elif rule.kind == "officer_day" and method == "POST":
                assert response.status_code == 401, (method, url)  # "not recorded: call for help"
            elif method == "GET":
                assert response.status_code == 302, (method, url)
                assert "/sign-in" in response.headers["Location"]
            else:
                # A POST without a session is refused: by CSRF (400) or by the sign-in redirect.
                assert response.status_code in (302, 400), (method, url)
            checked += 1
    assert checked > 5


@pytest.mark.parametrize("role", ROLES)
def test_staff_with_the_wrong_role_get_403(app, client, sign_in, role):
    sign_in(role)
    with app.test_request_context():
        routes = [(e, u, m, rule_for(e)) for e, u, m in _routes(app)]
    refused = allowed = 0
    for _endpoint, url, methods, rule in routes:
        if rule.kind not in ("staff", "officer_day") or "GET" not in methods:
            continue
        response = _call(client, "GET", url)
        if role in rule.roles:
            assert response.status_code not in (403, 500), url
            allowed += 1
        else:
            assert response.status_code == 403, url
            refused += 1
    assert allowed >= 1
    if role in ("agent", "officer"):
        assert refused >= 1


def test_all_staff_roles_are_known():
    assert set(ALL_STAFF) == set(ROLES)


def test_each_page_in_the_navigation_is_open_to_exactly_the_roles_it_is_shown_to(app):
    """A page the navigation hides from a role is not open to it by its address either: an officer
    cannot reach the kiosk help desk (/staff/kiosk-help) that agents and supervisors answer."""
    with app.test_request_context():
        differ = [
            (endpoint, roles, rule_for(endpoint).roles)
            for _section, links in STAFF_SECTIONS
            for _label, endpoint, roles in links
            if set(rule_for(endpoint).roles) != set(roles)
        ]
    assert differ == []


def test_an_officer_is_refused_the_kiosk_help_desk(client, sign_in):
    sign_in("officer")
    assert client.get("/staff/kiosk-help").status_code == 403
    assert client.post("/staff/kiosk-help", data={"request_id": "1"}).status_code in (400, 403)
