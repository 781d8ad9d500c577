"""The base of every form: WTForms' own messages in the page's language.

Flask-WTF would take them from WTForms' catalogues, which have Polish but no Nepali (and Polish with
gaps). Ours hold the ones a resident's form can show, translated into every language we offer, so a
Nepali page never shows "Not a valid choice." in English. Staff pages are in English, as before."""

from __future__ import annotations

import re

from flask_babel import get_translations
from flask_wtf import FlaskForm

# Characters that reverse or isolate the direction of the text after them (U+202A-U+202E,
# U+2066-U+2069): in a name or a note they make what an officer or agent reads differ from what was
# typed ("Trojan Source"). No resident needs them to write their name or address.
DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_direction_controls(value: object) -> object:
    return DIRECTION_CONTROLS.sub("", value) if isinstance(value, str) else value


def N_(text: str) -> str:
    """Marks text for the catalogue (gettext's convention); it is translated where it is shown."""
    return text


# WTForms' messages (its msgids, exactly) that the fields and validators our forms use can show.
WTFORMS_MESSAGES = (
    N_("This field is required."),
    N_("Invalid input."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    N_("Invalid email address."),
    N_("Not a valid date value."),
    N_("Not a valid integer value."),
    N_("Field must be between %(min)d and %(max)d characters long."),
)


class _FormMessages:
    """What WTForms asks for its messages; it fills in the values (%(min)d) itself."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class Form(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [*unbound_field.kwargs.get("filters", ()), without_direction_controls]
            return unbound_field.bind(form=form, filters=filters, **options)

        def get_translations(self, form):
            return _FormMessages()
