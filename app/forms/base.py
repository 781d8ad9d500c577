"""The base of every form: WTForms' own messages in the page's language, and typed text kept one way: no
hidden characters, and a one-line field's spaces as app.inputs.one_line keeps them.

Flask-WTF would take them from WTForms' catalogues, which have Polish but no Nepali (and Polish with
gaps). Ours hold the ones a resident's form can show, translated into every language we offer, so a
Nepali page never shows "Not a valid choice." in English. Staff pages are in English, as before."""

from __future__ import annotations

from flask_babel import get_translations
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField

from app.forms.fields import PlainText
from app.inputs import one_line


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


def _one_line(data):
    return one_line(data) if isinstance(data, str) else data


class Form(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            """Every field a person types text into refuses what its reader could not see (PlainText),
            whichever form it is on: resident, kiosk, agent and staff pages alike; one on a single line
            also has its spaces trimmed and each run of them made one (app.inputs.one_line: "4  High
            Street" is stored, and counted by the letters allowance, as "4 High Street"). Not a password
            (never shown, typed exactly) nor a hidden field (the page's own value, checked where used)."""
            field = unbound_field.bind(form=form, **options)
            if isinstance(field, StringField) and not isinstance(field, PasswordField | HiddenField):
                multiline = isinstance(field, TextAreaField)
                field.validators = [PlainText(multiline=multiline), *field.validators]
                if not multiline:
                    field.filters = (*field.filters, _one_line)
            return field

        def get_translations(self, form):
            return _FormMessages()
