"""Forms for "Tell us" (public) and for closing an item (staff)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from app.appointments.references import REFERENCE_ALPHABET, REFERENCE_LENGTH, clean_reference
from app.forms.fields import MaxLength


class TellUsForm(FlaskForm):
    kind = RadioField(
        "What would you like to tell us?",
        widget=GovRadioInput(),
        choices=[
            ("complaint", "A complaint: something went wrong"),
            ("compliment", "A compliment: something went well"),
            ("comment", "A comment or suggestion"),
        ],
        validators=[InputRequired(message="Select whether this is a complaint, a compliment or a comment")],
    )
    message = TextAreaField(
        "Tell us what happened",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter what you want to tell us"), MaxLength(5000)],
    )
    reference = StringField(
        "Booking reference (optional)", widget=GovTextInput(), validators=[Optional(), MaxLength(20)]
    )
    name = StringField("Your name (optional)", widget=GovTextInput(), validators=[Optional(), MaxLength(160)])
    contact = StringField(
        "Phone number or email address, if you would like a reply (optional)",
        widget=GovTextInput(),
        validators=[Optional(), MaxLength(254)],
    )
    submit = SubmitField("Send", widget=GovSubmitInput())

    def validate_reference(self, field):
        cleaned = clean_reference(field.data or "")
        if cleaned and (len(cleaned) != REFERENCE_LENGTH or not set(cleaned) <= set(REFERENCE_ALPHABET)):
            raise ValidationError("Enter the reference as it is on your text or letter, like 7K4M-P3QX")


class CloseFeedbackForm(FlaskForm):
    outcome = TextAreaField(
        "Outcome",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter the outcome: what was done or said"), MaxLength(5000)],
    )
    submit = SubmitField("Close with this outcome", widget=GovSubmitInput())
