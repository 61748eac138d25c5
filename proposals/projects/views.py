"""Registers every view module of projects on the blueprint."""
from .blueprint import bp
from . import idea_links, project_views, staff_views

__all__ = ["bp", "idea_links", "project_views", "staff_views"]
