from __future__ import annotations

import secrets

from flask_wtf import FlaskForm
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
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.forms.fields import GovDateField
from app.services.contact import uk_mobile, valid_email
from app.services.places import normalise_postcode


def new_submission_id() -> str:
    return secrets.token_urlsafe(16)


class NewCallerForm(FlaskForm):
    name = StringField(
        "Full name", widget=GovTextInput(), validators=[InputRequired(message="Enter the caller's name")]
    )
    phone = StringField("UK mobile", widget=GovTextInput(), validators=[Optional()])
    email = StringField("Email", widget=GovTextInput(), validators=[Optional()])
    line1 = StringField(
        "Building and street",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the building and street")],
    )
    town = StringField("Town", widget=GovTextInput(), validators=[Optional(), Length(max=80)])
    postcode = StringField(
        "Postcode", widget=GovTextInput(), validators=[InputRequired(message="Enter the postcode")]
    )
    submit = SubmitField("Save caller", widget=GovSubmitInput())

    def validate_phone(self, field):
        if field.data and uk_mobile(field.data) is None:
            raise ValidationError("Enter a UK mobile number, like 07700 900 982")

    def validate_email(self, field):
        if field.data and not valid_email(field.data):
            raise ValidationError("Enter an email address in the correct format, like name@example.com")

    def validate_postcode(self, field):
        if normalise_postcode(field.data) is None:
            raise ValidationError("Enter a real postcode, like SN10 1AA")


class BookForm(FlaskForm):
    service = SelectField(
        "Service", widget=GovSelect(), validators=[InputRequired(message="Select the service")]
    )
    place = SelectField("Where", widget=GovSelect(), validators=[InputRequired(message="Select where")])
    officer = SelectField("Officer", widget=GovSelect(), validators=[Optional()])
    show = SubmitField("Show free times", widget=GovSubmitInput())


class ConfirmBookingForm(FlaskForm):
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
        choices=[("sms", "Text message"), ("email", "Email"), ("none", "No messages")],
        validators=[InputRequired(message="Select how to confirm")],
    )
    notes = TextAreaField(
        "Notes for the officer", widget=GovTextArea(), validators=[Optional(), Length(max=1000)]
    )
    access_needs = TextAreaField(
        "Access needs", widget=GovTextArea(), validators=[Optional(), Length(max=1000)]
    )
    interpreter_language = StringField(
        "Interpreter language", widget=GovTextInput(), validators=[Optional(), Length(max=60)]
    )
    # One id per page shown: a double click sends it twice and books once (the booking engine's
    # idempotency key, as for the resident's confirm and the API).
    submission = HiddenField(default=lambda: new_submission_id(), validators=[Optional(), Length(max=64)])
    submit = SubmitField("Book", widget=GovSubmitInput())

    def validate_preferred_channel(self, field):
        if field.data == "sms" and not self.sms_consent.data:
            raise ValidationError("Ask the caller if they agree to texts, or choose another way to confirm")


class NoteForm(FlaskForm):
    text = TextAreaField(
        "Add a note",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter the note"), Length(max=2000)],
    )
    submit = SubmitField("Save note", widget=GovSubmitInput())


class WaitlistForm(FlaskForm):
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


class MoveForm(FlaskForm):
    slot = RadioField(
        "New time",
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(message="Select the new time")],
    )
    submit = SubmitField("Move appointment", widget=GovSubmitInput())
