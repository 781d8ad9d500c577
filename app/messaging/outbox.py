"""Queue messages in the same transaction as the change that causes them.

Kinds: confirmation, cancellation, reschedule, officer_change, reminder_day_before, reminder_morning,
satisfaction, new_link (to residents, by their preferred channel) and CRM webhook events. Residents who
asked for post, or whom no text or email can reach, get the confirmation, a move or a cancellation as a
printed `letter` while the visit is far enough off for the post (never a reminder or an officer change: those
would arrive too late); letters wait for the daily print batch (app/messaging/letters.py), not the
dispatcher. A dedupe key makes
each one unique per appointment and change, so a retried job or request can never queue the same message
twice.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update

from app.appointments.links import manage_url
from app.appointments.presenters import as_json, documents, officer_first_name, service_name, when, where
from app.appointments.references import format_reference
from app.config import settings
from app.customers.satisfaction import rating_url, should_ask
from app.extensions import db
from app.hot_writes import insert_now
from app.i18n import gettext_for
from app.messaging import consent
from app.messaging.contact import reminder_gap, uk_mobile
from app.models import Appointment, Message
from app.timeutil import LONDON, to_local, utcnow
from notifications import templates
from notifications.templates import AppointmentFacts, Gettext

QUIET_START, QUIET_END = time(20, 0), time(9, 0)  # nothing routine between 8pm and 9am UK time
ROUTINE = {"reminder_day_before", "reminder_morning", "satisfaction"}
WEBHOOK_EVENTS = {
    "booked": "appointment.booked",
    "cancellation": "appointment.cancelled",
    "reschedule": "appointment.rescheduled",
    "officer_change": "appointment.officer_changed",
    "completed": "appointment.completed",
    "no_show": "appointment.no_show",
}


def facts(appointment: Appointment, staying: str = "") -> AppointmentFacts:
    """What a message to this appointment's resident may say, in the language they read. `staying`: of a
    two-officer visit whose other officer changed, the first name of the officer who still comes."""
    locale = appointment.customer.locale
    return AppointmentFacts(
        reference=format_reference(appointment.reference),
        service=service_name(appointment, locale),
        when=when(appointment, locale),
        sms_when=when(appointment, locale, short=locale != "en"),
        where=where(appointment),
        officer_first_name=officer_first_name(appointment),
        documents=tuple(documents(appointment, locale)),
        manage_url=manage_url(appointment),
        tell_us_url=f"{settings().public_base_url}/tell-us",
        book_url=f"{settings().public_base_url}/book/",
        rating_url=rating_url(appointment) if appointment.status == "completed" else "",
        council=settings().council_name,
        phone=settings().contact_centre_phone,
        venue=where(appointment) if appointment.hub else "",
        hub=appointment.hub.name if appointment.hub else "",
        officer_staying=staying,
    )


def next_allowed(moment: datetime) -> datetime:
    """The same moment if it is between 9am and 8pm UK time, else the next 9am."""
    local = to_local(moment)
    if QUIET_END <= local.time() < QUIET_START:
        return moment
    day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_END, tzinfo=LONDON)


def _add(message: Message) -> Message | None:
    """Insert unless a message with the same dedupe key exists; never fails the caller's change.

    One precompiled statement, INSERT ... ON CONFLICT (dedupe_key) DO NOTHING RETURNING its id
    (app/hot_writes.py), rather than a look-up, a savepoint, the insert and its release: every booking
    queues its confirmation here (bench/README.md, section 3). A twin in flight in another transaction
    makes it wait for that one to end, then do nothing (None). The message returned is in the session,
    as stored."""
    appointment = message.appointment
    if not message.dedupe_key or (appointment is not None and appointment.id is None):
        db.session.add(message)  # nothing to be unique against, or its booking not written yet
        db.session.flush()
        return message
    return message if insert_now(message, unless_taken="dedupe_key") else None


def resident_texts(kind: str, f: AppointmentFacts, gettext: Gettext) -> list[str]:
    """The text of this kind, and a follow-up when the first could not hold everything."""
    return {
        "confirmation": lambda: templates.confirmation_sms(f, gettext),
        "cancellation": lambda: templates.cancellation_sms(f, gettext),
        "reschedule": lambda: templates.reschedule_sms(f, gettext),
        "officer_change": lambda: templates.officer_change_sms(f, gettext),
        "reminder_day_before": lambda: templates.reminder_sms(f, False, gettext),
        "reminder_morning": lambda: templates.reminder_sms(f, True, gettext),
        "satisfaction": lambda: templates.satisfaction_sms(f, gettext),
        "new_link": lambda: templates.new_link_sms(f, gettext),
        "contact_changed": lambda: templates.contact_changed_sms(f, gettext),
        "needs_changed": lambda: templates.needs_changed_sms(f, gettext),
    }[kind]()


# Not officer_change: that follows a sickness, days or hours before the visit, and the call list phones.
LETTER_KINDS = ("confirmation", "cancellation", "reschedule")
# A letter is printed in the afternoon batch and posted second class: it only helps if the visit is
# further off than this. Closer to the visit, nothing is written and the caller (the call list, or the
# agent already on the phone) tells the resident.
LETTER_NOTICE = timedelta(days=3)


def postal_address(appointment: Appointment) -> tuple[str, ...]:
    """Name and address for an envelope, or () when we have no address to post to. A visit at business
    premises is written to the business there (the premises the visit is at); any other to the home."""
    customer = appointment.customer
    if appointment.location_type == "business":
        names = (customer.name, customer.business_name)
        where = (appointment.address_line1, appointment.address_line2, appointment.town, appointment.postcode)
    else:
        names = (customer.name,)
        where = (customer.address_line1, customer.address_line2, customer.town, customer.postcode)
    if not (where[0] and where[-1]):
        return ()
    return tuple(line for line in (*names, *where) if line)


def letter_in_time(appointment: Appointment) -> bool:
    """A letter posted now reaches the resident before the visit (LETTER_NOTICE)."""
    return appointment.window_start - utcnow() >= LETTER_NOTICE


def wants_letters(customer) -> bool:
    """They asked for post, or chose texts or email but gave us no mobile and no email (a landline
    is for calls only)."""
    if customer.preferred_channel == "post":
        return True
    unreachable = not uk_mobile(customer.phone or "") and not customer.email
    return unreachable and customer.preferred_channel in ("sms", "email")


def queue_letter(appointment: Appointment, kind: str, key_suffix: str = "") -> Message | None:
    """A printed letter of this kind, for the next print batch; None without a postal address."""
    address = postal_address(appointment)
    if not address or kind not in LETTER_KINDS:
        return None
    customer = appointment.customer
    letter = templates.letter_for(kind, facts(appointment), customer.name, gettext_for(customer.locale))
    suffix = key_suffix or str(appointment.sequence)
    return _add(
        Message(
            appointment=appointment,
            kind=kind,
            channel="letter",
            recipient="\n".join(address),
            subject=letter.subject,
            body=letter.body,
            dedupe_key=f"{appointment.id}:{kind}:{suffix}:letter",
        )
    )


def may_text(customer, kind: str) -> bool:
    """Consent, checked here because every text to a resident is written here: never to someone who
    withdrew it (STOP, the manage page, an agent) or chose no messages, satisfaction texts included, and
    never to a number that replied STOP, whichever record holds it."""
    if not customer.sms_consent or customer.preferred_channel == "none":
        return False
    wanted = customer.preferred_channel == "sms" or kind == "satisfaction"
    return wanted and not consent.number_stopped(customer.phone)


def reaches(customer, kind: str = "confirmation") -> dict[str, str]:
    """Where a text or an email of this kind to the resident goes now: {"sms": their number, "email":
    their address}, either, both or neither (letters are not in it: see wants_letters). The one answer
    queue_for_resident writes by, and what a change of contact details compares before and after."""
    if wants_letters(customer):
        return {}
    texts = may_text(customer, kind) and reminder_gap("sms", customer.phone, "") is None
    emails = customer.preferred_channel == "email" and reminder_gap("email", "", customer.email) is None
    if kind == "satisfaction" and texts:
        emails = False  # asked once: by text where we may, else by the email's link
    reached = {"sms": customer.phone} if texts else {}
    if emails:
        reached["email"] = customer.email
    return reached


def queue_for_resident(
    appointment: Appointment, kind: str, key_suffix: str = "", staying: str = ""
) -> list[Message]:
    """The message of this kind by the resident's chosen channel(s) (`staying`: see facts)."""
    customer = appointment.customer
    if wants_letters(customer):
        in_time = letter_in_time(appointment)
        letter = queue_letter(appointment, kind, key_suffix) if kind in LETTER_KINDS and in_time else None
        return [letter] if letter is not None else []
    if kind == "satisfaction" and not should_ask(appointment):
        return []
    reached = reaches(customer, kind)
    texts, emails = "sms" in reached, "email" in reached
    if not (texts or emails):
        return []  # no channel reaches them: nothing to write
    f = facts(appointment, staying)
    gettext = gettext_for(customer.locale)
    due = utcnow()
    if kind in ROUTINE:
        due = next_allowed(due)
    suffix = key_suffix or str(appointment.sequence)
    queued = []
    if texts:
        for number, body in enumerate(resident_texts(kind, f, gettext), start=1):
            queued.append(
                _add(
                    Message(
                        appointment=appointment,
                        kind=kind,
                        channel="sms",
                        recipient=customer.phone,
                        body=body,
                        next_attempt_at=due,
                        # The first text keeps the key it always had; a follow-up gets its own.
                        dedupe_key=f"{appointment.id}:{kind}:{suffix}:sms"
                        + (f":{number}" if number > 1 else ""),
                    )
                )
            )
    if emails:
        email = templates.email_for(kind, f, gettext)
        queued.append(
            _add(
                Message(
                    appointment=appointment,
                    kind=kind,
                    channel="email",
                    recipient=customer.email,
                    subject=email.subject,
                    body=email.body,
                    next_attempt_at=due,
                    dedupe_key=f"{appointment.id}:{kind}:{suffix}:email",
                )
            )
        )
    return [m for m in queued if m is not None]


def queue_customer_text(customer, kind: str, body: str, key: str) -> Message | None:
    """A text to a resident that is not about one booking (waiting-list offers): consent applies."""
    if not (customer.sms_consent and customer.preferred_channel != "none" and uk_mobile(customer.phone)):
        return None
    if consent.number_stopped(customer.phone):
        return None
    return _add(Message(kind=kind, channel="sms", recipient=customer.phone, body=body, dedupe_key=key))


def queue_webhook(appointment: Appointment, change: str) -> Message | None:
    if not settings().crm_webhook_url or change not in WEBHOOK_EVENTS:
        return None
    event = WEBHOOK_EVENTS[change]
    data = as_json(appointment)
    data["customer"] = {
        "name": appointment.customer.name,
        "phone": appointment.customer.phone,
        "email": appointment.customer.email,
    }
    return _add(
        Message(
            appointment=appointment,
            kind=event,
            channel="webhook",
            recipient=settings().crm_webhook_url,
            payload=data,
            dedupe_key=f"{appointment.id}:{event}:{appointment.sequence}",
        )
    )


def appointment_changed(appointment: Appointment, change: str, staying: str = "") -> list[Message]:
    """Called after booked / cancellation / reschedule / officer_change / completed / no_show.
    Returns what was queued for the resident (nothing when no channel reaches them). `staying`: an
    officer change of a two-officer visit where one officer stays (their first name): the message says
    one officer changes and the other still comes."""
    db.session.flush()
    resident_kind = {
        "booked": "confirmation",
        "cancellation": "cancellation",
        "reschedule": "reschedule",
        "officer_change": "officer_change",
        "completed": "satisfaction",
    }.get(change)
    if change in ("reschedule", "cancellation"):
        withdraw_superseded_letters(appointment)
    queued = queue_for_resident(appointment, resident_kind, staying=staying) if resident_kind else []
    queue_webhook(appointment, change)
    return queued


def withdraw_superseded_letters(appointment: Appointment) -> int:
    """A move or a cancellation makes the letters about this booking still waiting for a print batch
    wrong (a confirmation or an earlier move, with a time that no longer holds): they are not posted,
    or the resident gets "Thank you for booking" for a visit that is cancelled (found by the evening
    walk). A batch already gathered is left as it is: staff may be printing it. Not this change's own
    letter, should the change be written again. How many were withdrawn."""
    this_change = f"{appointment.id}:%:{appointment.sequence}:letter"
    return (
        db.session.execute(
            update(Message)
            .where(
                Message.appointment_id == appointment.id,
                Message.channel == "letter",
                Message.kind.in_(("confirmation", "reschedule")),
                Message.status == "created",
                Message.batch_day.is_(None),
                Message.dedupe_key.not_like(this_change),
            )
            .values(status="cancelled", last_error="Not posted: a later change to the booking replaced it")
        ).rowcount
        or 0
    )


# Texts to staff (officers, supervisors, the control room, a hub's staff phone): safety-critical, so a
# STOP on record for the number never holds them. Every other kind is a resident's and respects STOP.
STAFF_KINDS = frozenset({"safety_alert", "safety_check", "risk_review_due", "kiosk_help", "officer_reply"})


def queue_sms(
    kind: str, recipient: str, body: str, key: str, appointment: Appointment | None = None
) -> Message | None:
    """Any other text (an officer's safety check, a staff alert, a waitlist offer, a reply, a booking
    texted from a kiosk): sent once per key, however often the change that causes it is retried. Nothing
    is written to a number that replied STOP (None), unless the text is to staff (STAFF_KINDS)."""
    if kind not in STAFF_KINDS and consent.number_stopped(recipient):
        return None
    return _add(
        Message(
            appointment=appointment,
            kind=kind,
            channel="sms",
            recipient=recipient,
            body=body,
            dedupe_key=key[:120],
        )
    )


def queue_email(
    kind: str, recipient: str, email: templates.Email, key: str, appointment: Appointment | None = None
) -> Message | None:
    """Any other email to a resident (the notice to an address they no longer use): sent once per key."""
    return _add(
        Message(
            appointment=appointment,
            kind=kind,
            channel="email",
            recipient=recipient,
            subject=email.subject,
            body=email.body,
            dedupe_key=key[:120],
        )
    )


# Emails about a booking carry its calendar file, except these: the notice to an address the resident no
# longer uses says only that something changed (whoever reads that address now may be someone else).
WITHOUT_CALENDAR = frozenset({"contact_notice"})


def queue_reply(
    phone: str, body: str, appointment: Appointment | None, inbound_id: str, *, kind: str = "reply"
) -> Message | None:
    """Our answer to an inbound text; an officer's is kind "officer_reply" (a staff text)."""
    return queue_sms(kind, phone, body, f"reply:{inbound_id}", appointment)


def contact_centre_list() -> list[str]:
    """Who at the contact centre is emailed work for advisers (kiosk call-backs, waiting-list offers to
    phone): CONTACT_CENTRE_EMAILS, comma-separated; none means advisers get no such work."""
    return [a.strip() for a in settings().contact_centre_emails.split(",") if a.strip()]


def queue_staff_email(kind: str, recipients: list[str], subject: str, body: str, key: str) -> list[Message]:
    """An email to council staff (not a resident): one row per address, each sent once."""
    queued = [
        _add(
            Message(
                kind=kind,
                channel="email",
                recipient=address,
                subject=subject,
                body=body,
                dedupe_key=f"{kind}:{key}:{address}"[:120],
            )
        )
        for address in recipients
    ]
    return [m for m in queued if m is not None]


STILL_TO_SEND = ("created", "sending")  # the dispatcher takes these (app/messaging/dispatch.py)


def blank_sent_staff_emails(kind: str, key: str) -> int:
    """Forget what queue_staff_email(kind, ..., key) said, once it has gone (or will not go): what it told
    staff is no longer needed (a kiosk call-back's mobile, once rung). One still waiting to send keeps its
    words, or the email would go out empty. How many were blanked."""
    prefix = f"{kind}:{key}:".replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return (
        db.session.execute(
            update(Message)
            .where(
                Message.kind == kind,
                Message.dedupe_key.like(f"{prefix}%", escape="\\"),
                Message.status.not_in(STILL_TO_SEND),
                Message.body != "",
            )
            .values(body="")
        ).rowcount
        or 0
    )


def emails_waiting_for_a_server() -> int:
    """Emails queued while no mail server is set (SMTP_HOST): they wait, unsent, until one is."""
    if settings().smtp_host:
        return 0
    waiting = select(func.count(Message.id)).where(Message.channel == "email", Message.status == "created")
    return db.session.scalar(waiting) or 0


def text_parts(messages: list[Message]) -> dict[int, tuple[int, int]]:
    """A text sent as several (a long one, often in Polish or Nepali): message id -> (part, of how many),
    so staff read "part 2 of 2" rather than what looks like the same text sent twice."""
    groups: dict[str, list[Message]] = {}
    for message in messages:
        if message.channel == "sms" and message.dedupe_key:
            groups.setdefault(re.sub(r":sms:\d+$", ":sms", message.dedupe_key), []).append(message)
    return {m.id: (n, len(g)) for g in groups.values() if len(g) > 1 for n, m in enumerate(g, start=1)}


def for_appointment(appointment: Appointment) -> list[Message]:
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.appointment_id == appointment.id)
            .order_by(Message.created_at, Message.id)
        )
    )


def channels_written(appointment: Appointment, kind: str, *, this_change: bool = False) -> set[str]:
    """How the resident is sent the message of this kind about this appointment: "sms", "email",
    "letter", or nothing (what the confirmation and cancellation pages tell them). `this_change`: only
    what the appointment's latest change wrote (queue_for_resident's keys carry its sequence), not a
    message of the same kind about an earlier one (a visit moved twice) or a confirmation sent again."""
    current = f"{appointment.id}:{kind}:{appointment.sequence}:"
    return {
        m.channel
        for m in for_appointment(appointment)
        if m.kind == kind and (not this_change or (m.dedupe_key or "").startswith(current))
    }


def letter_outcome(appointment: Appointment, written: set[str]) -> str:
    """What became of the letter about a change that wrote `written` (channels_written): 'posted' (it
    waits for the print batch); 'too_late' (they read post, and the visit is too close for a letter, so
    none was written); 'no_address' (post, and no address to post to); '' (not written to by post)."""
    if "letter" in written:
        return "posted"
    if not wants_letters(appointment.customer):
        return ""
    return "no_address" if letter_in_time(appointment) else "too_late"


def confirmation_letter(appointment: Appointment) -> str:
    """What became of the confirmation letter (letter_outcome), for the resident's confirmation page."""
    return letter_outcome(appointment, channels_written(appointment, "confirmation"))
