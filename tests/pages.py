"""A test client that checks every HTML page it receives for the basics users rely on."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser

from flask.testing import FlaskClient

from app.i18n import LANGUAGES, gettext_for


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.h1s: list[str] = []
        self.title = ""
        self.forms: list[dict] = []
        self._in: list[str] = []
        self._h1_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "form":
            self.forms.append({"method": (attrs.get("method") or "get").lower(), "csrf": False})
        if tag == "input" and attrs.get("name") == "csrf_token" and self.forms:
            self.forms[-1]["csrf"] = True
        if tag in ("h1", "title"):
            self._in.append(tag)
            self._h1_text = []

    def handle_endtag(self, tag):
        if self._in and tag == self._in[-1]:
            text = " ".join("".join(self._h1_text).split())
            if tag == "h1":
                self.h1s.append(text)
            elif not self.title:  # the page's own title, not an SVG <title> in the header
                self.title = text
            self._in.pop()

    def handle_data(self, data):
        if self._in:
            self._h1_text.append(data)


def check_page(html: str) -> _PageParser:
    page = _PageParser()
    page.feed(html)
    assert len(page.h1s) == 1, f"expected one h1, found {page.h1s}"
    prefixes = "|".join(re.escape(gettext_for(locale)("Error:")) for locale in LANGUAGES)
    title = re.sub(rf"^({prefixes}) ", "", page.title)  # "Error: ", "Błąd: ", ...
    assert title.startswith(page.h1s[0]), f"title {page.title!r} should start with h1 {page.h1s[0]!r}"
    duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    for form in page.forms:
        if form["method"] == "post":
            assert form["csrf"], "a POST form has no CSRF token"
    return page


class PageCheckingClient(FlaskClient):
    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if response.mimetype == "text/html" and response.status_code not in (204, 302, 304):
            check_page(response.get_data(as_text=True))
        return response


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def error_summary(html: str) -> list[str]:
    """The messages in a page's GOV.UK error summary, as read (fails when there is none)."""
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary"
    links = re.findall(r"<a [^>]*>(.*?)</a>", summary.group(0), re.S)
    return [unescape(re.sub(r"\s+", " ", t).strip()) for t in links]


def field_error(html: str, field: str) -> str:
    """The error message shown at a field (its id), without the hidden "Error:" prefix."""
    found = re.search(rf'<p id="{field}-error" class="govuk-error-message">(.*?)</p>', html, re.S)
    assert found, f"no error on {field}"
    return unescape(re.sub(r"<span[^>]*>.*?</span>", "", found.group(1)).strip())


def submit_form(client: FlaskClient, url: str, data: dict):
    """Open the page at `url` and send its form with `data` and the page's CSRF token, as a browser does."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return client.post(url, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))})


def sign_out(client: FlaskClient) -> None:
    """Press "Sign out" (a POST with the session's CSRF token, which any page's form carries)."""
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302, response.status_code


def set_up_kiosk(client: FlaskClient, link: str):
    """Open a kiosk's activation link (its path, or just the token) and press "Set up this kiosk", as staff
    do on the kiosk; opening the link alone sets nothing up. Returns the answer to the press (a redirect
    to the kiosk's start page), or to the opening when the link no longer works."""
    path = link if link.startswith("/") else f"/kiosk/activate/{link}"
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True))})


def home_visit_times(client: FlaskClient, service_code: str, postcode: str, address_id: int) -> str:
    """The resident journey up to the time page for a home visit at a gazetteer address: its HTML."""
    submit_form(client, "/book/service", {"service": service_code})
    submit_form(client, "/book/where", {"location_type": "home"})
    submit_form(client, "/book/postcode", {"postcode": postcode})
    submit_form(client, "/book/address", {"address": str(address_id)})
    return client.get("/book/time").get_data(as_text=True)
