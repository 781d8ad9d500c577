"""A resident accepts a waitlist offer from the link in their text. First to accept gets the slot."""

from __future__ import annotations

from flask import Blueprint, render_template

from app import i18n
from app.appointments.presenters import when, where
from app.appointments.references import format_reference
from app.booking import waitlist, waitlist_offers
from app.booking.errors import SlotUnavailable
from app.forms.booking import ConfirmForm
from app.i18n import current_locale
from app.unit_of_work import unit_of_work
from app.web.access import public
from app.web.guards import limiter

bp = Blueprint("waitlist", __name__, url_prefix="/waitlist")


@bp.route("/<token>", methods=["GET", "POST"], endpoint="offer")
@public
@limiter.limit("30 per minute", methods=["POST"])
def offer_page(token: str):
    offer = waitlist_offers.offer_from(token)
    if offer is None:
        return render_template("waitlist/gone.html"), 404
    i18n.adopt(offer.entry.customer.locale)  # the link came in a text in their language
    form = ConfirmForm()
    if form.validate_on_submit():
        offer_id = offer.id
        try:
            with unit_of_work():
                appointment = waitlist.accept(offer)
        except SlotUnavailable:
            with unit_of_work():
                waitlist.close_taken(offer_id)
            return render_template("waitlist/gone.html")
        return render_template(
            "waitlist/booked.html",
            reference=format_reference(appointment.reference),
            when=when(appointment, current_locale()),
            where=where(appointment),
        )
    if offer.status != "open":
        return render_template("waitlist/gone.html")
    return render_template("waitlist/offer.html", offer=offer, form=form)
