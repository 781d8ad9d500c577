"""Forms for the resident booking journey and for managing a booking."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.i18n import _l
from app.services.contact import uk_mobile, valid_email
from app.services.places import normalise_postcode


class ServiceForm(FlaskForm):
    service = RadioField(
        _l("Which service do you need?"),
        widget=GovRadioInput(),
        validators=[InputRequired(message=_l("Select the service you need"))],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class WhereForm(FlaskForm):
    location_type = RadioField(
        _l("Where would you like the appointment?"),
        widget=GovRadioInput(),
        validators=[InputRequired(message=_l("Select where you would like the appointment"))],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class PostcodeForm(FlaskForm):
    postcode = StringField(
        _l("Postcode"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter a postcode, like SN10 1AA"))],
    )
    submit = SubmitField(_l("Find address"), widget=GovSubmitInput())

    def validate_postcode(self, field):
        if normalise_postcode(field.data) is None:
            raise ValidationError(_l("Enter a real postcode, like SN10 1AA"))


class AddressForm(FlaskForm):
    address = RadioField(
        _l("Select the address"),
        widget=GovRadioInput(),
        validators=[InputRequired(message=_l("Select the address, or say it is not listed"))],
    )
    line1 = StringField(
        _l("Building and street"), widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())

    def validate_line1(self, field):
        if self.address.data == "manual" and not (field.data or "").strip():
            raise ValidationError(_l("Enter the building and street"))


class HubForm(FlaskForm):
    hub = RadioField(
        _l("Which community hub?"),
        widget=GovRadioInput(),
        validators=[InputRequired(message=_l("Select a community hub"))],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class TimeForm(FlaskForm):
    slot = RadioField(
        _l("Choose a time"),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(message=_l("Select a time for your appointment"))],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class DetailsForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter your full name")), Length(max=160)],
    )
    phone = StringField(
        _l("UK mobile number"), widget=GovTextInput(), validators=[Optional(), Length(max=30)]
    )
    email = StringField(
        _l("Email address (optional)"), widget=GovTextInput(), validators=[Optional(), Length(max=254)]
    )
    preferred_channel = RadioField(
        _l("How should we remind you?"),
        widget=GovRadioInput(),
        choices=[("sms", _l("Text message")), ("email", _l("Email")), ("none", _l("Do not remind me"))],
        validators=[InputRequired(message=_l("Select how we should remind you"))],
    )
    access_needs = TextAreaField(
        _l("Access needs (optional)"), widget=GovTextArea(), validators=[Optional(), Length(max=1000)]
    )
    interpreter_language = StringField(
        _l("Do you need an interpreter? If so, which language? (optional)"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=60)],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())

    def validate_phone(self, field):
        if field.data and uk_mobile(field.data) is None:
            raise ValidationError(_l("Enter a UK mobile number, like 07700 900 982"))
        if self.preferred_channel.data == "sms" and not field.data:
            raise ValidationError(_l("Enter a mobile number so we can text you reminders"))

    def validate_email(self, field):
        if field.data and not valid_email(field.data):
            raise ValidationError(_l("Enter an email address in the correct format, like name@example.com"))
        if self.preferred_channel.data == "email" and not field.data:
            raise ValidationError(_l("Enter an email address so we can email you reminders"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Book appointment"), widget=GovSubmitInput())


class FindBookingForm(FlaskForm):
    reference = StringField(
        _l("Booking reference"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter your booking reference")), Length(max=20)],
    )
    surname = StringField(
        _l("Last name"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter your last name")), Length(max=80)],
    )
    postcode = StringField(
        _l("Postcode of the appointment or your home"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter the postcode"))],
    )
    submit = SubmitField(_l("Find booking"), widget=GovSubmitInput())


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Why are you cancelling? (optional)"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=500)],
    )
    submit = SubmitField(_l("Cancel appointment"), widget=GovSubmitInput())
