"""Registers every view module of owners' decisions on the blueprint."""
from .blueprint import bp  # noqa: F401
from . import decision_views, staff_views  # noqa: F401
