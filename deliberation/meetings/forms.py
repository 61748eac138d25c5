"""Forms of preparing a meeting: its details and rules, its agenda, its minutes.

The forms read the input and check what needs no database beyond the choices they are
given (who may chair, who sits on the council); whether the meeting may still change
is the rule of `setup` and `services`, which name the problem.
"""
from __future__ import annotations

from datetime import timezone

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, \
    SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import Form, local_time_field, select_id as _id
from app.timeutil import utcnow

from .setup import MeetingFields

MAX_NOTE = 2000
MAX_MINUTES = 50_000


def _minute(value):
    # The form shows minutes only: a saved time with seconds comes back without them.
    return value.replace(second=0, microsecond=0) if value is not None else None


class MeetingForm(Form):
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Give the meeting a title.")), Length(max=120)])
    starts_at = local_time_field(_l("Starts"), example="2026-12-10 19:00")
    place = StringField(_l("Place"), validators=[Optional(), Length(max=120)])
    chair_id = SelectField(_l("Chair (主持人)"), coerce=_id, validate_choice=False,
                           validators=[DataRequired(message=_l("Choose who chairs the meeting."))])
    council_ids = SelectMultipleField(_l("Council members invited (议事员)"), coerce=_id,
                                      validate_choice=False)
    turn_seconds = IntegerField(
        _l("Length of a turn to speak, in seconds"), default=120,
        validators=[InputRequired(message=_l("Give the length of a turn in seconds.")),
                    NumberRange(min=30, max=1800, message=_l(
                        "A turn lasts between 30 and 1800 seconds."))])
    max_turns = IntegerField(
        _l("Turns each person may take on one item"), default=2,
        validators=[InputRequired(message=_l("Give the number of turns.")),
                    NumberRange(min=1, max=10, message=_l(
                        "Give a whole number between 1 and 10."))])
    alternate = BooleanField(_l("When both sides are waiting, alternate 支持 and 反对"),
                             default=True)
    chair_votes = BooleanField(_l("The chair votes on motions"), default=False)

    def set_choices(self, chairs, council) -> None:
        """`chairs` and `council`: (user id, name) of the members who may be chosen."""
        self.chair_id.choices = [(0, _l("— choose the chair —"))] + list(chairs)
        self.council_ids.choices = list(council)

    def validate(self, extra_validators=None, *, starts_before=None) -> bool:
        """`starts_before`: the start time already saved, which may stay in the past."""
        ok = super().validate(extra_validators)
        if self.chair_id.data and not self.chair_id.errors \
                and self.chair_id.data not in dict(self.chair_id.choices[1:]):
            self.chair_id.errors.append(_l(
                "The chair must be a verified member with the role of chair or staff."))
            ok = False
        eligible = dict(self.council_ids.choices)
        chosen = self.council_ids.data or []
        if not chosen:
            self.council_ids.errors.append(_l("Invite at least one council member."))
            ok = False
        elif any(uid not in eligible for uid in chosen):
            self.council_ids.errors.append(_l(
                "Only verified members with the role of council member or chair can be "
                "invited."))
            ok = False
        start = self.starts_at.data
        if start is not None and not self.starts_at.errors \
                and _minute(start) != _minute(starts_before) and start < utcnow():
            self.starts_at.errors.append(_l("The meeting cannot start in the past."))
            ok = False
        return ok

    def fields(self) -> MeetingFields:
        return MeetingFields(
            title=self.title.data, starts_at=self.starts_at.data.astimezone(timezone.utc),
            place=self.place.data or "", chair_id=self.chair_id.data,
            council_ids=list(self.council_ids.data), turn_seconds=self.turn_seconds.data,
            max_turns=self.max_turns.data, alternate=bool(self.alternate.data),
            chair_votes=bool(self.chair_votes.data))

    def fill(self, meeting) -> None:
        """Show a meeting's settings (the GET of the edit page)."""
        self.title.data, self.place.data = meeting.title, meeting.place
        self.starts_at.data, self.chair_id.data = meeting.starts_at, meeting.chair_id
        self.council_ids.data = [c.user_id for c in meeting.council]
        self.turn_seconds.data, self.max_turns.data = meeting.turn_seconds, meeting.max_turns
        self.alternate.data, self.chair_votes.data = meeting.alternate, meeting.chair_votes


class AgendaItemForm(Form):
    """One of three small forms on the agenda page; `kind` says which (idea, topic, free).
    Ids are read as they come: `setup.add_item` refuses what is not this community's."""

    kind = HiddenField()
    idea_id = SelectField(_l("Idea"), coerce=_id, validate_choice=False, default=0)
    thread_id = SelectField(_l("Topic"), coerce=_id, validate_choice=False, default=0)
    title = StringField(_l("Title of the item"), validators=[Optional(), Length(max=120)])
    note = TextAreaField(_l("Note for the agenda (optional)"),
                         validators=[Optional(), Length(max=MAX_NOTE)])


class MoveForm(Form):
    delta = IntegerField(validators=[InputRequired(), NumberRange(min=-1, max=1)])


class MinutesForm(Form):
    text = TextAreaField(_l("Minutes (会议纪要)"),
                         validators=[Optional(), Length(max=MAX_MINUTES, message=_l(
                             "The minutes are too long."))])
    action = StringField()
