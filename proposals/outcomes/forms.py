"""Forms of outcome pages: the text, a photo with its caption, a short comment."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import Form
from app.once import OnceField

from .services import MAX_CAPTION, MAX_COMMENT, MAX_SUMMARY, MAX_TITLE

KIND_LABELS = {"before": _l("Before"), "after": _l("After")}


class OutcomeForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    summary = TextAreaField(_l("What was done"), validators=[Optional(), Length(max=MAX_SUMMARY)])


class PhotoForm(Form):
    kind = RadioField(_l("The photo shows the place"),
                      choices=[("before", _l("before the work")), ("after", _l("after the work"))],
                      default="after",
                      validators=[DataRequired(_l("Say whether the photo shows the place "
                                                  "before or after."))])
    caption = StringField(_l("Caption (what the photo shows)"),
                          validators=[Optional(), Length(max=MAX_CAPTION)])
    photo = FileField(_l("Photo (JPEG, PNG or WebP, at most 10 MB)"))


class CommentForm(Form):
    body = TextAreaField(_l("Your comment"),
                         validators=[DataRequired(_l("Please write something first.")),
                                     Length(max=MAX_COMMENT, message=_l(
                                         "A comment here may have at most %(max)d "
                                         "characters."))])
    once = OnceField()
