"""Registers every view module of meetings on the blueprint."""
from .blueprint import bp  # noqa: F401
from . import console_views, phone_views, screen_views, staff_views  # noqa: F401
