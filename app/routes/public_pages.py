"""Public pages: the start page and the statements every council service publishes."""

from flask import Blueprint, redirect, render_template, request, url_for

from app import i18n
from app.access import public
from app.inputs import local_path_or_none

bp = Blueprint("public", __name__)


@bp.get("/")
@public
def start():
    return render_template("public/start.html", booking_url=url_for("booking.start"))


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
    return render_template("public/privacy.html")


@bp.get("/healthz")
@public
def healthz():
    from sqlalchemy import text

    from app.extensions import db

    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
