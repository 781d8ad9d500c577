"""Forms for the resident booking journey and for managing a booking."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Optional, ValidationError

from app.forms.base import Form
from app.forms.fields import MaxLength
from app.i18n import LANGUAGES, _l
from app.messaging.contact import foreign_phone, reminder_gap, uk_mobile, uk_phone, valid_email
from app.places.places import EXAMPLE_POSTCODE, address_words, normalise_postcode, postcode_prefix


class ServiceForm(Form):
    service = RadioField(
        _l("Which service do you need?"),
        widget=GovRadioInput(),
        validators=[InputRequired(message=_l("Select the service you need"))],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class WhereForm(Form):
    location_type = RadioField(
        _l("Where would you like the appointment?"),
        widget=GovRadioInput(),
        validators=[InputRequired(message=_l("Select where you would like the appointment"))],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class PostcodeForm(Form):
    postcode = StringField(
        _l("Postcode"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter a postcode, like %(example)s", example=EXAMPLE_POSTCODE))
        ],
    )
    submit = SubmitField(_l("Find address"), widget=GovSubmitInput())

    def validate_postcode(self, field):
        if normalise_postcode(field.data) is not None:
            return
        if postcode_prefix(field.data) is not None:  # 'SN10' or 'SN10 1': the start of one, not a slip
            raise ValidationError(
                _l("Enter your full postcode, for example %(example)s", example=EXAMPLE_POSTCODE)
            )
        raise ValidationError(_l("Enter a real postcode, like %(example)s", example=EXAMPLE_POSTCODE))


class AddressForm(Form):
    address = RadioField(
        _l("Select the address"),
        widget=GovRadioInput(),
        validators=[InputRequired(message=_l("Select the address, or say it is not listed"))],
    )
    line1 = StringField(
        # No Optional(): it would stop validate_line1 below when "not listed" is chosen with it blank.
        _l("Building and street"),
        widget=GovTextInput(),
        validators=[MaxLength(200)],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())
    listed: dict[str, str] = {}  # the route sets it: each listed address's value -> its label

    def validate(self, extra_validators=None) -> bool:
        """Without JavaScript the building-and-street box is always on the page (a conditional reveal):
        someone who types their address there without ticking "My address is not listed" meant it."""
        if not self.address.data and (self.line1.data or "").strip():
            self.address.data, self.address.raw_data = "manual", ["manual"]
        return super().validate(extra_validators)

    def validate_address(self, field):
        """An address chosen from the list and something typed that the listed one does not say ("Flat 2"
        before "12 High Street", or another number): we cannot tell which is right, and taking the listed
        one would lose the flat. The same address typed however it is abbreviated is no contradiction."""
        typed = (self.line1.data or "").strip()
        listed = self.listed.get(field.data or "")
        if listed is not None and typed and not set(address_words(typed)) <= set(address_words(listed)):
            raise ValidationError(
                _l("Choose “My address is not listed” to use the address you typed, or delete what you typed")
            )

    def validate_line1(self, field):
        if self.address.data == "manual" and not (field.data or "").strip():
            raise ValidationError(_l("Enter the building and street"))


class HubForm(Form):
    hub = RadioField(
        _l("Which community hub?"),
        widget=GovRadioInput(),
        validators=[InputRequired(message=_l("Select a community hub"))],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class TimeForm(Form):
    slot = RadioField(
        _l("Choose a time"),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(message=_l("Select a time for your appointment"))],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class DetailsForm(Form):
    name = StringField(
        _l("Full name"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter your full name")), MaxLength(160)],
    )
    # In the order the page shows them, so the error summary lists problems in that order too.
    business_name = StringField(
        _l("Name of the business"), widget=GovTextInput(), validators=[MaxLength(160)]
    )
    business_type = StringField(
        _l("Type of business (optional)"), widget=GovTextInput(), validators=[Optional(), MaxLength(60)]
    )
    # No Optional() on phone or email: it would stop the checks below, which depend on the reminder.
    phone = StringField(_l("UK phone number"), widget=GovTextInput(), validators=[MaxLength(30)])
    email = StringField(_l("Email address (optional)"), widget=GovTextInput(), validators=[MaxLength(254)])
    preferred_channel = RadioField(
        _l("How should we remind you?"),
        widget=GovRadioInput(),
        choices=[("sms", _l("Text message")), ("email", _l("Email")), ("none", _l("Do not remind me"))],
        validators=[InputRequired(message=_l("Select how we should remind you"))],
    )
    access_needs = TextAreaField(
        _l("Access needs (optional)"), widget=GovTextArea(), validators=[Optional(), MaxLength(1000)]
    )
    interpreter_language = StringField(
        _l("Do you need an interpreter? If so, which language? (optional)"),
        widget=GovTextInput(),
        validators=[Optional(), MaxLength(60)],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())
    for_business = False  # a visit to business premises: the business's name is asked for

    def validate_business_name(self, field):
        if self.for_business and not (field.data or "").strip():
            raise ValidationError(_l("Enter the name of the business"))

    def validate_phone(self, field):
        """A number we can call (a landline will do); a mobile when the reminders are texts."""
        number = (field.data or "").strip()
        if number and foreign_phone(number):
            raise ValidationError(
                _l(
                    "We can only text UK mobile numbers. Leave this empty and choose to be reminded by "
                    "email, or enter a UK number"
                )
            )
        if number and uk_phone(number) is None:
            raise ValidationError(_l("Enter a UK phone number, like 01380 722000 or 07700 900 982"))
        if reminder_gap(self.preferred_channel.data, number, "") == "phone":
            if not number:
                raise ValidationError(_l("Enter a mobile number so we can text you reminders"))
            raise ValidationError(
                _l("Enter a mobile number for text reminders, or choose another way to be reminded")
            )
        if not number and self.preferred_channel.data not in ("email", "post"):  # those reach them
            raise ValidationError(_l("Enter a phone number so we can contact you about your appointment"))

    def validate_email(self, field):
        if field.data and not valid_email(field.data):
            raise ValidationError(_l("Enter an email address in the correct format, like name@example.com"))
        if reminder_gap(self.preferred_channel.data, "", field.data) == "email":
            raise ValidationError(_l("Enter an email address so we can email you reminders"))


def reminder_choices(location_type: str) -> list[tuple[str, str]]:
    """How we may remind them: by letter only where the visit has a postal address (not at a hub)."""
    letters = [] if location_type == "hub" else [("post", _l("By letter to this address"))]
    return [("sms", _l("Text message")), ("email", _l("Email")), *letters, ("none", _l("Do not remind me"))]


class ContactForm(DetailsForm):
    """On the booking's page: the journey's contact questions, with its rules (DetailsForm's checks of
    the phone and email against the reminder chosen), and nothing else."""

    name = business_name = business_type = access_needs = interpreter_language = None
    submit = SubmitField(_l("Save changes"), widget=GovSubmitInput())


class NeedsForm(DetailsForm):
    """On the booking's page: the journey's questions about what the officer should know."""

    name = business_name = business_type = phone = email = preferred_channel = None
    submit = SubmitField(_l("Save changes"), widget=GovSubmitInput())


class WaitlistForm(Form):
    name = StringField(
        _l("Full name"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter your full name")), MaxLength(160)],
    )
    contact = RadioField(
        _l("How should we tell you when a time comes free?"),
        widget=GovRadioInput(),
        choices=[("text", _l("Text me a link (mobile phones only)")), ("phone", _l("Phone me"))],
        default="text",
        validate_choice=False,  # checked below: no answer means a text (the page without phone calls)
        validators=[Optional()],
    )
    phone = StringField(
        _l("UK phone number"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter a phone number so we can reach you")), MaxLength(30)],
    )
    times = RadioField(
        _l("When can you have the appointment?"),
        widget=GovRadioInput(),
        choices=[("any", _l("Any time")), ("morning", _l("Mornings")), ("afternoon", _l("Afternoons"))],
        default="any",
        validators=[InputRequired(message=_l("Select when you can have the appointment"))],
    )
    submit = SubmitField(_l("Join the waiting list"), widget=GovSubmitInput())

    def validate_contact(self, field):
        if field.data not in dict(field.choices):
            raise ValidationError(_l("Select how we should tell you"))

    def validate_phone(self, field):
        if self.contact.data == "phone":
            if uk_phone(field.data) is None:
                raise ValidationError(_l("Enter a UK phone number, like 01632 960 001 or 07700 900 982"))
        elif uk_mobile(field.data) is None:
            raise ValidationError(
                _l("Enter a UK mobile number, like 07700 900 982, or choose to be phoned instead")
            )


class ConfirmForm(Form):
    submit = SubmitField(_l("Book appointment"), widget=GovSubmitInput())


class FindBookingForm(Form):
    reference = StringField(
        _l("Booking reference"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter your booking reference")), MaxLength(20)],
    )
    surname = StringField(
        _l("Last name"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter your last name")), MaxLength(80)],
    )
    postcode = StringField(
        _l("Postcode of the appointment or your home"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter the postcode"))],
    )
    submit = SubmitField(_l("Find booking"), widget=GovSubmitInput())


CANCEL_REASON_LIMIT = 500  # characters: the page says so (app.web.wording.character_count)


class CancelForm(Form):
    reason = TextAreaField(
        _l("Why are you cancelling? (optional)"),
        widget=GovCharacterCount(),
        validators=[Optional(), MaxLength(CANCEL_REASON_LIMIT)],
    )
    submit = SubmitField(_l("Cancel appointment"), widget=GovSubmitInput())


class MessageLanguageForm(Form):
    """On the booking's page: the language of the resident's texts, emails and letters. Each language
    is named in itself, so someone who reads only that one finds it."""

    locale = RadioField(
        _l("Which language should we write to you in?"),
        widget=GovRadioInput(),
        choices=list(LANGUAGES.items()),
        validate_choice=False,  # checked below, with a message that says what to do
        validators=[
            InputRequired(message=_l("Select the language we should write to you in")),
            AnyOf(list(LANGUAGES), message=_l("Select the language we should write to you in")),
        ],
    )
    submit = SubmitField(_l("Change language"), widget=GovSubmitInput())
