"""The guardians' pages: the privacy notice, their children's profiles (made, seen with
everything the child did, deleted), a child's idea; and staff's profiles from paper
consent forms.

A profile is reached only by whoever `profiles.may_manage` it; anyone else gets 404, so
a child's nickname never shows that it exists. The profile pages ask for an account,
not a verified membership: a guardian keeps the right to see and delete their child's
data even after moving away (PIPL), and a site admin can manage paper profiles.
"""
from __future__ import annotations

from flask import abort, current_app, flash, g, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import permissions
from app.access import access
from app.database import write_transaction
from app.extensions import db
from app.rendering import render, see_other
from proposals.photos import PhotoRejected, process_photo
from proposals.stages import STAGE_LABELS

from . import ideas, profiles
from .blueprint import bp
from .files import card_picture_url
from .guardian_forms import AGE_LABELS, ChildForm, ChildIdeaForm, DeleteChildForm, \
    StaffChildForm
from .ideas import ChildIdeaRefused
from .models import AVATARS, NOTICE_VERSION, ChildProfile, PictureCard
from .pictures import AVATAR_NAMES, CATEGORY_PICTURES, avatar_url, picture_url
from .profiles import ProfileRefused


def _user():
    return current_user._get_current_object()


def _child(child_id: int) -> ChildProfile:
    child = db.session.get(ChildProfile, child_id)
    if child is None or child.community_id != g.community.id \
            or not profiles.may_manage(current_user, child):
        abort(404)
    return child


def _refuse(form, refused) -> None:
    """Show a refusal next to its field (or the form's first field)."""
    field = getattr(form, refused.field, None) or form.nickname
    field.errors = [refused.message]


def _look() -> dict:
    """What every page showing profiles needs to draw them."""
    return dict(age_labels=AGE_LABELS, avatar_names=AVATAR_NAMES, avatar_url=avatar_url,
                avatars=AVATARS, notice_version=NOTICE_VERSION)


@bp.get("/notice")
@access("public")
def notice():
    return render("kids/notice.html", notice_version=NOTICE_VERSION)


@bp.get("/children")
@access("signed_in")
def children():
    mine = profiles.of_guardian(current_user, g.community)
    return render("kids/children.html", children=mine,
                  rounds=profiles.open_rounds(g.community) if mine else [],
                  can_add=permissions.is_verified_resident(current_user, g.community)
                  and len(mine) < profiles.MAX_PER_GUARDIAN,
                  is_staff=permissions.is_staff(current_user, g.community), **_look())


def _new_page(form: ChildForm, status: int = 200):
    return render("kids/child_new.html", status=status, form=form, **_look())


@bp.route("/children/new", methods=["GET", "POST"])
@access("verified")
def child_new():
    form = ChildForm()
    if not form.is_submitted():
        return _new_page(form)
    if not form.validate():
        return _new_page(form, 422)
    try:
        with write_transaction():
            child = profiles.create_for_guardian(
                g.community, _user(), nickname=form.nickname.data or "",
                age_band=form.age_band.data or "", avatar=form.avatar.data or "",
                consent=bool(form.consent.data))
            nickname = child.nickname
    except ProfileRefused as refused:
        _refuse(form, refused)
        return _new_page(form, 422)
    flash(_("%(name)s's profile is ready.", name=nickname), "success")
    return see_other(url_for("kids.children"))


def _votes_shown(votes) -> list[dict]:
    """Each guardian-mode vote as the round and the pictures chosen, in ballot order."""
    shown = []
    for vote in votes:
        cards = [c for c in (db.session.get(PictureCard, i) for i in vote.entry_ids)
                 if c is not None]
        cards.sort(key=lambda c: (c.entry.position, c.entry_id))
        shown.append(dict(round=vote.round, cards=[
            dict(label=c.label, src=card_picture_url(c), title=c.entry.idea.title)
            for c in cards]))
    return shown


def _child_page(child: ChildProfile, form: DeleteChildForm | None = None, status: int = 200):
    votes, child_ideas = profiles.activity(child)
    return render("kids/child.html", status=status, child=child, votes=_votes_shown(votes),
                  ideas=child_ideas, stage_labels=STAGE_LABELS,
                  delete_form=form or DeleteChildForm(formdata=None),
                  back=url_for("kids.staff_children" if child.guardian_id is None
                               else "kids.children"), **_look())


@bp.get("/children/<int:child_id>")
@access("signed_in")
def child(child_id: int):
    return _child_page(_child(child_id))


@bp.post("/children/<int:child_id>/delete")
@access("signed_in")
def child_delete(child_id: int):
    kid = _child(child_id)
    form = DeleteChildForm()
    if not form.validate():
        return _child_page(kid, form, 422)
    if not form.confirm.data:
        form.confirm.errors = [_("Tick the box to confirm that the profile is to be "
                                 "deleted.")]
        return _child_page(kid, form, 422)
    nickname, by_staff = kid.nickname, kid.guardian_id is None
    with write_transaction():
        profiles.delete(db.session.merge(kid), _user())
    flash(_("%(name)s's profile is deleted.", name=nickname), "success")
    return see_other(url_for("kids.staff_children" if by_staff else "kids.children"))


def _staff_page(form: StaffChildForm, status: int = 200):
    return render("kids/staff_children.html", status=status, form=form,
                  children=profiles.of_paper_forms(g.community), **_look())


@bp.route("/staff/children", methods=["GET", "POST"])
@access("staff")
def staff_children():
    form = StaffChildForm()
    if not form.is_submitted():
        return _staff_page(form)
    if not form.validate():
        return _staff_page(form, 422)
    try:
        with write_transaction():
            child = profiles.create_by_staff(
                g.community, _user(), nickname=form.nickname.data or "",
                age_band=form.age_band.data or "", avatar=form.avatar.data or "",
                paper_ref=form.paper_ref.data or "")
            nickname = child.nickname
    except ProfileRefused as refused:
        _refuse(form, refused)
        return _staff_page(form, 422)
    flash(_("%(name)s's profile is ready.", name=nickname), "success")
    return see_other(url_for("kids.staff_children"))


def _idea_page(child: ChildProfile, form: ChildIdeaForm, status: int = 200):
    return render("kids/idea_new.html", status=status, child=child, form=form,
                  category_pictures=CATEGORY_PICTURES, picture_url=picture_url,
                  max_words=ideas.MAX_WORDS, **_look())


@bp.route("/children/<int:child_id>/ideas/new", methods=["GET", "POST"])
@access("signed_in")
def idea_new(child_id: int):
    kid = _child(child_id)
    form = ChildIdeaForm()
    form.category.choices = [(c, label) for c, _picture, label in ideas.categories()]
    if not form.is_submitted():
        return _idea_page(kid, form)
    if not form.validate():
        return _idea_page(kid, form, 422)
    upload = form.drawing.data
    if upload is None or not getattr(upload, "filename", ""):
        form.drawing.errors = [_("Add a photo of the child's drawing.")]
        return _idea_page(kid, form, 422)
    s = current_app.config["SETTINGS"]
    try:
        drawing = process_photo(upload.read(), max_bytes=s.max_photo_bytes,
                                max_pixels=s.max_photo_pixels)
        with write_transaction():
            idea = ideas.hand_in_for_child(g.community, _user(), db.session.merge(kid),
                                           drawing, form.category.data or "",
                                           form.words.data or "")
            idea_id = idea.id
    except PhotoRejected as refused:
        form.drawing.errors = [refused.message]
        return _idea_page(kid, form, 422)
    except ChildIdeaRefused as refused:
        getattr(form, refused.field).errors = [refused.message]
        return _idea_page(kid, form, 422)
    flash(_("Thank you! The child's idea has been handed in; staff will screen it soon."),
          "success")
    return see_other(url_for("proposals.idea_page", idea_id=idea_id))
