"""Forms of the guardians' pages: a child's profile (by a guardian, or by staff from a
paper consent form), deleting it, and a child's idea.

The forms only carry the input and the CSRF token: what may be saved is decided by
`profiles` and `ideas`, whose refusals are shown next to their field.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, StringField, TextAreaField

from app.forms import Form

from .ideas import MAX_WORDS
from .models import AGE_BANDS, AVATARS
from .pictures import AVATAR_NAMES
from .profiles import MAX_PAPER_REF, NICKNAME_MAX

AGE_LABELS = {"6-8": _l("6–8 years"), "9-11": _l("9–11 years"), "12-14": _l("12–14 years")}


class ProfileForm(Form):
    nickname = StringField(_l("Nickname"), render_kw={"maxlength": NICKNAME_MAX,
                                                      "autocomplete": "off"})
    # validate_choice=False: an unknown value is refused by `profiles` with its message.
    age_band = RadioField(_l("Age group"), choices=[(a, AGE_LABELS[a]) for a in AGE_BANDS],
                          validate_choice=False)
    avatar = RadioField(_l("Animal"), choices=[(a, AVATAR_NAMES[a]) for a in AVATARS],
                        validate_choice=False)


class ChildForm(ProfileForm):
    consent = BooleanField(_l("I am this child's parent or guardian, I have read the "
                              "notice, and I agree that this profile is kept as it says."))


class StaffChildForm(ProfileForm):
    paper_ref = StringField(_l("Number of the signed consent form"),
                            render_kw={"maxlength": MAX_PAPER_REF, "autocomplete": "off"})


class DeleteChildForm(Form):
    confirm = BooleanField(_l("Yes, delete this profile"))


class ChildIdeaForm(Form):
    drawing = FileField(_l("Photo of the drawing (JPEG, PNG or WebP, at most 10 MB)"))
    category = RadioField(_l("What is the idea about?"), validate_choice=False)
    words = TextAreaField(_l("A few words (optional, typed by you)"),
                          render_kw={"maxlength": MAX_WORDS, "rows": 3})
