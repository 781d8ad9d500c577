"""Public pages: the start page and the statements every council service publishes."""

from flask import Blueprint, render_template, url_for

from app.access import public

bp = Blueprint("public", __name__)


@bp.get("/")
@public
def start():
    return render_template("public/start.html", booking_url=url_for("booking.start"))


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
    from app.data.records import database_answers

    database_answers()
    return {"status": "ok"}
