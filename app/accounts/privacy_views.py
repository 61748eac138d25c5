"""The privacy notice and deleting one's own account, on the accounts blueprint."""
from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from sqlalchemy import select
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, Length

from .. import audit
from ..access import access
from ..community import Community
from ..database import read_first, write_transaction
from ..extensions import db, limiter
from ..forms import Form
from ..rendering import render, see_other
from . import privacy, services
from .models import User
from .views import bp

# The version of the notice below (templates/accounts/privacy.html): change it with the text.
NOTICE_VERSION = "2026-12"
# A stolen session must not become a way to guess the password: wrong attempts (422)
# count, per person, as strictly as failed logins.
DELETE_LIMIT = "5 per minute"


def _person() -> str:
    # Limits may be checked before @access has turned an anonymous visitor away.
    if current_user.is_authenticated:
        return f"user:{current_user.get_id().split(':')[0]}"
    return f"ip:{request.remote_addr}"


delete_failures = limiter.limit(DELETE_LIMIT, scope="account-delete", key_func=_person,
                                methods=["POST"],
                                deduct_when=lambda response: response.status_code == 422)


class DeleteAccountForm(Form):
    password = PasswordField(_l("Your password"), validators=[
        DataRequired(message=_l("Type your password to confirm.")), Length(max=200)])
    confirm = BooleanField(_l("Yes, delete my account. I understand that this cannot be "
                              "undone."))


@bp.get("/privacy")
@access("public")
def privacy_notice():
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    return render("accounts/privacy.html", notice_version=NOTICE_VERSION,
                  communities=communities, address_days=audit.ADDRESS_DAYS,
                  keep_years=audit.KEEP_DAYS // 365, deleted_name=privacy.DELETED_NAME)


def _page(form: DeleteAccountForm, status: int = 200, error: str | None = None):
    user = current_user._get_current_object()
    return render("accounts/delete_account.html", status=status, form=form,
                  children=privacy.children_of(user), refused=privacy.refusal(user),
                  error=error, deleted_name=privacy.DELETED_NAME)


@bp.route("/account/delete", methods=["GET", "POST"])
@access("signed_in")
@delete_failures
def delete_account():
    form = DeleteAccountForm()
    if not form.is_submitted():
        return _page(form)
    if not form.validate():
        return _page(form, 422)
    if not form.confirm.data:
        form.confirm.errors = [_("Tick the box to confirm that your account is to be "
                                 "deleted.")]
        return _page(form, 422)
    user = current_user._get_current_object()
    # Checking a password is slow on purpose: not while holding SQLite's write lock.
    with read_first():
        right = services.authenticate(user.username, form.password.data) is not None
    if not right:
        form.password.errors = [_("The password is wrong.")]
        return _page(form, 422)
    try:
        with write_transaction():
            done = privacy.delete_account(db.session.get(User, user.id))
    except privacy.DeletionRefused as refused:
        return _page(form, 422, error=refused.message)
    logout_user()
    if done.children:
        flash(_("Your account and your children's profiles are deleted. What you said and "
                "handed in stays, under the name “%(name)s”.",
                name=privacy.DELETED_NAME), "success")
    else:
        flash(_("Your account is deleted. What you said and handed in stays, under the "
                "name “%(name)s”.", name=privacy.DELETED_NAME), "success")
    return see_other(url_for("site.index"))
