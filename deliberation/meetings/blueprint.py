"""The meetings blueprint: everything under /c/<slug>/meetings/."""
from app.scoped import community_blueprint

bp = community_blueprint("meetings", __name__, "/meetings")
