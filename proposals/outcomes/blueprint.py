"""The outcomes blueprint: the 金钥匙 pages under /c/<slug>/outcomes/."""
from app.scoped import community_blueprint

bp = community_blueprint("outcomes", __name__, "/outcomes")
