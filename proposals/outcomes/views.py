"""Registers every view module of outcomes on the blueprint."""
from .blueprint import bp
from . import pages, staff_views

__all__ = ["bp", "pages", "staff_views"]
