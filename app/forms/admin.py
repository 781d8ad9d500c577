"""Forms for the supervisor and admin screens."""

from __future__ import annotations

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
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from app.forms.base import Form as PageForm
from app.forms.fields import ClockTime, GovDateField, MaxLength, MultiCheckboxField
from app.messaging.contact import uk_mobile
from app.places.places import EXAMPLE_POSTCODE, normalise_postcode
from app.timeutil import parse_clock

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _required(what: str) -> InputRequired:
    return InputRequired(message=f"Enter {what}")


class ServiceForm(PageForm):
    name = StringField("Name", widget=GovTextInput(), validators=[_required("a name"), MaxLength(160)])
    summary = TextAreaField("Summary for residents", widget=GovTextArea(), validators=[Optional()])
    duration_minutes = IntegerField(
        "Visit length in minutes",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the visit length in minutes"),
            NumberRange(5, 480, message="Visit length must be between 5 and 480 minutes"),
        ],
    )
    places = MultiCheckboxField(
        "Where it can happen",
        choices=[
            ("home", "At the resident's home"),
            ("business", "At business premises"),
            ("hub", "At a community hub"),
        ],
    )
    premises_only = BooleanField("Council premises only (signpost, do not book)", widget=GovCheckboxInput())
    signpost = TextAreaField("Where to send residents instead", widget=GovTextArea(), validators=[Optional()])
    skill_id = SelectField("Skill an officer needs", coerce=int, widget=GovSelect())
    documents = TextAreaField(
        "What to have ready (one item per line)", widget=GovTextArea(), validators=[Optional()]
    )
    keywords = TextAreaField(
        "Other words people use for it, separated by commas (for example: skip, sofa, fridge)",
        widget=GovTextArea(),
        validators=[Optional(), MaxLength(1000)],
    )
    two_officers = BooleanField("Needs two officers", widget=GovCheckboxInput())
    exact_times = BooleanField(
        "Residents can ask for an exact time for a home or business visit", widget=GovCheckboxInput()
    )
    notice_hours = IntegerField(
        "Minimum notice in hours",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the minimum notice in hours"),
            NumberRange(0, 24 * 28, message="Minimum notice must be between 0 and 672 hours"),
        ],
    )
    horizon_days = IntegerField(
        "How far ahead people can book, in days",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter how far ahead people can book"),
            NumberRange(1, 180, message="Booking horizon must be between 1 and 180 days"),
        ],
    )
    active = BooleanField("Offered to residents", widget=GovCheckboxInput())
    submit = SubmitField("Save service", widget=GovSubmitInput())

    def validate_places(self, field):
        if not self.premises_only.data and not field.data:
            raise ValidationError("Select at least one place where the service can happen")


class OpeningForm(Form):
    opens = StringField("Opens", widget=GovTextInput(), validators=[ClockTime("the opening time")])
    closes = StringField("Closes", widget=GovTextInput(), validators=[ClockTime("the closing time")])

    def validate_closes(self, field):
        try:
            opens, closes = parse_clock(self.opens.data), parse_clock(field.data)
        except ValueError:
            return  # each field's own check says which time cannot be read
        if (opens is None) != (closes is None):
            raise ValidationError("Enter both the opening and closing time, or leave both blank")
        if opens and closes and closes <= opens:
            raise ValidationError("Closing time must be after the opening time")


class LatLngMixin:
    lat = FloatField(
        "Latitude",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the latitude, like 51.35"),
            NumberRange(49.8, 60.9, message="Latitude must be in the UK (49.8 to 60.9)"),
        ],
    )
    lng = FloatField(
        "Longitude",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the longitude, like -1.99"),
            NumberRange(-8.7, 1.8, message="Longitude must be in the UK (-8.7 to 1.8)"),
        ],
    )


class HubForm(LatLngMixin, PageForm):
    name = StringField("Name", widget=GovTextInput(), validators=[_required("a name"), MaxLength(120)])
    address_line1 = StringField("Address", widget=GovTextInput(), validators=[_required("the address")])
    town = StringField("Town", widget=GovTextInput(), validators=[_required("the town")])
    postcode = StringField("Postcode", widget=GovTextInput(), validators=[_required("the postcode")])
    has_counter = BooleanField("Has a staffed counter", widget=GovCheckboxInput())
    has_kiosk = BooleanField("Has a self-service kiosk", widget=GovCheckboxInput())
    staff_phone = StringField(
        "Staff mobile for kiosk help (optional)",
        description="Texted when someone at this hub's kiosk presses Ask for help while the hub is open. "
        "Without one, the kiosk tells them to ask at the counter or phone the contact centre.",
        widget=GovTextInput(),
        validators=[Optional(), MaxLength(30)],
    )
    active = BooleanField("Open for bookings", widget=GovCheckboxInput())
    hours = FieldList(FormField(OpeningForm), min_entries=7, max_entries=7)
    submit = SubmitField("Save hub", widget=GovSubmitInput())

    def validate_staff_phone(self, field):
        if field.data and uk_mobile(field.data) is None:
            raise ValidationError("Enter a UK mobile number, like 07700 900123, or leave it blank")


class ClosureForm(PageForm):
    first_day = GovDateField("First day closed", validators=[InputRequired(message="Enter the first day")])
    last_day = GovDateField("Last day closed", validators=[InputRequired(message="Enter the last day")])
    reason = StringField(
        "Reason (shown to residents)",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the reason, like Refurbishment"), MaxLength(200)],
    )
    submit = SubmitField("Add closure", widget=GovSubmitInput())

    def validate_last_day(self, field):
        if self.first_day.data and field.data and field.data < self.first_day.data:
            raise ValidationError("The last day must be on or after the first day")


class DayPatternForm(Form):
    starts = StringField("Starts", widget=GovTextInput(), validators=[ClockTime("the start time")])
    ends = StringField("Ends", widget=GovTextInput(), validators=[ClockTime("the end time")])
    break_starts = StringField(
        "Break starts", widget=GovTextInput(), validators=[ClockTime("the break start time")]
    )
    break_minutes = IntegerField(
        "Break minutes",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(0, 120, message="Break must be 0 to 120 minutes")],
    )

    def validate_ends(self, field):
        try:
            starts, ends = parse_clock(self.starts.data), parse_clock(field.data)
        except ValueError:
            return  # each field's own check says which time cannot be read
        if (starts is None) != (ends is None):
            raise ValidationError("Enter both the start and end time, or leave both blank for a day off")
        if starts and ends and ends <= starts:
            raise ValidationError("End time must be after the start time")

    def validate_break_starts(self, field):
        try:
            brk, starts, ends = (
                parse_clock(field.data),
                parse_clock(self.starts.data),
                parse_clock(self.ends.data),
            )
        except ValueError:
            return  # each field's own check says which time cannot be read
        if brk and starts and ends and not (starts <= brk < ends):
            raise ValidationError("The break must start during the shift")


class OfficerForm(PageForm):
    """The base is a hub or a postcode (placed from the gazetteer), never typed coordinates."""

    first_name = StringField("First name", widget=GovTextInput(), validators=[_required("a first name")])
    last_name = StringField("Last name", widget=GovTextInput(), validators=[_required("a last name")])
    phone = StringField("Work mobile", widget=GovTextInput(), validators=[Optional(), MaxLength(20)])
    base_label = StringField(
        "Name of the base the officer starts and ends at",
        widget=GovTextInput(),
        validators=[_required("the name of the base the officer starts and ends at")],
    )
    base_hub = SelectField("The base is a hub", widget=GovSelect(), validators=[Optional()])
    base_postcode = StringField(
        "Or the postcode of the base", widget=GovTextInput(), validators=[MaxLength(10)]
    )  # no Optional(): it would skip the check below that one of the two is given
    skills = MultiCheckboxField("Skills", coerce=int)
    areas = MultiCheckboxField("Community areas", coerce=int)
    languages = StringField(
        "Languages spoken besides English (optional)",
        description="Separate them with commas, like Polish, Russian. Residents who ask for an interpreter "
        "in one of them get this officer when the officer can take the visit.",
        widget=GovTextInput(),
        validators=[Optional(), MaxLength(200)],
    )
    days = FieldList(FormField(DayPatternForm), min_entries=7, max_entries=7)
    active = BooleanField("Available for visits", widget=GovCheckboxInput())
    submit = SubmitField("Save officer", widget=GovSubmitInput())

    def validate_phone(self, field):
        if field.data and uk_mobile(field.data) is None:
            raise ValidationError("Enter a UK mobile number, like 07700 900 982")

    def validate_areas(self, field):
        if not field.data:
            raise ValidationError("Select at least one community area")

    def validate_base_postcode(self, field):
        if field.data and normalise_postcode(field.data) is None:
            raise ValidationError(f"Enter a real postcode for the base, like {EXAMPLE_POSTCODE}")
        if not field.data and not self.base_hub.data and self.needs_base:
            raise ValidationError("Choose the hub the officer starts from, or enter the base's postcode")

    needs_base = True  # an officer already saved keeps their base unless another is chosen


class AbsenceForm(PageForm):
    kind = RadioField(
        "Type of absence",
        widget=GovRadioInput(),
        choices=[("leave", "Annual leave"), ("sickness", "Sickness"), ("training", "Training")],
        validators=[InputRequired(message="Select the type of absence")],
    )
    starts_on = GovDateField(
        "First day", validators=[InputRequired(message="Enter the first day of the absence")]
    )
    ends_on = GovDateField(
        "Last day", validators=[InputRequired(message="Enter the last day of the absence")]
    )
    note = StringField("Note (optional)", widget=GovTextInput(), validators=[Optional(), MaxLength(200)])
    submit = SubmitField("Add absence", widget=GovSubmitInput())

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The last day must be the same as or after the first day")
