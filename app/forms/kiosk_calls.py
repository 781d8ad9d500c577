"""The forms a resident fills in at a kiosk: a phone number for a call back, or a mobile for their
booking by text."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from app.forms.base import Form
from app.forms.fields import MaxLength
from app.i18n import _l
from app.messaging.contact import uk_mobile, uk_phone


class CallBackForm(Form):
    """An adviser rings the number: a landline will do (many who need the kiosk have no mobile); nothing
    is texted to it. Numbers that charge the caller are refused (uk_phone)."""

    phone = StringField(
        _l("Your phone number"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter your phone number")), MaxLength(30)],
    )
    step = HiddenField()
    submit = SubmitField(_l("Call me back"), widget=GovSubmitInput())

    def validate_phone(self, field):
        if uk_phone(field.data) is None:
            raise ValidationError(_l("Enter a UK phone number, like 07700 900 982 or 01380 722000"))


class TextBookingForm(Form):
    """The kiosk never shows a booking's link (the next person would see it): it texts it instead."""

    phone = StringField(
        _l("Your mobile number"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter your mobile number")), MaxLength(30)],
    )
    submit = SubmitField(_l("Text me my booking"), widget=GovSubmitInput())

    def validate_phone(self, field):
        if uk_mobile(field.data) is None:
            raise ValidationError(_l("Enter a UK mobile number, like 07700 900 982"))
