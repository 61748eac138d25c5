"""Forms of the staff's set-up of a children's part: its settings, a picture card, a clip.

The forms only read the input; what is allowed (picks 1 to 3, a budget within the
round's, a label of at most 16 characters) is decided by `parts`, whose refusals are
shown next to the field they concern.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import IntegerField, RadioField, StringField
from wtforms.validators import InputRequired, Optional

from app.forms import Form, MoneyField

from .models import MAX_PICKS
from .parts import LABEL_MAX
from .pictures import PICTURES

UPLOADED = "upload"  # the radio value that keeps the card's uploaded drawing or photo


class PartForm(Form):
    picks = IntegerField(_l("How many pictures each child picks"), default=1,
                         render_kw={"min": 1, "max": MAX_PICKS},
                         validators=[InputRequired(message=_l(
                             "Give a whole number from 1 to 3."))])
    budget = MoneyField(_l("A budget of its own for the children's favourite, in yuan "
                           "(optional)"), validators=[Optional()])

    def fill(self, part) -> None:
        self.picks.data = part.picks
        self.budget.set_fen(part.budget_fen)


class CardForm(Form):
    picture = RadioField(_l("Picture"), validate_choice=False)
    drawing = FileField(_l("Or upload a drawing or a photo (JPEG, PNG or WebP)"))
    label = StringField(_l("Label (said aloud when a child taps the card)"),
                        render_kw={"maxlength": LABEL_MAX})

    def set_choices(self, card) -> None:
        choices = [(p.key, p.name) for p in PICTURES]
        if card is not None and card.picture_kind == "upload":
            choices.insert(0, (UPLOADED, _l("The uploaded drawing or photo")))
        self.picture.choices = choices

    def fill(self, card) -> None:
        self.picture.data = UPLOADED if card.picture_kind == "upload" else card.picture
        self.label.data = card.label


class ClipForm(Form):
    clip = FileField(_l("A sound file of the label said aloud"))
