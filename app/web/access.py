"""Who may reach each route. Every view declares a rule; a route without one is refused.

@public                       anyone
@staff("supervisor", "admin") signed-in staff with one of these roles
@api("agent", "admin")        an API bearer token whose user has one of these roles
@officer_day                  an officer's own day and safety actions: the signed-in officer, or their
                              trusted work phone (app/routes/officer_phone.py), which reaches nothing else
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.models import User
from app.safety.rota import calls_for_help
from app.staff.tokens import Caller, caller_for_bearer, record_use, user_of
from app.unit_of_work import unit_of_work
from app.web.guards import csrf
from app.web.kiosk_session import current_device

SUPERVISORS = ("supervisor", "admin")
ALL_STAFF = ("agent", "officer", "supervisor", "admin")


@dataclass(frozen=True)
class Rule:
    kind: str  # public | staff | api
    roles: tuple[str, ...] = ()


def _declare(rule: Rule) -> Callable:
    def decorate(view: Callable) -> Callable:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorate


public = _declare(Rule("public"))


def staff(*roles: str) -> Callable:
    return _declare(Rule("staff", roles or ALL_STAFF))


def api(*roles: str) -> Callable:
    return _declare(Rule("api", roles or ALL_STAFF))


kiosk = _declare(Rule("kiosk"))


def officer_day(view: Callable) -> Callable:
    """Also exempt from the session CSRF check: app.safety.devices checks these posts itself."""
    return csrf.exempt(_declare(Rule("officer_day", ("officer",)))(view))


def rule_for(endpoint: str | None) -> Rule | None:
    if endpoint is None:
        return Rule("public")  # unknown URL: let the 404 handler answer
    if endpoint == "static" or endpoint.endswith(".static"):
        return Rule("public")
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def enforce_access():
    """before_request: deny by default, then check the view's declared rule."""
    rule = rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("route %s declares no access rule", request.endpoint)
        return _forbidden()
    if rule.kind == "public":
        return None
    if rule.kind == "kiosk":
        if current_device() is None:
            return render_template("kiosk/not_set_up.html"), 403
        return None
    if rule.kind == "officer_day":
        return _officer_day()
    if rule.kind == "api":
        caller = caller_for_bearer(request.headers.get("Authorization", ""))
        if caller is None:
            return jsonify(error="unauthorised", message="A valid bearer token is required."), 401
        if caller.role not in rule.roles:
            return jsonify(error="forbidden", message="This token may not do that."), 403
        if caller.last_use_due:  # at most once a minute per token
            with unit_of_work():
                record_use(caller)
        request.api_caller = caller  # type: ignore[attr-defined]
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    if current_user.role not in rule.roles:
        return _forbidden()
    return None


def api_caller() -> Caller | None:
    """Who this API request comes from (checked by enforce_access): the user's id and role, from the
    token's read. Enough to decide what a role may see and to record who acted."""
    return getattr(request, "api_caller", None)


def api_user() -> User | None:
    """The user of this API request's bearer token (checked by enforce_access), loaded when a route
    needs more than the role: a request refused before that (a 409 for a slot gone) never loads it."""
    caller = api_caller()
    return user_of(caller) if caller is not None else None


def _officer_day():
    from app.routes.officer_phone import acting, request_allowed  # the routes import this module

    who = acting()
    if who is not None:
        return None if request_allowed(who) else _not_recorded(400)
    if current_user.is_authenticated:
        if current_user.role == "officer" and request.method == "GET":
            return None  # an account not yet linked to an officer record: the page says so
        return _forbidden()
    if request.method == "GET":
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    return _not_recorded(401)


def _not_recorded(status: int):
    """A safety tap that cannot be accepted says so plainly and offers a call, never a bare error."""
    message = (
        "This was not recorded: you are signed out on this phone."
        if status == 401
        else "This was not recorded: the page was out of date. Reload the page and try again."
    )
    calls = calls_for_help()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(
            ok=False, message=message, calls=[{"label": c[0], "number": c[1]} for c in calls]
        ), status
    return render_template("officer/not_recorded.html", message=message, calls=calls), status


def _forbidden():
    abort(403)
