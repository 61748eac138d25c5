"""Sign up, log in and out, change a password, redeem a reset code, my account."""
from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..access import access
from ..community import Community
from ..database import read_first, write_transaction
from ..extensions import db, limiter
from ..i18n import safe_next
from ..rendering import render, see_other
from . import services
from .passwords import needs_rehash
from .forms import LoginForm, PasswordChangeForm, ResetForm, SignupForm
from .models import User

bp = Blueprint("accounts", __name__)

AUTH_LIMIT = "20 per minute"


def _form_page(template: str, form, status: int = 200, **ctx):
    return render(template, fragment="accounts/_form.html", status=status, form=form, **ctx)


def _community_choices():
    rows = db.session.scalars(select(Community).order_by(Community.name))
    return [(c.slug, c.name) for c in rows]


@bp.route("/signup", methods=["GET", "POST"])
@access("public")
@limiter.limit(AUTH_LIMIT, methods=["POST"])
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
@limiter.limit(AUTH_LIMIT, methods=["POST"])
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
@limiter.limit(AUTH_LIMIT, methods=["POST"])
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
