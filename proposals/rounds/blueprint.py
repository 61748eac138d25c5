"""The budget-round blueprint: everything under /c/<slug>/rounds/."""
from app.scoped import community_blueprint

bp = community_blueprint("rounds", __name__, "/rounds")
