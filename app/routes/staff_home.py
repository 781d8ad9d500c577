"""The page every member of staff lands on after signing in."""

from flask import Blueprint, render_template

from app.web.access import staff
from app.web.navigation import staff_navigation

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/")
@staff()
def home():
    links = [item for item in staff_navigation() if item["text"] != "Staff home"]
    return render_template("staff/home.html", links=links)
