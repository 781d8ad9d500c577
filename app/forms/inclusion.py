"""Forms for equality monitoring and for rating a visit."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.customers.equality import QUESTIONS
from app.forms.fields import MaxLength

SCORES = [
    ("5", "5: very good"),
    ("4", "4: good"),
    ("3", "3: neither good nor poor"),
    ("2", "2: poor"),
    ("1", "1: very poor"),
]


class EqualityForm(FlaskForm):
    submit = SubmitField("Send answers", widget=GovSubmitInput())


for _question in QUESTIONS:  # one optional radio question per harmonised question
    setattr(
        EqualityForm,
        _question.field,
        RadioField(
            _question.text, widget=GovRadioInput(), choices=list(_question.choices), validators=[Optional()]
        ),
    )


class RatingForm(FlaskForm):
    score = RadioField(
        "How was the visit?",
        widget=GovRadioInput(),
        choices=SCORES,
        validators=[InputRequired(message="Select how the visit was, from 1 (very poor) to 5 (very good)")],
    )
    comment = TextAreaField(
        "Anything you would like to add? (optional)",
        widget=GovTextArea(),
        validators=[Optional(), MaxLength(2000)],
    )
    submit = SubmitField("Send", widget=GovSubmitInput())


class KioskRatingForm(RatingForm):
    reference = StringField(
        "Your booking reference",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your booking reference"), MaxLength(20)],
    )
