"""Public pages: the start page and the statements every council service publishes."""

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from app import i18n
from app.catalogue.queries import all_hubs
from app.config import settings
from app.inputs import local_path_or_none
from app.records import database_answers
from app.routes.officer_phone import COOKIE as DEVICE_COOKIE
from app.safety.devices import LIFETIME as DEVICE_LIFETIME
from app.web.access import public
from app.web.kiosk_session import current_device
from app.web.wording import retention_period
from notifications.letter import FONTS

bp = Blueprint("public", __name__)
DEMO_LOGO = Path(__file__).resolve().parent.parent / "static" / "demo-council-logo.svg"


@bp.get("/")
@public
def start():
    if current_device() is not None:  # a kiosk's "start" is its own start screen: it never leaves the kiosk
        return redirect(url_for("kiosk.start"))
    # Only some hubs have a kiosk: the page names those, as the hubs' own records say.
    kiosk_hubs = [hub for hub in all_hubs(active_only=True) if hub.has_kiosk]
    return render_template("public/start.html", booking_url=url_for("booking.start"), kiosk_hubs=kiosk_hubs)


@bp.get("/language/<code>")
@public
def language(code: str):
    """The language links on residents' pages: a plain link, so it works without JavaScript."""
    i18n.choose(code)
    return redirect(local_path_or_none(request.args.get("next")) or url_for("public.start"))


@bp.get("/accessibility")
@public
def accessibility():
    return render_template("public/accessibility.html")


@bp.get("/privacy")
@public
def privacy():
    chosen = settings()
    return render_template(
        "public/privacy.html",
        kept_for=retention_period(chosen.retention_days),
        data_protection_email=chosen.data_protection_email,
    )


@bp.get("/cookies")
@public
def cookies():
    return render_template(
        "public/cookies.html",
        session_minutes=settings().session_timeout_minutes,
        device_days=DEVICE_LIFETIME.days,
        device_cookie=DEVICE_COOKIE,
    )


@bp.get("/feedback")
@public
def feedback():
    return render_template("public/feedback.html", email=settings().feedback_email)


@bp.get("/healthz")
@public
def healthz():
    database_answers()
    return {"status": "ok"}


@bp.get("/council.css")
@public
def council_css():
    """The council's colours from settings, through GOV.UK Frontend's CSS custom properties."""
    css = render_template(
        "council.css",
        brand=settings().council_brand_colour,
        link=settings().council_link_colour,
    )
    response = make_response(css)
    response.mimetype = "text/css"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/council-logo")
@public
def council_logo():
    """The council's logo (COUNCIL_LOGO_FILE), or the demo county's."""
    path = settings().council_logo_file or str(DEMO_LOGO)
    return send_file(path, max_age=3600)


# Nepali text for devices with no Devanagari font (it showed as empty boxes): the Noto Sans Devanagari
# the printed letters already use, asked for by the browser only for Devanagari characters
# (unicode-range in doorstep.css), so nobody else downloads it.
WEB_FONTS = {"noto-sans-devanagari.ttf": "NotoSansDevanagari-Regular.ttf",
             "noto-sans-devanagari-bold.ttf": "NotoSansDevanagari-Bold.ttf"}  # fmt: skip


@bp.get("/fonts/<name>")
@public
def web_font(name: str):
    if name not in WEB_FONTS:
        abort(404)
    return send_file(FONTS / WEB_FONTS[name], mimetype="font/ttf", max_age=7 * 86400)
