"""Web wiring: blueprints, access checks, security headers, error pages, template helpers."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import (
    Flask,
    Response,
    abort,
    g,
    has_request_context,
    jsonify,
    render_template,
    request,
    session,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature
from werkzeug.exceptions import HTTPException, SecurityError

from app.appointments.presenters import (
    access_needs_said,
    added_travel,
    channel_how,
    place_name,
    rating_words,
    status_label,
    when,
    where,
)
from app.appointments.references import format_reference
from app.booking.interpreters import language_name
from app.config import MAX_BODY_BYTES, MAX_FORM_FIELDS, settings
from app.extensions import db, login_manager
from app.forms.admin import WEEKDAYS
from app.i18n import current_locale, format_number
from app.inputs import whole_number_or_none
from app.messaging.contact import display_phone
from app.models import User
from app.models.safety import PRECAUTIONS, RISK_CATEGORIES
from app.places.places import EXAMPLE_POSTCODE
from app.staff import audit
from app.timeutil import (
    example_day,
    format_clock,
    format_date,
    format_time,
    to_local,
    utcnow,
    weekday_name,
)
from app.unit_of_work import discard
from app.web import kiosk_session
from app.web.access import api_user, enforce_access
from app.web.day_first import days_of_times
from app.web.kiosk_session import autofill, current_device
from app.web.navigation import staff_navigation
from app.web.nul_characters import has_nul_characters
from app.web.phone_links import phone_link, phone_links_in
from app.web.security_headers import add_security_headers, csp_nonce
from app.web.wording import in_language, kiosk_clears_in, miles_away


def in_background(view):
    """A request a page makes by itself (a long poll): its answer never re-sends the session cookie.
    Sessions are signed cookies, so an answer that started before a request the person made (a
    booking in another tab) would otherwise put back the session as it was, losing what changed."""
    view.leaves_session_alone = True
    return view


class _SessionInterface(SecureCookieSessionInterface):
    """Only pages renew the session cookie. A stylesheet, font or icon fetched while the person signs
    in (or a long poll) would otherwise answer with the cookie as it was when it was asked for.

    A request without a session cookie (API clients, health checks) gets an empty session without a
    signer being built for it, and an answer whose session nobody touched costs nothing to save."""

    def open_session(self, app: Flask, request):
        """The cookie's signature is checked against the longest lifetime (a kiosk's). Idle past
        PERMANENT_SESSION_LIFETIME (the idle timeout), a session ends as Flask's own check would end
        it, except a kiosk's (kiosk_session.keeps_device), which keeps only its device."""
        if app.secret_key and "HTTP_COOKIE" not in request.environ:
            return self.session_class()
        signer = self.get_signing_serializer(app)
        if signer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        try:
            data, signed_at = signer.loads(
                cookie, max_age=int(kiosk_session.LIFETIME.total_seconds()), return_timestamp=True
            )
        except BadSignature:
            return self.session_class()
        if time.time() - signed_at.timestamp() > app.permanent_session_lifetime.total_seconds():
            if not kiosk_session.keeps_device(data):
                return self.session_class()
            return self.session_class(kiosk_session.left_idle(data))
        return self.session_class(data)

    def get_expiration_time(self, app: Flask, session):
        if session.permanent and kiosk_session.keeps_device(session):
            return datetime.now(UTC) + kiosk_session.LIFETIME
        return super().get_expiration_time(app, session)

    def save_session(self, app: Flask, session, response) -> None:
        if session or session.modified:
            super().save_session(app, session, response)
        elif session.accessed and not _wants_json():  # the parent's, for an empty session; the API
            response.vary.add("Cookie")  # answers by bearer token alone, never by cookie

    def should_set_cookie(self, app: Flask, session) -> bool:
        view = app.view_functions.get(request.endpoint or "")
        quiet = request.endpoint == "static" or getattr(view, "leaves_session_alone", False)
        if quiet and not session.modified:
            return False
        return super().should_set_cookie(app, session)


def _request_actor() -> tuple[User | None, str]:
    """For the audit log: the API token's user or the signed-in user, and the client's address."""
    if not has_request_context():
        return None, ""
    user = api_user()
    if user is None and current_user and current_user.is_authenticated:
        user = current_user._get_current_object()
    return user, request.remote_addr or ""


def _request_address() -> str:
    """For an audit entry that says who acted: the client's address alone (no user is loaded for it)."""
    return (request.remote_addr or "") if has_request_context() else ""


def register_web(app: Flask) -> None:
    app.session_interface = _SessionInterface()
    audit.find_actor_with(_request_actor, _request_address)

    from app.api import routes as api_routes
    from app.routes import (
        admin,
        agent,
        auth,
        booking,
        feedback,
        hubs,
        inclusion,
        kiosk,
        kiosk_calls,
        letters,
        manage,
        officer,
        public_pages,
        reports,
        staff_home,
        supervisor,
        waitlist,
        webhooks,
    )

    for blueprint in (
        public_pages.bp,
        auth.bp,
        staff_home.bp,
        admin.bp,
        api_routes.bp,
        booking.bp,
        manage.bp,
        webhooks.bp,
        officer.bp,
        officer.feed_bp,
        supervisor.bp,
        agent.bp,
        waitlist.bp,
        kiosk.bp,
        kiosk.staff_bp,
        kiosk_calls.bp,
        kiosk_calls.agent_bp,
        reports.bp,
        letters.bp,
        hubs.bp,
        feedback.bp,
        feedback.staff_bp,
        inclusion.bp,
        inclusion.staff_bp,
    ):
        app.register_blueprint(blueprint)

    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        """'42:3' is user 42 at session version 3; an older version is a session that has ended, and so
        is every session of an account switched off (whoever switched it off, however)."""
        user_id, _, version = session_id.partition(":")
        number = whole_number_or_none(user_id)
        user = db.session.get(User, number) if number else None
        if user is None or version != str(user.session_version) or not user.active:
            return None
        return user

    # First of all, before CSRF (Flask-WTF's check) and the limiter (the sign-in's key) read the form.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_too_many_fields)

    @app.before_request
    def _access_then_odd_input():
        g.started = time.perf_counter()
        # Who may call this first: nothing of an unauthenticated caller's body is read or parsed.
        return enforce_access() or _refuse_nul_characters() or _refuse_files()

    app.after_request(add_security_headers)

    @app.context_processor
    def _template_globals():
        chosen = settings()
        return {
            "service_name": chosen.service_name,
            "council_name": chosen.council_name,
            "contact_phone": chosen.contact_centre_phone,
            "example_postcode": EXAMPLE_POSTCODE,  # every postcode hint gives the same real example
            "example_day": example_day,  # a date hint's example: a few days ahead of today
            "brand_colour": chosen.council_brand_colour,
            "current_year": to_local(utcnow()).year,
            "csp_nonce": csp_nonce(),
            "staff_navigation": staff_navigation,
            "weekdays": WEEKDAYS,
            "categories": RISK_CATEGORIES,
            "precautions": PRECAUTIONS,
            "kiosk_device": current_device(),
            "kiosk_large_text": session.get("kiosk_text") == "large",
            "kiosk_timers_ms": (chosen.kiosk_warn_after_ms, chosen.kiosk_reset_after_ms),
            "kiosk_clears_in": kiosk_clears_in,  # the warning's words, from the same setting as its timer
            "autofill": autofill,  # a field's autocomplete attribute: "off" for every field on a kiosk
        }

    # In the page's language: residents' pages in theirs, staff pages in English (app/i18n.py).
    # `case`: what the translated sentence needs around the date ("od środy" in Polish; timeutil).
    app.add_template_filter(
        lambda moment, case="nominative": format_date(moment, current_locale(), case), "uk_date"
    )
    app.add_template_filter(lambda moment: format_time(moment, current_locale()), "uk_time")
    app.add_template_filter(lambda at: format_clock(at, current_locale()), "clock")
    app.add_template_filter(lambda number: weekday_name(number, current_locale()), "weekday")
    app.add_template_filter(
        lambda number, places=1: format_number(number, places, current_locale()), "decimal"
    )
    app.add_template_filter(miles_away, "miles_away")  # "1 mile away", "1,2 mili stąd" (app.web.wording)
    app.add_template_filter(in_language, "in_language")  # "in Polish", "w języku polskim"
    app.add_template_filter(to_local, "local")
    app.add_template_filter(when, "when")  # "Monday 7 December 2026, arriving between 11am and 1pm"
    app.add_template_filter(format_reference, "reference")  # "NEUQ-TVRY", as residents read it
    app.add_template_filter(place_name, "place_name")  # a hub visit by the hub's name, else the address
    app.add_template_filter(channel_how, "channel_how")  # "online", "at a hub kiosk": how it was booked
    app.add_template_filter(status_label, "status_label")  # "Nobody in": a visit's status, for staff
    app.add_template_filter(where, "where")  # the whole address, after the hub's name for a hub visit
    app.add_template_filter(added_travel, "added_travel")  # "no extra travel", "adds about 10 minutes ..."
    app.add_template_filter(language_name, "language_name")  # 'polski' -> 'Polish' (for staff)
    # Numbers are stored in E.164 (+447700900123) and shown as people write them (07700 900123).
    app.add_template_filter(lambda number: display_phone(number) if number else "", "phone")
    # A number to tap: <a class="govuk-link" href="tel:+44...">, its text unchanged; text alone on a kiosk.
    app.add_template_filter(phone_link, "phone_link")
    app.add_template_filter(phone_links_in, "phone_links_in")  # every number inside a longer text, linked

    # What the resident told us of their access needs, or "None told to us" (never blank, never "None").
    app.add_template_filter(access_needs_said, "needs_said")
    app.add_template_filter(rating_words, "rating_words")  # "Good (4.3 out of 5)": ratings in words
    # Times day first: [DayOfTimes(day, 'Tuesday 8 December', [slots])] for booking/_times.html.
    app.add_template_filter(days_of_times, "days_of_times")

    _register_errors(app)


def _refuse_nul_characters():
    if not has_nul_characters(request):
        return None
    if _wants_json():
        return jsonify(errors={"request": ["Remove the NUL (\\u0000) characters"]}), 422
    return render_template("errors/400.html"), 400


def _refuse_too_many_fields():
    """A form of more than MAX_FORM_FIELDS fields is refused (413) before it is parsed. Werkzeug limits
    the parts of a multipart body (MAX_FORM_PARTS) but not the fields of an urlencoded one: 1 MB of
    `k1=&k2=&...` (120,000 fields) took a worker 1.4 to 2.9 seconds to parse on any public form and on
    the Twilio webhooks (attack of 2 December 2026). Counting the separators of the body read once (and
    kept for the parser) costs about a millisecond for the largest body we accept."""
    if request.mimetype != "application/x-www-form-urlencoded":
        return None
    if request.get_data(cache=True).count(b"&") < MAX_FORM_FIELDS:
        return None
    abort(413)


def _refuse_files():
    """No form here takes a file. A field sent as one (multipart) would reach the form's validators as
    a file object, not text (Flask-WTF merges the files into the form's data): refuse it at the door."""
    if request.mimetype != "multipart/form-data" or not request.files:
        return None
    if _wants_json():
        return jsonify(errors={"request": ["Files are not accepted"]}), 400
    return render_template("errors/400.html"), 400


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _register_errors(app: Flask) -> None:
    pages = {
        400: "errors/400.html",
        403: "errors/403.html",
        404: "errors/404.html",
        405: "errors/400.html",
        413: "errors/413.html",
        429: "errors/429.html",
    }

    @app.errorhandler(SecurityError)
    def _unknown_host(error: SecurityError):
        # No page can be built for a host we do not serve (links need one), and none should be.
        return Response("This server does not answer to that host name.\n", 400, mimetype="text/plain")

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if _wants_json() and error.code == 429:
            return jsonify(
                error="rate_limited", message="Too many requests. Wait a minute and try again."
            ), 429
        if _wants_json() and error.code == 413:
            return jsonify(
                error="too_large", message=f"The request body must be under {MAX_BODY_BYTES // 1024} KB."
            ), 413
        if _wants_json():
            return jsonify(error=error.name.lower().replace(" ", "_"), message=error.description), error.code
        template = pages.get(error.code or 500, "errors/400.html")
        return render_template(template, error=error), error.code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        discard()
        app.logger.exception("unhandled error")
        if _wants_json():
            return jsonify(error="server_error", message="Something went wrong. Try again."), 500
        return render_template("errors/500.html"), 500
