"""Extensions created unbound here and bound to the app in create_app."""
from flask import current_app
from flask_babel import Babel
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep migrations readable and let SQLite batch mode alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
htmx = HTMX()
# A moving window: "5 per minute" means at most 5 in any 60 seconds, not 10 across the
# turn of a minute as fixed windows allow.
limiter = Limiter(key_func=get_remote_address, default_limits=[], strategy="moving-window")


@limiter.request_filter
def _limits_off_in_this_app() -> bool:
    # One Limiter object serves every app made in a process (the tests make several), and
    # its `enabled` is whatever the last app set: each app's own setting decides here.
    return not current_app.config.get("RATELIMIT_ENABLED", True)
