from __future__ import annotations

import secrets

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Optional, ValidationError

from app.forms.base import Form
from app.forms.fields import GovDateField, MaxLength
from app.i18n import LANGUAGES
from app.messaging.contact import reminder_gap, uk_phone, valid_email
from app.places.places import EXAMPLE_POSTCODE, normalise_postcode


def new_submission_id() -> str:
    return secrets.token_urlsafe(16)


REMINDER_CHOICES = [
    ("sms", "Text message"),
    ("email", "Email"),
    ("post", "Letter by post"),
    ("none", "No messages"),
]
# What the caller's form says when the reminders chosen lack what they need (reminder_gap).
REMINDER_NEEDS = {
    "phone": "Texts need a UK mobile number: enter one, or choose another way to remind the caller",
    "email": "Emails need an email address: enter one, or choose another way to remind the caller",
    "address": "Letters need the home address: enter it, or choose another way to remind the caller",
}

NO_CONSENT = "Ask the caller if they agree to texts, or choose another way to remind them"


class NewCallerForm(Form):
    """A caller's details, new or changed: home address, and a business's own premises."""

    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the caller's name"), MaxLength(160)],
    )
    phone = StringField("UK phone number", widget=GovTextInput(), validators=[Optional(), MaxLength(30)])
    email = StringField("Email", widget=GovTextInput(), validators=[Optional(), MaxLength(254)])
    line1 = StringField(
        "Building and street",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the building and street"), MaxLength(200)],
    )
    town = StringField("Town", widget=GovTextInput(), validators=[Optional(), MaxLength(80)])
    postcode = StringField(
        "Postcode", widget=GovTextInput(), validators=[InputRequired(message="Enter the postcode")]
    )
    business_name = StringField(
        "Business name (if they call for a business)",
        widget=GovTextInput(),
        validators=[Optional(), MaxLength(160)],
    )
    business_type = StringField(
        "Type of business", widget=GovTextInput(), validators=[Optional(), MaxLength(60)]
    )
    premises_line1 = StringField(
        "Premises building and street", widget=GovTextInput(), validators=[Optional(), MaxLength(200)]
    )
    premises_town = StringField(
        "Premises town", widget=GovTextInput(), validators=[Optional(), MaxLength(80)]
    )
    premises_postcode = StringField("Premises postcode", widget=GovTextInput(), validators=[Optional()])
    # What every officer visiting them should know: kept on the record, and on their visits still to come.
    access_needs = TextAreaField(
        "Access needs (optional)", widget=GovTextArea(), validators=[Optional(), MaxLength(1000)]
    )
    interpreter_language = StringField(
        "Interpreter language (optional)", widget=GovTextInput(), validators=[Optional(), MaxLength(60)]
    )
    # Changing a caller's details only (a new caller chooses when the agent books): how we confirm and
    # remind, by the one contact rule (reminder_gap), and consent to texts where none is recorded.
    preferred_channel = RadioField(
        "Confirm and remind by",
        widget=GovRadioInput(),
        choices=REMINDER_CHOICES,
        validators=[Optional()],  # not sent: their reminders stay as they were (or as their details allow)
    )
    sms_consent = BooleanField(
        "The caller agrees to texts about their appointments", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save caller", widget=GovSubmitInput())

    def validate_phone(self, field):
        if field.data and uk_phone(field.data) is None:
            raise ValidationError("Enter a UK phone number, like 01380 722000 or 07700 900 982")

    def validate_email(self, field):
        if field.data and not valid_email(field.data):
            raise ValidationError("Enter an email address in the correct format, like name@example.com")

    def validate_postcode(self, field):
        if normalise_postcode(field.data) is None:
            raise ValidationError(f"Enter a real postcode, like {EXAMPLE_POSTCODE}")

    def validate_preferred_channel(self, field):
        home = bool((self.line1.data or "").strip() and (self.postcode.data or "").strip())
        gap = reminder_gap(field.data, self.phone.data, self.email.data, address=home)
        if gap:
            raise ValidationError(REMINDER_NEEDS[gap])
        if field.data == "sms" and self.sms_consent is not None and not self.sms_consent.data:
            raise ValidationError(NO_CONSENT)

    def validate_premises_line1(self, field):
        if self.premises_postcode.data and not (field.data or "").strip():
            raise ValidationError("Enter the premises building and street")

    def validate_premises_postcode(self, field):
        if field.data and normalise_postcode(field.data) is None:
            raise ValidationError(f"Enter a real premises postcode, like {EXAMPLE_POSTCODE}")
        if (self.premises_line1.data or "").strip() and not field.data:
            raise ValidationError("Enter the premises postcode")


class BookForm(Form):
    q = StringField(
        "Find a service",
        widget=GovTextInput(),
        description="The caller's own words, for example skip, buss pass or blue badge renewal",
        validators=[Optional(), MaxLength(200)],
    )
    find = SubmitField("Find", widget=GovSubmitInput())
    service = SelectField(
        "Service", widget=GovSelect(), validators=[InputRequired(message="Choose a service")]
    )
    place = SelectField("Where", widget=GovSelect(), validators=[InputRequired(message="Select where")])
    # Only officers who can do the chosen service are listed; one who cannot is refused by the page
    # with a reason (app.booking.agent.officers_to_choose), not WTForms' "Not a valid choice".
    officer = SelectField("Officer", widget=GovSelect(), validators=[Optional()], validate_choice=False)
    show = SubmitField("Show free times", widget=GovSubmitInput())


class ConfirmBookingForm(Form):
    slot = RadioField(
        "Time",
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(message="Select a time")],
    )
    sms_consent = BooleanField("The caller agrees to texts about this appointment", widget=GovCheckboxInput())
    preferred_channel = RadioField(
        "Confirm and remind by",
        widget=GovRadioInput(),
        choices=REMINDER_CHOICES,
        validators=[InputRequired(message="Select how to confirm")],
    )
    booked_at = RadioField(
        "The caller is",
        widget=GovRadioInput(),
        choices=[("phone", "On the phone"), ("counter", "At a hub counter")],
        default="phone",
        validators=[Optional()],  # not given: on the phone
    )
    notes = TextAreaField(
        "Notes for the officer", widget=GovTextArea(), validators=[Optional(), MaxLength(1000)]
    )
    access_needs = TextAreaField(
        "Access needs", widget=GovTextArea(), validators=[Optional(), MaxLength(1000)]
    )
    interpreter_language = StringField(
        "Interpreter language", widget=GovTextInput(), validators=[Optional(), MaxLength(60)]
    )
    locale = RadioField(
        "Texts, emails and letters in",
        widget=GovRadioInput(),
        choices=list(LANGUAGES.items()),
        validate_choice=False,  # anything else keeps the caller's recorded language
        validators=[Optional()],
    )
    # One id per page shown: a double click sends it twice and books once (the booking engine's
    # idempotency key, as for the resident's confirm and the API).
    submission = HiddenField(default=lambda: new_submission_id(), validators=[Optional(), MaxLength(64)])
    submit = SubmitField("Book", widget=GovSubmitInput())

    def validate_preferred_channel(self, field):
        if field.data == "sms" and not self.sms_consent.data:
            raise ValidationError("Ask the caller if they agree to texts, or choose another way to confirm")


class NoteForm(Form):
    text = TextAreaField(
        "Add a note",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter the note"), MaxLength(2000)],
    )
    submit = SubmitField("Save note", widget=GovSubmitInput())


class CallerLanguageForm(Form):
    """On the caller's page: the language of their texts, emails and letters (the resident's own
    choice on their manage page sets the same record)."""

    locale = RadioField(
        "Texts, emails and letters in",
        widget=GovRadioInput(),
        choices=list(LANGUAGES.items()),
        validate_choice=False,  # checked below, with a message that says what to do
        validators=[
            InputRequired(message="Select the language to write to the caller in"),
            AnyOf(list(LANGUAGES), message="Select the language to write to the caller in"),
        ],
    )
    submit = SubmitField("Change language", widget=GovSubmitInput())


class WaitlistForm(Form):
    service = SelectField(
        "Service", widget=GovSelect(), validators=[InputRequired(message="Select the service")]
    )
    earliest = GovDateField("Earliest date", validators=[InputRequired(message="Enter the earliest date")])
    latest = GovDateField("Latest date", validators=[InputRequired(message="Enter the latest date")])
    times = RadioField(
        "Times they can do",
        widget=GovRadioInput(),
        choices=[("any", "Any time"), ("morning", "Mornings"), ("afternoon", "Afternoons")],
        default="any",
        validators=[InputRequired(message="Select the times they can do")],
    )
    submit = SubmitField("Add to waiting list", widget=GovSubmitInput())

    def validate_latest(self, field):
        if self.earliest.data and field.data and field.data < self.earliest.data:
            raise ValidationError("The latest date must be on or after the earliest date")


class MoveForm(Form):
    slot = RadioField(
        "New time",
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(message="Select the new time")],
    )
    submit = SubmitField("Move appointment", widget=GovSubmitInput())
