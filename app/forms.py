"""Shared form pieces: money in yuan (stored as fen) and the empty form for buttons."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from zoneinfo import ZoneInfo

from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, ValidationError
from wtforms.fields import DateTimeLocalField
from wtforms.validators import InputRequired

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL: larger ones match nothing
TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
MAX_FEN = 10**13  # 100 billion yuan: far above any neighbourhood budget
_MONEY = re.compile(r"^\d+(\.\d{1,2})?$")


def parse_yuan(text: str) -> int:
    """'1,234.5' → 123450 fen. Raises ValueError for anything else."""
    cleaned = (text or "").strip().replace(",", "").replace("，", "").lstrip("¥￥").strip()
    if cleaned.endswith("元"):
        cleaned = cleaned[:-1].strip()
    if not _MONEY.match(cleaned):
        raise ValueError(cleaned)
    try:
        fen = int(Decimal(cleaned) * 100)
    except InvalidOperation as exc:
        raise ValueError(cleaned) from exc
    if fen > MAX_FEN:
        raise ValueError(cleaned)
    return fen


class MoneyField(StringField):
    """Yuan with up to two decimals in the form; integer fen in `.fen`. Never a float."""

    fen: int | None = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.fen = None
        if self.data and self.data.strip():
            try:
                self.fen = parse_yuan(self.data)
            except ValueError:
                self.fen = None
                raise ValueError(_l("Enter an amount in yuan, with at most two decimals, "
                                    "e.g. 12800 or 12800.50."))

    def set_fen(self, fen: int | None) -> None:
        self.fen = fen
        self.data = "" if fen is None else f"{fen // 100}.{fen % 100:02d}"


def strip_nul(value):
    """PostgreSQL cannot store NUL characters, and nobody types them: drop them."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def refuse_nameless_fields():
    """A multipart part whose name cannot be read (a raw line break in it, which no
    browser sends) has the name None, on which Flask-WTF's token lookup fails: 400."""
    if request.method == "POST" and None in request.form:
        abort(400)


class Form(FlaskForm):
    """Base of every form here: text fields lose NUL characters before validation."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", ())) + [strip_nul]
            return unbound_field.bind(form=form, filters=filters, **options)


class ButtonForm(Form):
    """A form with only a CSRF token, for buttons that change something."""


def select_id(value) -> int:
    """A select's value as an id; the empty placeholder is 0 (then "required" speaks),
    anything else that is not an id is -1 (matches no row)."""
    try:
        number = int(value) if value not in (None, "") else 0
    except (TypeError, ValueError):
        return -1
    return number if 0 <= number <= MAX_ID else -1


def sensible_year(form, field):
    # Year 1 or 9999 parse, but cannot be turned into UTC or mean anything here.
    if field.data is not None and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_l("Give a date between the years 2000 and 2100."))


def local_time_field(label, example: str = "2026-09-01 09:00"):
    """A date and time typed in Beijing time (datetime-local), required."""
    return DateTimeLocalField(
        label, tz=SHANGHAI, format=TIME_FORMATS,
        validators=[InputRequired(message=_l("Give a date and a time.")), sensible_year],
        invalid_value_message=_l("Give a date and a time, e.g. %(example)s.",
                                 example=example))
