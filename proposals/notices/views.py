"""Registers every view module of notices on the blueprint."""
from .blueprint import bp  # noqa: F401
