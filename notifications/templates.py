"""Message wording, in plain English (GOV.UK Notify style).

Messages are built only from `AppointmentFacts`, which has no field for risk markers or any staff-only
note, so no such detail can reach a resident. Every SMS carries the reference and fits in two segments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€")
MAX_SEGMENTS = 2


@dataclass(frozen=True)
class AppointmentFacts:
    reference: str  # as shown to people, e.g. 7K4M-P3QX
    service: str
    when: str  # "Monday 7 December 2026, arriving between 9am and 11am"
    where: str
    officer_first_name: str = ""
    documents: tuple[str, ...] = field(default=())
    manage_url: str = ""
    tell_us_url: str = ""
    rating_url: str = ""  # a form to rate the visit (emails; texts are answered by reply)
    council: str = "the council"
    phone: str = "0300 456 0100"
    venue: str = ""  # a hub appointment: the hub's name and address (a home visit needs none)


@dataclass(frozen=True)
class Email:
    subject: str
    body: str


def sms_segments(text: str) -> int:
    """How many SMS parts a text needs (GSM-7: 160 / 153 per part; otherwise UCS-2: 70 / 67)."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        length = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        return 1 if length <= 160 else -(-length // 153)
    length = len(text.encode("utf-16-le")) // 2
    return 1 if length <= 70 else -(-length // 67)


def _fit(*parts: str) -> str:
    """Join the parts, dropping optional ones from the end until the text fits in two segments."""
    kept = [p for p in parts if p]
    while len(kept) > 2 and sms_segments(" ".join(kept)) > MAX_SEGMENTS:
        kept.pop()
    return " ".join(kept)


def _ascii_quotes(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("–", "-")


def _at(f: AppointmentFacts) -> str:
    return f" at {f.venue}" if f.venue else ""


def _have_ready(f: AppointmentFacts) -> str:
    return f"Have ready: {'; '.join(f.documents)}." if f.documents else ""


def confirmation_sms(f: AppointmentFacts) -> str:
    """What to have ready goes last: the first part dropped when the text would need a third segment
    (the email, the manage page and the reminder carry it in full)."""
    return _ascii_quotes(
        _fit(
            f"{f.council}: your {f.service} appointment is booked for {f.when}{_at(f)}.",
            f"Ref {f.reference}.",
            f"Change or cancel: {f.manage_url}" if f.manage_url else "Or reply CANCEL.",
            _have_ready(f),
        )
    )


def reminder_sms(f: AppointmentFacts, morning: bool) -> str:
    opening = "Today" if morning else "Reminder"
    return _ascii_quotes(
        _fit(
            f"{opening}: {f.council} {f.service} appointment, {f.when}{_at(f)}.",
            f"Ref {f.reference}.",
            "Reply CANCEL if you cannot make it.",
            _have_ready(f),
        )
    )


def cancellation_sms(f: AppointmentFacts) -> str:
    return _ascii_quotes(
        _fit(
            f"{f.council}: your {f.service} appointment on {f.when} is cancelled. Ref {f.reference}.",
            f"To book again call {f.phone}.",
        )
    )


def reschedule_sms(f: AppointmentFacts) -> str:
    return _ascii_quotes(
        _fit(
            f"{f.council}: your {f.service} appointment has moved to {f.when}{_at(f)}.",
            f"Ref {f.reference}.",
            f"Details: {f.manage_url}" if f.manage_url else "",
        )
    )


def officer_change_sms(f: AppointmentFacts) -> str:
    officer = (
        f"{f.officer_first_name} will now visit you" if f.officer_first_name else "another officer will visit"
    )
    return _ascii_quotes(
        _fit(
            f"{f.council}: your {f.service} appointment on {f.when} has not moved, but {officer}.",
            f"Ref {f.reference}.",
            f"Details or change: {f.manage_url}" if f.manage_url else "",
        )
    )


def satisfaction_sms(f: AppointmentFacts) -> str:
    return _ascii_quotes(
        _fit(
            f"{f.council}: how was your {f.service} visit today? Reply 1 (very poor) to 5 (very good).",
            f"Ref {f.reference}.",
            f"Anything else: {f.tell_us_url}" if f.tell_us_url else "",
        )
    )


def help_reply(reference: str = "") -> str:
    ref = f" Ref {reference}." if reference else ""
    return (
        f"Sorry, we did not understand.{ref} Reply CANCEL to cancel your appointment, or call 0300 456 0100."
    )


def told_us_reply(reference: str = "") -> str:
    ref = f" Ref {reference}." if reference else ""
    return (
        f"Thank you. Your message has gone to our team, who will reply if it needs an answer.{ref} "
        "To cancel, reply CANCEL."
    )


def which_appointment_reply(references: list[str]) -> str:
    return _fit(
        f"You have {len(references)} appointments with us: {', '.join(references[:4])}.",
        f"To cancel one, reply CANCEL and its reference, like CANCEL {references[0]}.",
    )


def cancel_confirmed_reply(f: AppointmentFacts) -> str:
    return cancellation_sms(f)


def thanks_reply(score: int, reference: str) -> str:
    return f"Thank you for rating your visit {score} out of 5. Ref {reference}."


def email_for(kind: str, f: AppointmentFacts) -> Email:
    """Emails say the same as the texts, with room for what to have ready."""
    ready = "".join(f"\n* {item}" for item in f.documents)
    details = f"Reference: {f.reference}\nService: {f.service}\nWhen: {f.when}\nWhere: {f.where}\n"
    if f.officer_first_name:
        details += f"Officer: {f.officer_first_name}\n"
    manage = f"\nTo change or cancel, use this link:\n{f.manage_url}\n" if f.manage_url else ""
    if f.tell_us_url:
        manage += f"\nTell us what you think of our service:\n{f.tell_us_url}\n"
    ready_text = f"\nPlease have ready:{ready}\n" if ready else ""
    subjects = {
        "confirmation": f"Appointment booked: {f.service} (ref {f.reference})",
        "reminder_day_before": f"Reminder: {f.service} appointment tomorrow (ref {f.reference})",
        "reminder_morning": f"Today: {f.service} appointment (ref {f.reference})",
        "cancellation": f"Appointment cancelled (ref {f.reference})",
        "reschedule": f"Appointment moved: {f.service} (ref {f.reference})",
        "officer_change": f"New officer for your appointment (ref {f.reference})",
        "satisfaction": f"How was your visit? (ref {f.reference})",
    }
    openings = {
        "confirmation": "Your appointment is booked.",
        "reminder_day_before": "This is a reminder of your appointment tomorrow.",
        "reminder_morning": "This is a reminder of your appointment today.",
        "cancellation": "Your appointment has been cancelled.",
        "reschedule": "Your appointment has moved to a new time.",
        "officer_change": "Your appointment has not moved, but a different officer will now visit you.",
        "satisfaction": "How was your visit? Tell us how it went, from 1 (very poor) to 5 (very good), "
        "with a comment if you like:\n" + (f.rating_url or "phone us"),
    }
    ready_text = "" if kind == "cancellation" else ready_text
    contact = f"{f.council}\nPhone {f.phone}, Monday to Friday, 8:30am to 5:30pm.\n"
    body = f"{openings[kind]}\n\n{details}{ready_text}{manage}\n{contact}"
    return Email(subjects[kind], body)


LETTER_HEADINGS = {
    "confirmation": "Your appointment is booked",
    "cancellation": "Your appointment has been cancelled",
    "reschedule": "Your appointment has moved",
}


def letter_for(kind: str, f: AppointmentFacts, name: str) -> Email:
    """A printed letter (subject: its heading), for residents with no mobile or email, or who asked
    for post. Paragraphs are separated by blank lines; the PDF keeps them."""
    details = f"Reference: {f.reference}\nService: {f.service}\nWhen: {f.when}\nWhere: {f.where}"
    if f.officer_first_name and kind != "cancellation":
        details += f"\nOfficer: {f.officer_first_name}"
    ready = ""
    if f.documents and kind != "cancellation":
        ready = "Please have ready:\n" + "\n".join(f"- {item}" for item in f.documents)
    what_next = (
        f"To book again, phone us on {f.phone}."
        if kind == "cancellation"
        else f"If you need to change or cancel it, phone us on {f.phone} and give your reference, "
        f"{f.reference}."
    )
    parts = [
        f"Dear {name},",
        {
            "confirmation": "Thank you for booking with us. These are the details of your appointment.",
            "cancellation": "Your appointment has been cancelled. These were its details.",
            "reschedule": "Your appointment has moved to a new time. These are the new details.",
        }[kind],
        details,
        ready,
        what_next,
        "If you need this letter in another language or format, or want to tell us what you think of "
        f"our service, phone us on {f.phone}, Monday to Friday, 8:30am to 5:30pm.",
        f"Yours sincerely,\n{f.council}",
    ]
    return Email(LETTER_HEADINGS[kind], "\n\n".join(p for p in parts if p))
