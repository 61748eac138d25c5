"""Forms for signing up, logging in, changing and resetting passwords."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from ..forms import Form
from wtforms import PasswordField, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from .privacy import is_reserved_name

USERNAME_PATTERN = r"^[A-Za-z0-9_]{3,40}$"
USERNAME = Regexp(USERNAME_PATTERN,
                  message=_l("3 to 40 letters, digits or underscores, e.g. wang_ayi."))
PASSWORD_LEN = Length(min=8, max=200, message=_l("At least 8 characters."))


def not_reserved(form, field) -> None:
    if is_reserved_name(field.data):
        raise ValidationError(_l("This name is kept for removed accounts; please choose "
                                 "another."))


class SignupForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), USERNAME])
    display_name = StringField(_l("Name shown to neighbours"),
                               validators=[DataRequired(), Length(max=60), not_reserved])
    community = SelectField(_l("Your neighbourhood"), coerce=str,
                            validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), PASSWORD_LEN])
    confirm = PasswordField(_l("Password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class LoginForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PasswordChangeForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), PASSWORD_LEN])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class ResetForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=40)])
    code = StringField(_l("Reset code from staff"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), PASSWORD_LEN])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])
