"""The owners'-decision blueprint: everything under /c/<slug>/owners/."""
from app.scoped import community_blueprint

bp = community_blueprint("owners", __name__, "/owners")
