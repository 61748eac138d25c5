"""Forms of the staff's side of a project. They only read the input; the rules (money
above plan, photos per milestone, what may be reversed) are in the services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import DateField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import Form, MoneyField, sensible_year
from proposals.models import FUNDING_KINDS

from .labels import FUNDING_LABELS, MILESTONE_LABELS, RESPONSIBLE_LABELS
from .models import MILESTONE_STATUSES, RESPONSIBLE_KINDS

_DATE_MESSAGE = _l("Give a date, e.g. 2026-09-01.")


def _date(label):
    return DateField(label, validators=[InputRequired(message=_DATE_MESSAGE), sensible_year],
                     invalid_value_message=_DATE_MESSAGE, render_kw={"min": "2000-01-01", "max": "2100-12-31"})


def _money(label):
    return MoneyField(label, validators=[DataRequired(message=_l("Give the amount in yuan."))])


def _funding_choices():
    return [(k, FUNDING_LABELS[k]) for k in FUNDING_KINDS]


def _status_choices():
    return [(s, MILESTONE_LABELS[s]) for s in MILESTONE_STATUSES]


class ProjectForm(Form):
    responsible_kind = SelectField(_l("Who is responsible"),
                                   choices=[(k, RESPONSIBLE_LABELS[k]) for k in RESPONSIBLE_KINDS])
    responsible_name = StringField(_l("Name of the party responsible"), validators=[
        DataRequired(message=_l("Name the party responsible for the work.")),
        Length(max=100)])
    progress = IntegerField(_l("Progress in percent"), validators=[
        InputRequired(message=_l("Give the progress as a number from 0 to 100.")),
        NumberRange(min=0, max=100, message=_l("Progress is a percentage from 0 to 100."))],
        render_kw={"min": 0, "max": 100, "inputmode": "numeric"})


class PartnerForm(Form):
    name = StringField(_l("Partner (共建单位)"), validators=[
        DataRequired(message=_l("Give the partner's name.")), Length(max=100)])
    contribution = StringField(_l("What they contributed (e.g. 8 free parking spaces)"),
                               validators=[Optional(), Length(max=200)])


class FundingForm(Form):
    kind = SelectField(_l("Funding source"), choices=_funding_choices)
    amount = _money(_l("Planned amount in yuan"))
    note = StringField(_l("Note (e.g. the lift subsidy of 30 per cent)"),
                       validators=[Optional(), Length(max=200)])


class MilestoneForm(Form):
    due_on = _date(_l("Date"))
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Give the milestone a title.")), Length(max=100)])
    text = TextAreaField(_l("What happened or will happen"),
                         validators=[Optional(), Length(max=5000)])
    status = SelectField(_l("Status"), choices=_status_choices, default="planned")
    photos = MultipleFileField(_l("Photos (up to 6; JPEG, PNG or WebP)"))
    remove = SelectMultipleField(_l("Remove these photos"), coerce=int, validate_choice=False)


class StatusForm(Form):
    status = SelectField(_l("Status"), choices=_status_choices)


class SpendingForm(Form):
    spent_on = _date(_l("Date of payment"))
    amount = _money(_l("Amount in yuan"))
    payee = StringField(_l("Paid to"), validators=[
        DataRequired(message=_l("Name who was paid.")), Length(max=100)])
    purpose = StringField(_l("What for"), validators=[
        DataRequired(message=_l("Say what the payment was for.")), Length(max=200)])
    source_kind = SelectField(_l("Drawn on"), choices=_funding_choices)
    receipt = FileField(_l("Receipt photo (optional)"))
    overspend_reason = TextAreaField(
        _l("Explanation, if this takes spending above plan (shown publicly)"),
        validators=[Optional(), Length(max=2000)])


class ReverseForm(Form):
    reason = StringField(_l("Why it is reversed (shown publicly)"), validators=[
        DataRequired(message=_l("Say why this entry is reversed.")), Length(max=200)])


class StartForm(Form):
    reason = TextAreaField(_l("Reason (shown on the public timeline)"), validators=[
        DataRequired(message=_l("Please give a reason: it is shown on the public timeline.")),
        Length(max=2000)])
