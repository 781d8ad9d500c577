"""Staff sign-in and sign-out."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.forms.auth import SignInForm
from app.inputs import local_path_or_none
from app.staff import audit
from app.staff.staff import authenticate, end_sessions
from app.unit_of_work import unit_of_work
from app.web.access import public
from app.web.guards import limiter

bp = Blueprint("auth", __name__)

# Failed sign-ins only (a successful one redirects), limited two ways: guesses at one account from
# anywhere, and guesses from one address at any account. A contact centre behind one address signs in
# at shift start without touching either.
PER_ACCOUNT = "10 per minute; 50 per hour"
PER_ADDRESS = "30 per minute; 300 per hour"


def _account_key() -> str:
    return "sign-in:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response) -> bool:
    return response.status_code != 302


def _safe_next(target: str | None) -> str:
    """Only follow a local path, never another site."""
    return local_path_or_none(target) or url_for("staff.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(PER_ACCOUNT, key_func=_account_key, methods=["POST"], deduct_when=_failed)
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
        form.email.errors.append("Enter a correct email address and password")
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
@public
def sign_out():
    """A POST with the CSRF token (the header's "Sign out" button): a link, an image or another site
    cannot sign anyone out."""
    if current_user.is_authenticated:
        with unit_of_work():
            end_sessions(current_user)
            audit.record("signed_out", "user", current_user.id)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))
