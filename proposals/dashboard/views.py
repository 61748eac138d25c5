"""Registers every view module of the dashboard on the blueprint."""
from .blueprint import bp  # noqa: F401
from . import pages  # noqa: F401
