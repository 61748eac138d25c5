"""Forms of notices: opening one (staff), objecting (residents), answering (staff), the
photo of the posted notice (staff). They read the input; the rules are in `services`."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, \
    TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, \
    StopValidation

from app.forms import Form, select_id

from .services import MAX_ANSWER, MAX_DAYS, MAX_REASON, MAX_TEXT, MAX_TITLE, MIN_DAYS


class WholeNumberField(IntegerField):
    """"seven" or "7.5" get a sentence of ours, not WTForms' English default."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Give the number of days as a whole number, e.g. 7.")) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # one message is enough


class NewNoticeForm(Form):
    candidate = HiddenField(validators=[DataRequired(message=_l("Choose what to notice."))])
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Give the notice a title.")), Length(max=MAX_TITLE)])
    text = TextAreaField(_l("Text of the notice (shown on the page and the poster)"),
                         validators=[DataRequired(message=_l(
                             "Write the text of the notice: what is decided and why.")),
                             Length(max=MAX_TEXT)])
    days = WholeNumberField(
        _l("Days the notice runs"),
        validators=[InputRequired(message=_l("Give the number of days.")),
                    NumberRange(min=MIN_DAYS, max=MAX_DAYS, message=_l(
                        "A notice runs for %(a)d to %(b)d days.", a=MIN_DAYS, b=MAX_DAYS))])


class PeriodForm(Form):
    days = WholeNumberField(
        _l("Days a notice runs here unless staff choose otherwise"),
        validators=[InputRequired(message=_l("Give the number of days.")),
                    NumberRange(min=MIN_DAYS, max=MAX_DAYS, message=_l(
                        "A notice runs for %(a)d to %(b)d days.", a=MIN_DAYS, b=MAX_DAYS))])


class ObjectionForm(Form):
    idea_id = SelectField(_l("The idea you object to"), coerce=select_id, validate_choice=False,
                          validators=[DataRequired(message=_l("Choose the idea."))])
    reason = TextAreaField(_l("Why you object (shown publicly with your name)"),
                           validators=[DataRequired(message=_l(
                               "Say why you object: staff answer it publicly.")),
                               Length(max=MAX_REASON)])


UPHELD_CHOICES = [
    ("no", _l("Not upheld: the idea stays on notice")),
    ("yes", _l("Upheld: the idea goes back to planned, with this answer as the reason")),
]


class AnswerForm(Form):
    answer = TextAreaField(_l("Public answer"), validators=[
        DataRequired(message=_l("Write the answer: it is shown publicly with the objection.")),
        Length(max=MAX_ANSWER)])
    upheld = RadioField(_l("Is the objection upheld?"), choices=UPHELD_CHOICES,
                        validators=[InputRequired(message=_l(
                            "Say whether the objection is upheld."))])


class PhotoForm(Form):
    photo = FileField(_l("Photo of the notice as posted (JPEG, PNG or WebP)"),
                      validators=[FileRequired(message=_l("Choose a photo."))])
