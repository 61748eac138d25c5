"""Registers every view module of outcomes on the blueprint."""
from .blueprint import bp  # noqa: F401
