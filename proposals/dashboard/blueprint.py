"""The dashboard blueprint: /c/<slug>/dashboard."""
from app.scoped import community_blueprint

bp = community_blueprint("dashboard", __name__, "/dashboard")
