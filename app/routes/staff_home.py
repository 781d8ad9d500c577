"""The page every member of staff lands on after signing in."""

from flask import Blueprint, render_template

from app.web.access import staff
from app.web.navigation import staff_navigation

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/")
@staff()
def home():
    """Every page this user may use, under the same sections as the navigation."""
    sections = [
        {**section, "links": [page for page in section["links"] if page["text"] != "Staff home"]}
        for section in staff_navigation()
    ]
    return render_template("staff/home.html", sections=[s for s in sections if s["links"]])
