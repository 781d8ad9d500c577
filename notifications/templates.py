"""Message wording, in plain English (GOV.UK Notify style) and, through gettext, in the resident's language.

Messages are built only from `AppointmentFacts`, which has no field for risk markers or any staff-only
note, so no such detail can reach a resident. Every SMS carries the reference and fits in two segments;
what does not fit (a link, in UCS-2 languages) follows in a second text
(tests/messaging/test_message_languages.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€")
MAX_SEGMENTS = 2
# Wording comes in through a gettext function for the resident's language (the app passes one from its
# catalogues: notifications/ has no Flask); `english` when none is given.
Gettext = Callable[[str], str]


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
    sms_when: str = ""  # a shorter `when` for texts ("Mon 7 Dec 2026, 9am to 11am"); `when` if blank
    venue: str = ""  # a hub appointment: the hub's name and address (a home visit needs none)
    hub: str = ""  # a hub appointment: the hub's name, where the resident comes to see the officer
    book_url: str = ""  # where to book online (said when an appointment is cancelled)
    # Of a two-officer visit whose other officer changed: the first name of the officer who still comes
    # (officer_first_name is the one who joins).
    officer_staying: str = ""


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


def english(text: str) -> str:
    """The wording as written: messages to residents who read English."""
    return text


def _fit(
    required: list[str], optional: list[str] = (), follow_up: list[str] = (), label: str = ""
) -> list[str]:
    """The text, and follow-ups for what did not fit, each within two segments.

    Required parts always go in the first text. Follow-up parts (where a hub is, the link) must reach
    the resident: each joins the last text while it fits, else starts a new text with `label` (the
    reference), so no text is ever without it. Optional parts (what to have ready, which the email,
    the manage page and the reminder carry in full) join the first text only while it still fits.
    English texts nearly always fit in one; Polish and Nepali ones are UCS-2 (67 characters a segment),
    so they are the ones that get a follow-up."""
    texts = [[p for p in required if p]]
    for part in [p for p in follow_up if p]:
        if sms_segments(" ".join([*texts[-1], part])) <= MAX_SEGMENTS:
            texts[-1].append(part)
        else:
            texts.append([label, part] if label else [part])
    for part in [p for p in optional if p]:
        if sms_segments(" ".join([*texts[0], part])) > MAX_SEGMENTS:
            break
        texts[0].append(part)
    return [_ascii_quotes(" ".join(parts)) for parts in texts]


def _ascii_quotes(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("–", "-")


def _values(f: AppointmentFacts) -> dict[str, str]:
    return {
        "council": f.council,
        "service": f.service,
        "when": f.sms_when or f.when,
        "reference": f.reference,
        "url": f.manage_url,
        "phone": f.phone,
        "officer": f.officer_first_name,
        "documents": "; ".join(f.documents),
        "venue": f.venue,
        "hub": f.hub,
        "book_url": f.book_url,
        "staying": f.officer_staying,
    }


def _venue(f: AppointmentFacts, _: Gettext) -> str:
    return _("At %(venue)s.") % {"venue": f.venue} if f.venue else ""


def _have_ready(f: AppointmentFacts, _: Gettext) -> str:
    return _("Have ready: %(documents)s.") % {"documents": "; ".join(f.documents)} if f.documents else ""


def confirmation_sms(f: AppointmentFacts, gettext: Gettext = english) -> list[str]:
    """What to have ready goes in only if there is room: the email, the manage page and the reminder
    carry it in full."""
    _, v = gettext, _values(f)
    return _fit(
        [
            _("%(council)s: your %(service)s appointment is booked for %(when)s.") % v,
            _("Ref %(reference)s.") % v,
        ],
        [_have_ready(f, _)] if f.manage_url else [_("Or reply CANCEL."), _have_ready(f, _)],
        [_venue(f, _), _("Change or cancel: %(url)s") % v if f.manage_url else ""],
        label=_("Ref %(reference)s.") % v,
    )


def reminder_sms(f: AppointmentFacts, morning: bool, gettext: Gettext = english) -> list[str]:
    _, v = gettext, _values(f)
    # The council is named after the service, never just before it: "Wiltshire Council Council tax..."
    opening = (
        _("Today: your %(service)s appointment with %(council)s, %(when)s.")
        if morning
        else _("Reminder: your %(service)s appointment with %(council)s, %(when)s.")
    )
    return _fit(
        [opening % v, _("Ref %(reference)s.") % v],
        [_("Reply CANCEL if you cannot make it."), _have_ready(f, _)],
        [_venue(f, _)],
        label=_("Ref %(reference)s.") % v,
    )


def cancellation_sms(f: AppointmentFacts, gettext: Gettext = english) -> list[str]:
    """How to book again, online and by phone, if it fits; else by phone only (as before)."""
    _, v = gettext, _values(f)
    cancelled = [
        _("%(council)s: your %(service)s appointment on %(when)s is cancelled. Ref %(reference)s.") % v
    ]
    online = _("To book again, go to %(book_url)s or call %(phone)s.") % v if f.book_url else ""
    texts = _fit(cancelled, [online])
    if online and online in texts[0]:
        return texts
    return _fit(cancelled, [_("To book again call %(phone)s.") % v])


def reschedule_sms(f: AppointmentFacts, gettext: Gettext = english) -> list[str]:
    _, v = gettext, _values(f)
    return _fit(
        [
            _("%(council)s: your %(service)s appointment has moved to %(when)s.") % v,
            _("Ref %(reference)s.") % v,
        ],
        follow_up=[_venue(f, _), _("Details: %(url)s") % v if f.manage_url else ""],
        label=_("Ref %(reference)s.") % v,
    )


def officer_change_sms(f: AppointmentFacts, gettext: Gettext = english) -> list[str]:
    """One officer of a two-officer visit changing, the other staying, says so: the resident expects two
    people and should not think both are new, or that only one comes."""
    _, v = gettext, _values(f)
    if f.officer_staying and f.officer_first_name:
        change = (
            _(
                "%(council)s: your %(service)s appointment on %(when)s has not moved. %(staying)s will "
                "still see you, with %(officer)s instead of the other officer."
            )
            if f.hub
            else _(
                "%(council)s: your %(service)s appointment on %(when)s has not moved. %(staying)s will "
                "still visit you, with %(officer)s instead of the other officer."
            )
        )
    elif f.hub:  # the resident comes to the hub (named where it fits: in the venue after): nobody visits
        change = (
            _(
                "%(council)s: your %(service)s appointment on %(when)s has not moved, "
                "but %(officer)s will now see you."
            )
            if f.officer_first_name
            else _(
                "%(council)s: your %(service)s appointment on %(when)s has not moved, "
                "but another officer will see you."
            )
        )
    else:
        change = (
            _(
                "%(council)s: your %(service)s appointment on %(when)s has not moved, "
                "but %(officer)s will now visit you."
            )
            if f.officer_first_name
            else _(
                "%(council)s: your %(service)s appointment on %(when)s has not moved, "
                "but another officer will visit."
            )
        )
    return _fit(
        [change % v, _("Ref %(reference)s.") % v],
        follow_up=[_venue(f, _), _("Details or change: %(url)s") % v if f.manage_url else ""],
        label=_("Ref %(reference)s.") % v,
    )


def new_link_sms(f: AppointmentFacts, gettext: Gettext = english) -> list[str]:
    """Staff sent a new link (the old one may have been shared): it must reach the resident, so it is a
    follow-up that starts its own text when it does not fit."""
    _, v = gettext, _values(f)
    return _fit(
        [
            _("%(council)s: here is a new link for your %(service)s appointment on %(when)s.") % v,
            _("Ref %(reference)s.") % v,
        ],
        [_("Older links no longer work.")],
        follow_up=[_("Change or cancel: %(url)s") % v],
        label=_("Ref %(reference)s.") % v,
    )


def contact_changed_sms(f: AppointmentFacts, gettext: Gettext = english) -> list[str]:
    """To the contact the resident gave on their booking's page: it reaches them (a mistyped number would
    not get it, and the page says to check it)."""
    _, v = gettext, _values(f)
    return _fit(
        [
            _(
                "%(council)s: we have changed your contact details for your %(service)s appointment on "
                "%(when)s."
            )
            % v,
            _("Ref %(reference)s.") % v,
        ],
        follow_up=[_("Details or change: %(url)s") % v if f.manage_url else ""],
        label=_("Ref %(reference)s.") % v,
    )


def needs_changed_sms(f: AppointmentFacts, gettext: Gettext = english) -> list[str]:
    """What the officer should know changed (access needs, interpreter): not what it says, which may be
    about someone's health, only that it changed and where to see it."""
    _, v = gettext, _values(f)
    return _fit(
        [
            _(
                "%(council)s: we have told the officer what you changed for your %(service)s appointment on "
                "%(when)s."
            )
            % v,
            _("Ref %(reference)s.") % v,
        ],
        follow_up=[_("Details or change: %(url)s") % v if f.manage_url else ""],
        label=_("Ref %(reference)s.") % v,
    )


def contact_notice_sms(f: AppointmentFacts, gettext: Gettext = english) -> list[str]:
    """To the number we used before the resident changed it, as banks do: only the reference and a
    phone number, never the link, the time or the place (a number someone gave up may be a
    stranger's now)."""
    _, v = gettext, _values(f)
    return _fit(
        [
            _(
                "%(council)s: the contact details for booking %(reference)s were changed. We will not text "
                "this number about it."
            )
            % v,
            _("Not you? Call %(phone)s.") % v,
        ]
    )


def contact_notice_email(f: AppointmentFacts, gettext: Gettext = english) -> Email:
    """The email address we used before the resident changed it: as contact_notice_sms."""
    _, v = gettext, _values(f)
    body = (
        _("The contact details for booking %(reference)s were changed on our website.") % v
        + "\n\n"
        + _("We will not email this address about that booking any more.")
        + "\n\n"
        + _("If you did not ask for this, phone us on %(phone)s, Monday to Friday, 8:30am to 5:30pm.") % v
        + f"\n\n{f.council}\n"
    )
    return Email(_("Your contact details were changed (ref %(reference)s)") % v, body)


def satisfaction_sms(f: AppointmentFacts, gettext: Gettext = english) -> list[str]:
    _, v = gettext, _values(f)
    asked = (
        _("%(council)s: how was your %(service)s appointment today? Reply 1 (very poor) to 5 (very good).")
        if f.hub  # the resident came to the hub: nobody visited them
        else _("%(council)s: how was your %(service)s visit today? Reply 1 (very poor) to 5 (very good).")
    )
    return _fit(
        [
            asked % v,
            _("Ref %(reference)s.") % v,
        ],
        [_("Anything else: %(url)s") % {"url": f.tell_us_url} if f.tell_us_url else ""],
    )


def waitlist_offer_sms(
    council: str, service: str, when: str, link: str, gettext: Gettext = english
) -> list[str]:
    _ = gettext
    values = {"council": council, "service": service, "when": when}
    return _fit(
        [
            _("%(council)s: a %(service)s appointment is free on %(when)s. The first to accept gets it.")
            % values
        ],
        follow_up=[link],
        label=_("To accept:"),
    )


def waitlist_gone_sms(council: str, gettext: Gettext = english) -> str:
    _ = gettext
    return _ascii_quotes(
        _("%(council)s: sorry, the appointment we offered has been taken. You are still on the waiting list.")
        % {"council": council}
    )


def help_reply(reference: str = "", gettext: Gettext = english, phone: str = "0300 456 0100") -> str:
    _ = gettext
    ref = (" " + _("Ref %(reference)s.") % {"reference": reference}) if reference else ""
    return _ascii_quotes(
        _("Sorry, we did not understand.%(ref)s Reply CANCEL to cancel your appointment, or call %(phone)s.")
        % {"ref": ref, "phone": phone}
    )


def told_us_reply(reference: str = "", gettext: Gettext = english) -> str:
    _ = gettext
    ref = (" " + _("Ref %(reference)s.") % {"reference": reference}) if reference else ""
    return _ascii_quotes(
        _(
            "Thank you. Your message has gone to our team, who will reply if it needs an answer.%(ref)s "
            "To cancel, reply CANCEL."
        )
        % {"ref": ref}
    )


def which_appointment_reply(references: list[str], gettext: Gettext = english) -> str:
    _ = gettext
    values = {"count": len(references), "references": ", ".join(references[:4]), "first": references[0]}
    return _fit(
        [_("You have %(count)s appointments with us: %(references)s.") % values],
        [_("To cancel one, reply CANCEL and its reference, like CANCEL %(first)s.") % values],
    )[0]


def cancel_confirmed_reply(f: AppointmentFacts, gettext: Gettext = english) -> list[str]:
    return cancellation_sms(f, gettext)


def thanks_reply(score: int, reference: str, gettext: Gettext = english) -> str:
    _ = gettext
    return _ascii_quotes(
        _("Thank you for rating your appointment %(score)s out of 5. Ref %(reference)s.")
        % {"score": score, "reference": reference}
    )


def _book_again(f: AppointmentFacts, _: Gettext) -> str:
    """After a cancellation, in an email or a letter: online and by phone."""
    if f.book_url:
        return _("To book again, go to %(book_url)s or phone us on %(phone)s.") % _values(f)
    return _("To book again, phone us on %(phone)s.") % _values(f)


def _officer_changed(f: AppointmentFacts, _: Gettext) -> str:
    """The opening of an officer change's email or letter: by place (at a hub the resident comes in);
    of a two-officer visit, who stays and who joins them."""
    if f.officer_staying and f.officer_first_name:
        values = {"staying": f.officer_staying, "officer": f.officer_first_name, "hub": f.hub}
        if f.hub:
            return (
                _(
                    "Your appointment has not moved. %(staying)s will still see you at %(hub)s, with "
                    "%(officer)s instead of the other officer."
                )
                % values
            )
        return (
            _(
                "Your appointment has not moved. %(staying)s will still visit you, with %(officer)s "
                "instead of the other officer."
            )
            % values
        )
    if f.hub:
        return _("Your appointment has not moved, but a different officer will now see you at %(hub)s.") % {
            "hub": f.hub
        }
    return _("Your appointment has not moved, but a different officer will now visit you.")


def email_for(kind: str, f: AppointmentFacts, gettext: Gettext = english) -> Email:
    """Emails say the same as the texts, with room for what to have ready."""
    _, v = gettext, _values(f)
    v["when"] = f.when
    ready = "".join(f"\n* {item}" for item in f.documents)
    details = (
        _("Reference: %(reference)s") % v
        + "\n"
        + _("Service: %(service)s") % v
        + "\n"
        + _("When: %(when)s") % v
        + "\n"
        + _("Where: %(where)s") % {"where": f.where}
        + "\n"
    )
    if f.officer_first_name and f.officer_staying:
        details += _("Officers: %(officer)s and %(staying)s") % v + "\n"
    elif f.officer_first_name:
        details += _("Officer: %(officer)s") % v + "\n"
    manage = "\n" + _("To change or cancel, use this link:") + f"\n{f.manage_url}\n" if f.manage_url else ""
    if kind == "cancellation":  # nothing left to change: how to book again instead
        manage = "\n" + _book_again(f, _) + "\n"
    if f.tell_us_url:
        manage += "\n" + _("Tell us what you think of our service:") + f"\n{f.tell_us_url}\n"
    ready_text = "\n" + _("Please have ready:") + f"{ready}\n" if ready else ""
    subjects = {
        "confirmation": _("Appointment booked: %(service)s (ref %(reference)s)"),
        "reminder_day_before": _("Reminder: %(service)s appointment tomorrow (ref %(reference)s)"),
        "reminder_morning": _("Today: %(service)s appointment (ref %(reference)s)"),
        "cancellation": _("Appointment cancelled (ref %(reference)s)"),
        "reschedule": _("Appointment moved: %(service)s (ref %(reference)s)"),
        "officer_change": _("New officer for your appointment (ref %(reference)s)"),
        "satisfaction": _("How was your appointment? (ref %(reference)s)")
        if f.hub
        else _("How was your visit? (ref %(reference)s)"),
        "new_link": _("A new link for your appointment (ref %(reference)s)"),
        "contact_changed": _("Your contact details have changed (ref %(reference)s)"),
        "needs_changed": _("What the officer should know has changed (ref %(reference)s)"),
    }
    openings = {
        "confirmation": _("Your appointment is booked."),
        "reminder_day_before": _("This is a reminder of your appointment tomorrow."),
        "reminder_morning": _("This is a reminder of your appointment today."),
        "cancellation": _("Your appointment has been cancelled."),
        "reschedule": _("Your appointment has moved to a new time."),
        "officer_change": _officer_changed(f, _),
        "satisfaction": (
            _(
                "How was your appointment at %(hub)s? Tell us how it went, from 1 (very poor) to 5 (very "
                "good), with a comment if you like:"
            )
            % v
            if f.hub
            else _(
                "How was your visit? Tell us how it went, from 1 (very poor) to 5 (very good), "
                "with a comment if you like:"
            )
        )
        + "\n"
        + (f.rating_url or _("phone us")),
        "new_link": _("Here is a new link for your appointment. Links we sent you before no longer work."),
        "contact_changed": _(
            "We have changed your contact details. We will send your reminders and any changes to you "
            "as you asked."
        ),
        "needs_changed": _(
            "We have told the officer what you changed about your access needs or an interpreter. "
            "You can see what they will read on your booking's page."
        ),
    }
    ready_text = "" if kind == "cancellation" else ready_text
    contact = f"{f.council}\n" + _("Phone %(phone)s, Monday to Friday, 8:30am to 5:30pm.") % v + "\n"
    body = f"{openings[kind]}\n\n{details}{ready_text}{manage}\n{contact}"
    return Email(subjects[kind] % v, body)


def letter_headings(gettext: Gettext = english) -> dict[str, str]:
    _ = gettext
    return {
        "confirmation": _("Your appointment is booked"),
        "cancellation": _("Your appointment has been cancelled"),
        "reschedule": _("Your appointment has moved"),
    }


LETTER_HEADINGS = letter_headings()


def letter_for(kind: str, f: AppointmentFacts, name: str, gettext: Gettext = english) -> Email:
    """A printed letter (subject: its heading), for residents with no mobile or email, or who asked
    for post, in their language. Paragraphs are separated by blank lines; the PDF keeps them."""
    _, v = gettext, _values(f)
    v["when"] = f.when
    lines = [
        _("Reference: %(reference)s") % v,
        _("Service: %(service)s") % v,
        _("When: %(when)s") % v,
        _("Where: %(where)s") % {"where": f.where},
    ]
    if f.officer_first_name and kind != "cancellation":
        lines.append(_("Officer: %(officer)s") % v)
    ready = ""
    if f.documents and kind != "cancellation":
        ready = _("Please have ready:") + "\n" + "\n".join(f"- {item}" for item in f.documents)
    what_next = (
        _book_again(f, _)
        if kind == "cancellation"
        else _(
            "If you need to change or cancel it, phone us on %(phone)s and give your reference, "
            "%(reference)s."
        )
        % v
    )
    parts = [
        _("Dear %(name)s,") % {"name": name},
        {
            "confirmation": _("Thank you for booking with us. These are the details of your appointment."),
            "cancellation": _("Your appointment has been cancelled. These were its details."),
            "reschedule": _("Your appointment has moved to a new time. These are the new details."),
            "officer_change": _officer_changed(f, _),
        }[kind],
        "\n".join(lines),
        ready,
        what_next,
        _(
            "If you need this letter in another language or format, or want to tell us what you think of "
            "our service, phone us on %(phone)s, Monday to Friday, 8:30am to 5:30pm."
        )
        % v,
        _("Yours sincerely,") + f"\n{f.council}",
    ]
    return Email(letter_headings(gettext)[kind], "\n\n".join(p for p in parts if p))
