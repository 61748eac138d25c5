"""Sign up, log in and out, change a password, redeem a reset code, my account; the
staff session clock (idle.py) and its "Stay signed in"."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..access import access
from ..community import Community
from ..database import read_first, write_transaction
from ..extensions import db
from ..i18n import safe_next
from ..rendering import render, see_other
from . import idle, limits, services
from .passwords import needs_rehash
from .forms import LoginForm, PasswordChangeForm, ResetForm, SignupForm
from .models import User

bp = Blueprint("accounts", __name__)
bp.before_app_request(idle.check)


def _form_page(template: str, form, status: int = 200, **ctx):
    return render(template, fragment="accounts/_form.html", status=status, form=form, **ctx)


def _community_choices():
    rows = db.session.scalars(select(Community).order_by(Community.name))
    return [(c.slug, c.name) for c in rows]


@bp.route("/signup", methods=["GET", "POST"])
@access("public")
@limits.signups
@limits.address_failures
def signup():
    form = SignupForm()
    form.community.choices = _community_choices()
    if request.method == "GET" and request.args.get("c"):
        form.community.data = request.args["c"]
    if not form.validate_on_submit():
        return _form_page("accounts/signup.html", form, 422 if form.is_submitted() else 200)
    if User.by_username(form.username.data):
        form.username.errors.append(_("This username is taken; please choose another."))
        return _form_page("accounts/signup.html", form, 422)
    community = Community.by_slug(form.community.data)
    try:
        with write_transaction():
            user = services.create_user(form.username.data, form.display_name.data,
                                        form.password.data)
            services.join(user, community)
    except IntegrityError:  # someone took the name between our check and our insert
        form.username.errors.append(_("This username is taken; please choose another."))
        return _form_page("accounts/signup.html", form, 422)
    login_user(user)
    flash(_("Welcome! Staff will verify you as a resident; until then you can read and "
            "hand in ideas."), "success")
    return see_other(url_for("proposals.home", slug=community.slug))


@bp.route("/login", methods=["GET", "POST"])
@access("public")
@limits.account_failures
@limits.address_failures
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return _form_page("accounts/login.html", form, 422 if form.is_submitted() else 200)
    # Everything that reads happens before the write lock: checking a password takes
    # tens of milliseconds, and many residents log in at once before a vote closes.
    with read_first():
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            user_id, stale = user.id, needs_rehash(user.password_hash)
            login_user(user)
    if user is None:
        form.password.errors.append(_("Wrong username or password."))
        return _form_page("accounts/login.html", form, 422)
    if stale:
        with write_transaction():
            services.upgrade_hash(db.session.get(User, user_id), form.password.data)
    return see_other(safe_next(request.args.get("next"), url_for("site.index")))


@bp.post("/logout")
@access("signed_in")
def logout():
    with write_transaction():
        db.session.merge(current_user._get_current_object()).revoke_sessions()
    logout_user()
    flash(_("You have logged out."), "success")
    return see_other(url_for("site.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@access("signed_in")
def change_password():
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return _form_page("accounts/password.html", form, 422 if form.is_submitted() else 200)
    user = current_user._get_current_object()
    with read_first():
        right = services.authenticate(user.username, form.current.data) is not None
    if not right:
        form.current.errors.append(_("The current password is wrong."))
        return _form_page("accounts/password.html", form, 422)
    with write_transaction():
        services.change_password(db.session.merge(user), form.password.data)
    login_user(user)  # this device stays signed in with the new token; others are out
    flash(_("Your password has been changed. Other devices have been signed out."), "success")
    return see_other(url_for("accounts.account"))


@bp.route("/reset", methods=["GET", "POST"])
@access("public")
@limits.account_failures
@limits.address_failures
def reset():
    form = ResetForm()
    if not form.validate_on_submit():
        return _form_page("accounts/reset.html", form, 422 if form.is_submitted() else 200)
    try:
        with write_transaction():
            user = services.redeem_reset_code(form.username.data, form.code.data,
                                              form.password.data)
    except services.AccountError:
        form.code.errors.append(_("This code is wrong, used or expired. Ask staff for a new one."))
        return _form_page("accounts/reset.html", form, 422)
    login_user(user)
    flash(_("Your new password is set."), "success")
    return see_other(url_for("accounts.account"))


@bp.get("/account")
@access("signed_in")
def account():
    return render("accounts/account.html", user=current_user)


@bp.app_context_processor
def _idle_warning():
    def idle_warning() -> dict | None:
        """What base.html's warning dialog needs, for a session that times out."""
        left = idle.remaining()
        if left is None:
            return None
        return {"remaining": left, "idle": idle.idle_seconds(), "warn": idle.WARN_SECONDS}
    return {"idle_warning": idle_warning}


def _session_state():
    response = jsonify(signed_in=current_user.is_authenticated, remaining=idle.remaining())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/account/session")
@access("public")
def session_status():
    """Seconds left before this session times out (null if it does not): asked by the
    warning in the background, so asking moves nothing."""
    return _session_state()


@bp.post("/account/session")
@access("signed_in")
def stay_signed_in():
    """"Stay signed in": an own request (CSRF-checked like every POST), so reaching this
    view has already reset the clock."""
    if request.accept_mimetypes.best == "application/json":
        return _session_state()
    return see_other(safe_next(request.form.get("next"), url_for("accounts.account")))


from . import privacy_views  # noqa: E402,F401  (the privacy notice and deleting an account)
