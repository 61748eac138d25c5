"""Forms of the staff's side of owners' decisions: opening one, typing in a signature
sheet (代录入), resolving a conflict, linking an account to an owner of the register.

The forms only read the input; whether a sheet may still be entered, whose it may be
and what a conflict may be resolved to are the rules of `decisions`, which name the
problem. Times are the Asia/Shanghai wall clock and leave the form as aware UTC.
"""
from __future__ import annotations

from datetime import timezone

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, \
    TextAreaField
from wtforms.fields import DateField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.forms import Form, local_time_field, select_id as _id, sensible_year
from app.timeutil import utcnow

from .decisions import MAX_NOTE, MAX_SHEET_REF, MAX_TITLE
from .meters import CHOICE_LABELS, line_words, matter_label
from .rule import MATTERS

MAX_TEXT = 20_000


def matter_choices() -> list[tuple[str, str]]:
    """The nine matters, each with the line it needs to pass (after a 2/3 quorum)."""
    return [("", _l("— choose the matter —"))] + [
        (m, f"{matter_label(m)} — {line_words(m)}") for m in MATTERS]


class NewDecisionForm(Form):
    matter = SelectField(_l("What the owners decide"), choices=matter_choices,
                         validators=[DataRequired(message=_l("Choose the matter."))])
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Give the decision a title.")), Length(max=MAX_TITLE)])
    text = TextAreaField(_l("What is put to the owners"),
                         validators=[Optional(), Length(max=MAX_TEXT)])
    buildings = SelectMultipleField(
        _l("Buildings in scope (none ticked: the whole community)"), coerce=int)
    closes_at = local_time_field(_l("Voting closes"), example="2026-09-01 20:00")
    idea_id = SelectField(_l("The idea it belongs to (optional)"), coerce=_id, default=0)

    def set_choices(self, community, planned_ideas) -> None:
        self.buildings.choices = [(b.id, b.name) for b in community.buildings]
        self.idea_id.choices = [(0, _l("— no idea —"))] + [
            (i.id, i.title) for i in planned_ideas]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.closes_at.data is not None and not self.closes_at.errors \
                and self.closes_at.data <= utcnow():
            self.closes_at.errors.append(_l("The closing time has already passed."))
            ok = False
        return ok

    @property
    def closes_utc(self):
        return self.closes_at.data.astimezone(timezone.utc)


class SheetForm(Form):
    """One owner's signature sheet, typed in as signed."""

    owner = SelectField(_l("Whose sheet"), coerce=_id, validate_choice=False,
                        validators=[DataRequired(message=_l("Choose whose sheet this is."))])
    choice = RadioField(_l("What the owner chose"), choices=list(CHOICE_LABELS.items()),
                        validators=[InputRequired(message=_l("Choose what the sheet says."))])
    sheet_ref = StringField(_l("Reference of the sheet"), validators=[
        DataRequired(message=_l("Give the reference of the signature sheet.")),
        Length(max=MAX_SHEET_REF)])
    signed_on = DateField(_l("Date on the sheet"), validators=[Optional(), sensible_year],
                          render_kw={"max": "2100-12-31"})
    scan = FileField(_l("Scan or photo of the sheet (optional)"))


class ResolveForm(Form):
    """Which of an owner's two recorded choices stands, and how staff learnt it."""

    choice = RadioField(_l("The choice that stands"), choices=list(CHOICE_LABELS.items()),
                        validators=[InputRequired(message=_l(
                            "Choose one of the two choices the owner recorded."))])
    note = TextAreaField(_l("How it was resolved"), validators=[
        DataRequired(message=_l("Say how the conflict was resolved.")),
        Length(max=MAX_NOTE)])


class LinkForm(Form):
    """Link a verified member's account to an owner of the register, or unlink it."""

    action = HiddenField(default="link")
    owner_id = SelectField(_l("Owner in the register"), coerce=_id, validate_choice=False,
                           validators=[DataRequired(message=_l("Choose the owner."))])
    user = SelectField(_l("Verified member's account"), coerce=_id, validate_choice=False)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.action.data not in ("link", "unlink"):
            self.action.errors = [_l("Link or unlink, nothing else.")]
            ok = False
        # A form without the field at all leaves its data None (no coercion ran).
        elif self.action.data == "link" and (self.user.data or 0) <= 0 and not self.user.errors:
            self.user.errors = list(self.user.errors) + [
                _l("Choose the member whose account votes for this owner.")]
            ok = False
        return ok

