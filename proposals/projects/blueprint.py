"""The projects blueprint: /c/<slug>/projects/… and the community dashboard."""
from app.scoped import community_blueprint

bp = community_blueprint("projects", __name__)
