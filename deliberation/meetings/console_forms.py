"""Forms of the chair's console. They only check what a form can (present, a number, a
known choice); whether the meeting allows it now is for `services`, which explains."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, RadioField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, \
    Optional

from app.forms import Form, MoneyField, select_id
from deliberation.forms import STANCE_LABELS

from .services import MAX_NAME

MAX_QUESTION = 500
MAX_HANDS = 10_000  # far more than any room; stops absurd numbers before the rules see them


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ItemForm(Form):
    item_id = HiddenField(filters=[select_id])


class StepForm(Form):
    delta = IntegerField(validators=[InputRequired(), AnyOf([1, -1])])


class AttendeeForm(Form):
    name = StringField(_l("Name of someone present without a phone"), filters=[_strip],
                       validators=[DataRequired(message=_l("Please write the person's name.")),
                                   Length(max=MAX_NAME)])


class SpeakerForm(Form):
    name = StringField(_l("Name"), filters=[_strip],
                       validators=[DataRequired(message=_l("Please write the person's name.")),
                                   Length(max=MAX_NAME)])
    stance = RadioField(_l("Stance"), choices=list(STANCE_LABELS.items()),
                        validators=[DataRequired(message=_l("Choose support, oppose or "
                                                            "suggestion."))])


class MotionForm(Form):
    question = StringField(_l("The question put to the vote"), filters=[_strip],
                           validators=[DataRequired(message=_l("Write the question put to "
                                                               "the vote.")),
                                       Length(max=MAX_QUESTION)])
    # A checkbox with the value "planned" (列入方案); the services refuse other moves.
    move_to = StringField(filters=[_strip], validators=[Optional(), Length(max=20)])
    cost = MoneyField(_l("Cost (yuan)"), validators=[Optional()])
    responsible = StringField(_l("Party responsible"), filters=[_strip],
                              validators=[Optional(), Length(max=100)])

    def present_ids(self, formdata, council_ids) -> set[int]:
        """The council members ticked present; anything else sent is ignored."""
        ticked = {select_id(v) for v in formdata.getlist("present")}
        return ticked & set(council_ids)


class HandsForm(Form):
    """The hands the chair counted; all three empty means "the phones' votes"."""

    votes_for = IntegerField(_l("In favour"),
                             validators=[Optional(), NumberRange(0, MAX_HANDS)])
    votes_against = IntegerField(_l("Against"),
                                 validators=[Optional(), NumberRange(0, MAX_HANDS)])
    votes_abstain = IntegerField(_l("Abstain"),
                                 validators=[Optional(), NumberRange(0, MAX_HANDS)])

    def counted(self) -> tuple[int, int, int] | None:
        values = (self.votes_for.data, self.votes_against.data, self.votes_abstain.data)
        if all(v is None for v in values):
            return None
        return tuple(v or 0 for v in values)


def first_error(form: Form) -> str:
    """One message for the whole form, for the console's alert line."""
    for field in form:
        if field.errors:
            label = field.label.text if field.label and field.label.text else ""
            message = str(field.errors[0])
            return f"{label}: {message}" if label and field.name != "csrf_token" else message
    return ""
