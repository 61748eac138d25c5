"""Registers every view module of the children's part on the blueprint."""
from .blueprint import bp  # noqa: F401
from . import ballot_views, guardian_views, kiosk_views, results_views, staff_views  # noqa: F401
from . import demo_kids  # noqa: F401  (joins seed-demo's story through proposals.demo.demo_story)
