"""Forms of the staff desk."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from ..forms import Form
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, Optional


class VerifyForm(Form):
    building_id = SelectField(_l("Building"), coerce=int, validators=[Optional()])


class OwnerForm(Form):
    unit_id = SelectField(_l("Unit owned"), coerce=int, validators=[DataRequired()])


class RoleForm(Form):
    role = HiddenField(validators=[DataRequired()])
    grant = HiddenField(validators=[DataRequired()])
