"""The daily print batch of letters: see it, download it as one PDF, mark it printed."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.inputs import BadInput, parse_day
from app.messaging import letters
from app.staff import audit
from app.unit_of_work import unit_of_work
from app.web.access import SUPERVISORS, staff

bp = Blueprint("letters", __name__, url_prefix="/staff/letters")
PRINT_ROLES = ("agent", *SUPERVISORS)


def _day(text: str):
    try:
        return parse_day(text)
    except BadInput:
        abort(404)


@bp.get("/")
@staff(*PRINT_ROLES)
def batches():
    summaries = letters.batches()
    with unit_of_work():
        audit.record("letter_batches_viewed", "letter_batch", "")
    return render_template("letters/batches.html", batches=summaries, waiting=letters.waiting())


@bp.get("/<day>")
@staff(*PRINT_ROLES)
def batch(day: str):
    chosen = _day(day)
    messages = letters.in_batch(chosen) or abort(404)
    with unit_of_work():
        audit.record("letter_batch_viewed", "letter_batch", chosen.isoformat(), letters=len(messages))
    return render_template("letters/batch.html", day=chosen, messages=messages)


@bp.get("/<day>/letters.pdf")
@staff(*PRINT_ROLES)
def download(day: str):
    chosen = _day(day)
    with unit_of_work():
        pdf = letters.batch_pdf(chosen, current_user._get_current_object())
    if pdf is None:
        abort(404)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="letters-{chosen.isoformat()}.pdf"'},
    )


@bp.post("/<day>/printed")
@staff(*PRINT_ROLES)
def printed(day: str):
    chosen = _day(day)
    with unit_of_work():
        count = letters.mark_printed(chosen, current_user._get_current_object())
    flash(f"{count} letters marked as printed and posted.", "success")
    return redirect(url_for("letters.batches"))
