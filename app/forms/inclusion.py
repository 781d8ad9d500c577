"""Forms for equality monitoring and for rating a visit."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.customers.equality import QUESTIONS
from app.forms.base import Form
from app.forms.fields import MaxLength
from app.i18n import _l

SCORES = [
    ("5", _l("5: very good")),
    ("4", _l("4: good")),
    ("3", _l("3: neither good nor poor")),
    ("2", _l("2: poor")),
    ("1", _l("1: very poor")),
]


class EqualityForm(Form):
    submit = SubmitField(_l("Send answers"), widget=GovSubmitInput())


for _question in QUESTIONS:  # one optional radio question per harmonised question
    setattr(
        EqualityForm,
        _question.field,
        RadioField(
            _question.text, widget=GovRadioInput(), choices=list(_question.choices), validators=[Optional()]
        ),
    )


class RatingForm(Form):
    score = RadioField(
        _l("How was the visit?"),
        widget=GovRadioInput(),
        choices=SCORES,
        validators=[
            InputRequired(message=_l("Select how the visit was, from 1 (very poor) to 5 (very good)"))
        ],
    )
    comment = TextAreaField(
        _l("Anything you would like to add? (optional)"),
        widget=GovTextArea(),
        validators=[Optional(), MaxLength(2000)],
    )
    submit = SubmitField(_l("Send"), widget=GovSubmitInput())


class KioskRatingForm(RatingForm):
    reference = StringField(
        _l("Your booking reference"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter your booking reference")), MaxLength(20)],
    )
