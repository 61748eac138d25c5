"""Registers every view module of budget rounds on the blueprint."""
from .blueprint import bp  # noqa: F401
from . import ballot_views, results_views, round_views, staff_views  # noqa: F401
