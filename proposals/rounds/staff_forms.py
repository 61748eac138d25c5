"""Forms of the staff's side of budget rounds: settings, ideas on the ballot, paper ballots.

Times are typed as the Asia/Shanghai wall clock (datetime-local inputs) and leave the form
as aware UTC datetimes. Rules that depend on the clock or the round's state (an opening
time in the past, a budget below an idea on the ballot) live in `setup`.
"""
from __future__ import annotations

from datetime import timezone

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, IntegerField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import MAX_ID, Form, MoneyField, local_time_field as _time_field, \
    select_id as _id

from .ballots import MAX_PAPER_REF

UNIT_LABELS = {"person": _l("One vote per person"), "household": _l("One vote per household")}
BALLOT_LABELS = {"knapsack": _l("Tick ideas up to the budget"),
                 "approval": _l("Tick at most a number of ideas")}
RULE_LABELS = {"greedy": _l("Most votes first (greedy)"),
               "equal-shares": _l("Method of Equal Shares")}


def _utc(value):
    return value.astimezone(timezone.utc) if value is not None else None


class RoundTextForm(Form):
    """What may change after voting has closed: the words."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=100)])
    description = TextAreaField(_l("Description (what the round is for, who decides)"),
                                validators=[Optional(), Length(max=5000)])

    def values(self, community=None) -> dict:
        return {"title": self.title.data, "description": self.description.data or ""}

    def fill(self, round_) -> None:
        """Show a round's settings (the GET of the edit page)."""
        self.title.data, self.description.data = round_.title, round_.description


class OpenRoundForm(RoundTextForm):
    """What may change while voting is open: the words and the closing time."""

    closes_at = _time_field(_l("Voting closes"))

    def values(self, community=None) -> dict:
        return dict(super().values(community), closes_at=_utc(self.closes_at.data))

    def fill(self, round_) -> None:
        super().fill(round_)
        self.closes_at.data = round_.closes_at


class RoundForm(OpenRoundForm):
    """Every setting of a round that has not opened yet."""

    budget = MoneyField(_l("Budget in yuan"),
                        validators=[InputRequired(message=_l("Give the budget in yuan."))])
    opens_at = _time_field(_l("Voting opens"))
    unit = SelectField(_l("Who votes"), choices=list(UNIT_LABELS.items()), default="person")
    ballot_kind = SelectField(_l("Ballot"), choices=list(BALLOT_LABELS.items()),
                              default="knapsack")
    max_choices = IntegerField(_l("At most this many ideas (for a ballot with a limit)"),
                               validators=[Optional(), NumberRange(min=1, max=1000, message=_l(
                                   "Give a whole number between 1 and 1000."))])
    rule = SelectField(_l("Counting rule"), choices=list(RULE_LABELS.items()), default="greedy")
    threshold = IntegerField(_l("Greedy threshold: an idea needs at least this many votes "
                                "(optional)"),
                             validators=[Optional(), NumberRange(min=1, max=10**7, message=_l(
                                 "Give a whole number of at least 1, or leave it empty."))])
    buildings = SelectMultipleField(_l("Buildings that vote (none ticked: the whole community)"),
                                    coerce=int)
    paper_needs_confirmation = BooleanField(
        _l("A second member of staff confirms each paper ballot before it counts"))

    def set_buildings(self, community) -> None:
        self.buildings.choices = [(b.id, b.name) for b in community.buildings]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.budget.fen is not None and not self.budget.errors:
            if self.budget.fen <= 0:
                self.budget.errors.append(_l("The budget must be more than zero."))
                ok = False
        opens, closes = self.opens_at.data, self.closes_at.data
        if opens and closes and closes <= opens and not self.closes_at.errors:
            self.closes_at.errors.append(_l("Voting must close after it opens."))
            ok = False
        if self.ballot_kind.data == "approval" and not self.max_choices.data \
                and not self.max_choices.errors:
            self.max_choices.errors.append(
                _l("Say how many ideas each voter may tick (at least 1)."))
            ok = False
        return ok

    def values(self, community=None) -> dict:
        chosen = set(self.buildings.data or ())
        return dict(super().values(community), budget_fen=self.budget.fen,
                    opens_at=_utc(self.opens_at.data), unit=self.unit.data,
                    ballot_kind=self.ballot_kind.data,
                    max_choices=self.max_choices.data if self.ballot_kind.data == "approval"
                    else None,
                    rule=self.rule.data, threshold=self.threshold.data,
                    buildings=[b for b in community.buildings if b.id in chosen],
                    paper_needs_confirmation=bool(self.paper_needs_confirmation.data))

    def fill(self, round_) -> None:
        super().fill(round_)
        self.budget.set_fen(round_.budget_fen)
        self.opens_at.data = round_.opens_at
        self.unit.data, self.ballot_kind.data = round_.unit, round_.ballot_kind
        self.max_choices.data, self.rule.data = round_.max_choices, round_.rule
        self.threshold.data = round_.threshold
        self.buildings.data = [b.id for b in round_.buildings]
        self.paper_needs_confirmation.data = round_.paper_needs_confirmation


def form_for_state(state: str):
    """The settings form a round in this state offers (None: nothing may change)."""
    return {"upcoming": RoundForm, "open": OpenRoundForm, "closed": RoundTextForm}.get(state)


class AddIdeaForm(Form):
    idea_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)])


class PaperForm(Form):
    """A paper ballot typed in by staff (代录入). Whose it is and what it says are checked
    by the ballot rules, which name the problem; the form only reads the input."""

    voter = SelectField(_l("Whose ballot"), coerce=_id, validate_choice=False,
                        validators=[DataRequired(message=_l("Choose whose ballot this is."))])
    entry_ids = SelectMultipleField(_l("Ideas ticked on the paper"), coerce=int,
                                    validate_choice=False)
    paper_ref = StringField(_l("Number printed on the paper ballot"),
                            validators=[DataRequired(message=_l(
                                "Give the number printed on the paper ballot.")),
                                Length(max=MAX_PAPER_REF)])


class VoterFilterForm(Form):
    """The filter above the list of voters; read from the query string."""

    class Meta:
        csrf = False

    q = StringField(_l("Find by name, account or flat"), validators=[Optional(), Length(max=60)])
