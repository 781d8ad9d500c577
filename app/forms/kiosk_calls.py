"""The one form of a kiosk call a resident fills in: a mobile number for a call back."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from app.forms.fields import MaxLength
from app.i18n import _l
from app.messaging.contact import uk_mobile


class CallBackForm(FlaskForm):
    phone = StringField(
        _l("Your mobile number"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter your mobile number")), MaxLength(30)],
    )
    step = HiddenField()
    submit = SubmitField(_l("Call me back"), widget=GovSubmitInput())

    def validate_phone(self, field):
        if uk_mobile(field.data) is None:
            raise ValidationError(_l("Enter a UK mobile number, like 07700 900 982"))
