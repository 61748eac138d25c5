"""The notices blueprint: everything under /c/<slug>/notices/."""
from app.scoped import community_blueprint

bp = community_blueprint("notices", __name__, "/notices")
