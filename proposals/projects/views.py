"""Registers every view module of projects on the blueprint."""
from .blueprint import bp  # noqa: F401
