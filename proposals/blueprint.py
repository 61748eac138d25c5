"""The proposals blueprints: the site index, and everything under /c/<slug>/."""
from flask import Blueprint

from app.scoped import community_blueprint

site_bp = Blueprint("site", __name__)
bp = community_blueprint("proposals", __name__)
