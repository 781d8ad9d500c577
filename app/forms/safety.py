from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from app.forms.admin import WEEKDAYS
from app.forms.base import Form
from app.forms.fields import ClockTime, GovDateField, MaxLength
from app.inputs import MAX_WHOLE_NUMBER
from app.messaging.contact import uk_mobile
from app.models.safety import PRECAUTIONS, RISK_CATEGORIES, VISIT_DECISIONS
from app.places.places import EXAMPLE_POSTCODE, normalise_postcode


class RiskMarkerForm(Form):
    postcode = StringField("Postcode", widget=GovTextInput(), validators=[Optional(), MaxLength(10)])
    house = StringField(
        "House number or name", widget=GovTextInput(), validators=[Optional(), MaxLength(120)]
    )
    uprn = StringField("UPRN (optional)", widget=GovTextInput(), validators=[Optional(), MaxLength(20)])
    customer_id = IntegerField(
        "Or a customer record number",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(1, MAX_WHOLE_NUMBER, message="Enter a customer record number")],
    )
    category = RadioField(
        "Category",
        widget=GovRadioInput(),
        choices=list(RISK_CATEGORIES.items()),
        validators=[InputRequired(message="Select a category")],
    )
    precaution = RadioField(
        "Precaution",
        widget=GovRadioInput(),
        choices=list(PRECAUTIONS.items()),
        validators=[InputRequired(message="Select the precaution it imposes")],
    )
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter the reason for the marker"), MaxLength(2000)],
    )
    source_incident = StringField(
        "Source incident reference", widget=GovTextInput(), validators=[Optional(), MaxLength(120)]
    )
    review_on = GovDateField("Review date", validators=[InputRequired(message="Enter the review date")])
    submit = SubmitField("Propose marker", widget=GovSubmitInput())

    def validate_postcode(self, field):
        if field.data and normalise_postcode(field.data) is None:
            raise ValidationError(f"Enter a real postcode, like {EXAMPLE_POSTCODE}")

    def validate(self, extra_validators=None) -> bool:
        """A marker must point at someone or somewhere. Checked for the whole form, not as a field's
        validator: Optional() ends a blank field's checks before any of its own would run."""
        valid = super().validate(extra_validators)
        has_address = (self.postcode.data and self.house.data) or self.uprn.data
        if not has_address and self.customer_id.data is None and not self.customer_id.errors:
            message = "Give an address (postcode and house, or UPRN) or a customer record number"
            self.customer_id.errors = [*self.customer_id.errors, message]
            return False
        return valid


class ReviewForm(Form):
    decision = RadioField(
        "Decision",
        widget=GovRadioInput(),
        choices=[("keep", "Keep the marker"), ("remove", "Remove the marker")],
        validators=[InputRequired(message="Select whether to keep the marker")],
    )
    next_review = GovDateField(
        "Next review date", validators=[InputRequired(message="Enter the next review date")]
    )
    submit = SubmitField("Record review", widget=GovSubmitInput())


class DutyPeriodForm(Form):
    """One weekly period on the on-duty rota (choices for user_id are set by the view)."""

    user_id = SelectField("Who", widget=GovSelect(), coerce=int, validators=[InputRequired("Select who")])
    weekday = SelectField(
        "Day",
        widget=GovSelect(),
        coerce=int,
        choices=list(enumerate(WEEKDAYS)),
        validators=[InputRequired(message="Select the day")],
    )
    starts = StringField(
        "From",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the start time"), ClockTime("the start")],
    )
    ends = StringField(
        "Until", widget=GovTextInput(), validators=[InputRequired("Enter the end time"), ClockTime("the end")]
    )
    submit = SubmitField("Add to the rota", widget=GovSubmitInput())


class WorkPhoneForm(Form):
    user_id = HiddenField(validators=[InputRequired()])
    phone = StringField("Work mobile", widget=GovTextInput(), validators=[Optional(), MaxLength(30)])
    submit = SubmitField("Save work mobile", widget=GovSubmitInput())

    def validate_phone(self, field):
        if field.data and uk_mobile(field.data) is None:
            raise ValidationError("Enter a UK mobile number, like 07700 900123")


class VisitDecisionForm(Form):
    decision = RadioField(
        "What was done",
        widget=GovRadioInput(),
        choices=list(VISIT_DECISIONS.items()),
        validators=[InputRequired(message="Select what was done about this visit")],
    )
    note = StringField("Note (optional)", widget=GovTextInput(), validators=[Optional(), MaxLength(500)])
    submit = SubmitField("Record decision", widget=GovSubmitInput())
