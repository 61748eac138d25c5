"""Site administrators create communities; staff and units are then set up per community."""
from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from ..forms import Form
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from .. import audit
from ..access import access
from ..community import Community
from ..database import write_transaction
from ..extensions import db
from ..rendering import render, see_other

bp = Blueprint("admin", __name__, url_prefix="/admin")


class CommunityForm(Form):
    slug = StringField(_l("Address name (e.g. gaorong)"), validators=[
        DataRequired(), Regexp(r"^[a-z0-9][a-z0-9-]{1,62}$",
                               message=_l("Lower-case letters, digits and hyphens."))])
    name = StringField(_l("Name (e.g. 高荣居民区)"), validators=[DataRequired(), Length(max=100)])
    district = StringField(_l("Street or district"), validators=[Optional(), Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


@bp.route("/communities", methods=["GET", "POST"])
@access("site_admin")
def communities():
    form = CommunityForm()
    if form.validate_on_submit():
        if Community.by_slug(form.slug.data):
            form.slug.errors.append(_("This address name is already used."))
        else:
            with write_transaction():
                c = Community(slug=form.slug.data, name=form.name.data.strip(),
                              district=(form.district.data or "").strip(),
                              description=(form.description.data or "").strip())
                db.session.add(c)
                db.session.flush()
                audit.record("community.create", actor=current_user, community=c, target=c)
            flash(_("%(name)s has been created.", name=c.name), "success")
            return see_other(url_for("admin.communities"))
    rows = db.session.scalars(select(Community).order_by(Community.id)).all()
    return render("admin/communities.html", status=422 if form.errors else 200,
                  form=form, communities=rows)
