"""Forms: hand in an idea, filter the list, move an idea to another stage."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import Form, MoneyField

from .models import CATEGORIES, FUNDING_KINDS

CATEGORY_LABELS = {
    "safety": _l("Safety"), "environment": _l("Environment"), "facilities": _l("Facilities"),
    "culture": _l("Culture"), "children": _l("Children"), "elderly": _l("Elderly care"),
    "parking": _l("Parking"), "other": _l("Other"),
}
FUNDING_LABELS = {
    "round_budget": _l("Budget round"), "subsidy": _l("Subsidy"),
    "partner": _l("Partner contribution"), "maintenance_fund": _l("Maintenance fund"),
    "residents": _l("Residents' contributions"),
}


def _no_choice():
    return [(0, _l("— none —"))]


class IdeaForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=2, max=80)])
    description = TextAreaField(_l("What is the problem, and what do you propose?"),
                                validators=[DataRequired(), Length(min=5, max=5000)])
    category = SelectField(_l("Category"), choices=[(c, CATEGORY_LABELS[c]) for c in CATEGORIES])
    building_id = SelectField(_l("Building"), coerce=int, validators=[Optional()])
    place = StringField(_l("Place (e.g. the bike shed by gate 2)"),
                        validators=[Optional(), Length(max=100)])
    estimated_cost = MoneyField(_l("Estimated cost in yuan (if you know it)"),
                                validators=[Optional()])
    changes_common_parts = BooleanField(_l("It changes the building's common parts"))
    photos = MultipleFileField(_l("Photos (up to 6; JPEG, PNG or WebP, at most 10 MB each)"))

    def set_buildings(self, community) -> None:
        self.building_id.choices = _no_choice() + [(b.id, b.name) for b in community.buildings]


class IdeaFilterForm(Form):
    """Read from the query string; never changes anything, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    stage = SelectField(_l("Stage"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    building = SelectField(_l("Building"), coerce=int, validators=[Optional()])
    page = IntegerField(validators=[Optional()])


class MoveForm(Form):
    to = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (shown on the public timeline)"),
                           validators=[Optional(), Length(max=2000)])
    merged_into = IntegerField(_l("Number of the idea it joins"), validators=[Optional()])
    amount = MoneyField(_l("Cost in yuan"), validators=[Optional()])
    responsible = StringField(_l("Party responsible (e.g. 物业, 居委会)"),
                              validators=[Optional(), Length(max=100)])
    source_1 = SelectField(_l("Funding source"), default="round_budget",
                           choices=[(k, FUNDING_LABELS[k]) for k in FUNDING_KINDS],
                           validators=[Optional()])
    source_1_amount = MoneyField(_l("Amount in yuan"), validators=[Optional()])
    source_2 = SelectField(_l("Second funding source"),
                           choices=[("", _l("— none —"))] + [(k, FUNDING_LABELS[k]) for k in FUNDING_KINDS],
                           validators=[Optional()])
    source_2_amount = MoneyField(_l("Amount in yuan"), validators=[Optional()])
