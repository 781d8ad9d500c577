"""Texts from residents: CANCEL cancels, 1 to 5 rates the visit, STOP ends texts (START restarts them),
HELP gets a short help reply, and anything else is something they are telling us: it goes to the
"Tell us" queue for staff to answer.

A reply acts only on appointments we have texted that number about: a phone number kept on another
resident's record (a relative's, a mistyped one) never reaches their booking. With more than one such
booking coming up, CANCEL needs the reference, so the wrong one is never cancelled by a guess.

Texts from an officer's registered work phone go to the safety ladder: OK, HELP and the duress word."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.appointments.references import (
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    clean_reference,
    format_reference,
)
from app.booking.changes import cancel
from app.booking.errors import BookingRuleError
from app.config import settings
from app.customers import feedback, satisfaction
from app.extensions import db
from app.i18n import gettext_for
from app.messaging import consent, outbox
from app.models import Appointment, InboundMessage, Message, Officer
from app.safety.rota import escalation_numbers
from app.safety.safety import officer_replied
from app.timeutil import utcnow
from notifications import templates
from notifications.templates import Gettext

RATING_WINDOW = timedelta(days=7)


def _texted_to(phone: str) -> list[Appointment]:
    """Appointments this number has been sent a text about, earliest first."""
    texted = select(Message.appointment_id).where(
        Message.channel == "sms", Message.recipient == phone, Message.appointment_id.is_not(None)
    )
    return list(
        db.session.scalars(
            select(Appointment).where(Appointment.id.in_(texted)).order_by(Appointment.window_start)
        )
    )


def _gettext(appointment: Appointment | None) -> Gettext:
    """Replies in the language of the resident we texted (English when we cannot tell who it is)."""
    return gettext_for(appointment.customer.locale if appointment is not None else "en")


def handle(provider_id: str, sender: str, body: str) -> InboundMessage:
    """Act on one inbound text, once (the provider may deliver the same webhook twice)."""
    existing = db.session.scalar(select(InboundMessage).where(InboundMessage.provider_id == provider_id))
    if existing is not None:
        return existing
    inbound = InboundMessage(provider_id=provider_id, sender=sender, body=body[:1600])
    db.session.add(inbound)
    officer = db.session.scalar(select(Officer).where(Officer.phone == sender, Officer.active.is_(True)))
    if officer is not None:
        inbound.action = officer_replied(officer, body) or "officer"
        if inbound.action == "help":
            db.session.flush()
            reached = escalation_numbers()
            outbox.queue_reply(
                sender,
                "Doorstep: help alert sent to the supervisor on duty."
                if reached
                else "Doorstep: your help alert is on the dashboard but nobody could be texted. Call 999.",
                None,
                provider_id,
                kind="officer_reply",
            )
        return inbound
    words = body.strip().upper().split()
    word = words[0].strip(".!") if words else ""
    if word in consent.STOP_WORDS or word in consent.START_WORDS:
        # No reply of ours: the carrier confirms opt-outs itself and blocks texts after STOP.
        stopping = word in consent.STOP_WORDS
        (consent.stop_from if stopping else consent.start_from)(sender)
        inbound.action = "stop" if stopping else "start"
        return inbound
    appointments = _texted_to(sender)
    now = utcnow()
    if word == "CANCEL":
        upcoming = [a for a in appointments if a.is_active and a.window_start > now]
        named = clean_reference("".join(words[1:]))
        if len(named) == REFERENCE_LENGTH and set(named) <= set(REFERENCE_ALPHABET):  # "CANCEL ABCD-3467"
            upcoming = [a for a in upcoming if a.reference == named]
        if len(upcoming) > 1:
            inbound.action = "which"
            db.session.flush()
            references = [format_reference(a.reference) for a in upcoming]
            reply = templates.which_appointment_reply(references, _gettext(upcoming[0]))
            outbox.queue_reply(sender, reply, None, provider_id)
            return inbound
        if upcoming:
            target = upcoming[0]
            try:
                cancel(target, "Cancelled by text message", channel="sms")  # queues the confirmation text
                inbound.appointment_id, inbound.action = target.id, "cancelled"
                return inbound
            except BookingRuleError:
                pass
    elif word in {"1", "2", "3", "4", "5"}:
        rated = [
            a
            for a in appointments
            if a.status == "completed"
            and a.satisfaction_score is None
            and a.window_start > now - RATING_WINDOW
        ]
        if rated:
            target = rated[-1]
            comment = body.strip()[len(words[0]) :].strip(" .,:-")  # "4 lovely officer"
            satisfaction.record(target, int(word), "sms", comment)
            inbound.appointment_id, inbound.action = target.id, "rated"
            db.session.flush()
            outbox.queue_reply(
                sender,
                templates.thanks_reply(int(word), format_reference(target.reference), _gettext(target)),
                target,
                provider_id,
            )
            return inbound
    latest = appointments[-1] if appointments else None
    reference = format_reference(latest.reference) if latest else ""
    if word in {"HELP", "CANCEL"} or word in {"1", "2", "3", "4", "5"} or len(words) == 0:
        inbound.action = "help"  # a command we could not act on: say what works
        db.session.flush()
        reply = templates.help_reply(reference, _gettext(latest), settings().contact_centre_phone)
        outbox.queue_reply(sender, reply, latest, provider_id)
        return inbound
    feedback.submit(
        "comment",
        body,
        source="sms",
        reference=latest.reference if latest else "",
        name=latest.customer.name if latest and latest.customer.phone == sender else "",
        contact=sender,
    )
    inbound.action = "told_us"
    db.session.flush()
    outbox.queue_reply(sender, templates.told_us_reply(reference, _gettext(latest)), latest, provider_id)
    return inbound
