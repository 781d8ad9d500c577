"""Community hubs as residents see them: where they are, when they are open, counter and kiosk."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from app.catalogue import hubs
from app.catalogue.queries import all_hubs, all_services, hub_by_code
from app.timeutil import local_now
from app.web.access import public

bp = Blueprint("hubs", __name__, url_prefix="/hubs")


@bp.get("/")
@public
def index():
    shown = all_hubs(active_only=True)
    return render_template(
        "hubs/index.html", hubs=shown, saturday={h.id: hubs.opens_on_saturday(h) for h in shown}
    )


@bp.get("/<code>")
@public
def hub(code: str):
    found = hub_by_code(code)
    if found is None or not found.active:
        abort(404)
    today = local_now().date()
    return render_template(
        "hubs/hub.html",
        hub=found,
        week=hubs.weekly_hours(found),
        shut=hubs.shut_days(found, today),
        today_hours=hubs.hours_on_day(found, today),
        services=[s for s in all_services(bookable_only=True) if s.at_hub and not s.premises_only],
    )
