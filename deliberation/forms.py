"""Forms for writing in a thread."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from app.forms import Form
from app.once import OnceField
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from .text import MAX_LENGTH

STANCE_LABELS = {"support": _l("Support"), "oppose": _l("Oppose"), "suggest": _l("Suggestion")}


class CommentForm(Form):
    stance = RadioField(_l("Your position"), choices=list(STANCE_LABELS.items()),
                        validators=[DataRequired(message=_l("Choose support, oppose or suggestion."))])
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    once = OnceField()


class ReplyForm(Form):
    body = TextAreaField(_l("Your reply"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
