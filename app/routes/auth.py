"""Staff sign-in and sign-out."""

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from limits import parse

from app.config import settings
from app.forms.auth import SignInForm
from app.inputs import local_path_or_none
from app.staff import audit
from app.staff.staff import authenticate, end_sessions
from app.unit_of_work import unit_of_work
from app.web.access import public
from app.web.guards import client_address, limiter

bp = Blueprint("auth", __name__)

# Failed sign-ins only (a successful one redirects), limited two ways: guesses at one account from one
# address, and guesses from one address at any account. Neither is keyed on the account alone: then
# anyone who typed ten wrong passwords for a colleague's email would lock the colleague out. A contact
# centre behind one address signs in at shift start without touching either.
PER_ACCOUNT_AND_ADDRESS = "10 per minute; 50 per hour"
PER_ADDRESS = "30 per minute; 300 per hour"
# Failures at one account from everywhere are counted, not blocked: past SLOW_AFTER in the window each
# failed answer for that account waits a little longer (at most `sign_in_max_delay_seconds`, so a flood
# holds a worker for no more than that), and the first burst (ALERT_AT) is audited as `sign_in_burst` and
# logged as a warning for the security team.
ACCOUNT_WINDOW = parse("10000 per 15 minutes")
SLOW_AFTER = 5
ALERT_AT = 10


def _account() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def _account_and_address_key() -> str:
    return f"sign-in:{_account()}:{client_address()}"


def _failed(response) -> bool:
    return response.status_code != 302


def delay_after(failures: int, most: float) -> float:
    """Seconds a failed sign-in waits, given the account's failures in the window (this one included):
    none for the first five, then a quarter of a second doubling each time, up to `most`."""
    if failures <= SLOW_AFTER:
        return 0.0
    return min(0.25 * 2 ** min(failures - SLOW_AFTER - 1, 16), most)


def _count_failure(account: str) -> int:
    """Count this failure at the account (in the limiter's shared storage); how many in the window.
    With the limiter off (load tests, most tests) nothing is counted."""
    if not limiter.enabled or not account:
        return 0
    keys = ("sign-in-account", settings().ratelimit_key_prefix, account)
    try:
        limiter.limiter.hit(ACCOUNT_WINDOW, *keys)
        stats = limiter.limiter.get_window_stats(ACCOUNT_WINDOW, *keys)
    except Exception:  # storage unreachable: the per-address limits still hold
        current_app.logger.exception("could not count sign-in failures")
        return 0
    return ACCOUNT_WINDOW.amount - stats.remaining


def _after_failure() -> None:
    account = _account()
    failures = _count_failure(account)
    if failures == ALERT_AT:
        current_app.logger.warning("sign-in burst: %s failed sign-ins at %s in 15 minutes", failures, account)
        with unit_of_work():
            audit.record("sign_in_burst", "user", "", email=account, failures=failures)
    pause = delay_after(failures, settings().sign_in_max_delay_seconds)
    if pause:
        time.sleep(pause)


def _safe_next(target: str | None) -> str:
    """Only follow a local path, never another site."""
    return local_path_or_none(target) or url_for("staff.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(
    PER_ACCOUNT_AND_ADDRESS, key_func=_account_and_address_key, methods=["POST"], deduct_when=_failed
)
@limiter.limit(PER_ADDRESS, methods=["POST"], deduct_when=_failed)
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        with unit_of_work():
            user = authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()
            login_user(user)
            session.permanent = True  # idle timeout: PERMANENT_SESSION_LIFETIME
            return redirect(_safe_next(request.args.get("next")))
        _after_failure()
        form.email.errors.append("Enter a correct email address and password")
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
@public
def sign_out():
    """A POST with the CSRF token (the header's "Sign out" button): a link, an image or another site
    cannot sign anyone out.

    Nothing stays readable on the device: Clear-Site-Data removes the officer's day saved for use with
    no signal (Cache Storage and its service worker), taps waiting in localStorage (officer.js sends them
    first) and the HTTP cache. Not "cookies": a trusted work phone's cookie outlives sign-outs by design
    (app/routes/officer_phone.py); the phone's own list or a new password ends it. The sign-in page
    clears the saved day from script too, for browsers that ignore the header (static/signed_out.js)."""
    if current_user.is_authenticated:
        with unit_of_work():
            end_sessions(current_user)
            audit.record("signed_out", "user", current_user.id)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    response = redirect(url_for("auth.sign_in"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
