"""Registers every view module of notices on the blueprint."""
from .blueprint import bp  # noqa: F401
from . import idea_hooks, public_views, staff_views  # noqa: F401
