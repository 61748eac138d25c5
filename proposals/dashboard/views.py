"""Registers every view module of the dashboard on the blueprint."""
from .blueprint import bp  # noqa: F401
