"""The children's blueprint: everything under /c/<slug>/kids/."""
from app.scoped import community_blueprint

bp = community_blueprint("kids", __name__, "/kids")
