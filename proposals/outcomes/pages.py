"""Public pages of outcomes (金钥匙): the list, an outcome's page with its satisfaction
vote and short comments, and the printable A4 poster. Drafts are for staff only: to
everyone else they do not exist (404).

Also here: the idea page's link to its outcome, and the timeline's link from the move to
`done` to the page that caused it.
"""
from __future__ import annotations

from flask import abort, current_app, flash, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app import once, permissions
from app.access import access
from app.database import write_transaction
from app.extensions import htmx
from app.forms import ButtonForm
from app.qr import qr_svg
from app.rendering import render, see_other
from proposals.forms import FUNDING_LABELS
from proposals.projects.labels import RESPONSIBLE_LABELS
from proposals.projects.ledger import by_source
from proposals.stages import STAGE_LABELS
from proposals.views import CAUSE_LINKS, IDEA_SECTIONS, timeline

from . import queries, services
from .blueprint import bp
from .forms import CommentForm
from .labels import SCORE_LABELS, clip, mouth_path
from .models import SCORES, Outcome
from .services import OutcomeRefused


def _me():
    return current_user._get_current_object()


def get_outcome(outcome_id: int) -> Outcome:
    outcome = queries.load_outcome(outcome_id, g.community)
    if outcome is None or not (outcome.published or permissions.is_staff(current_user,
                                                                          g.community)):
        abort(404)
    return outcome


def public_url(outcome: Outcome) -> str:
    """The page's address for a phone that scans the poster (from PUBLIC_URL)."""
    return current_app.config["SETTINGS"].public_url + url_for("outcomes.outcome",
                                                               outcome_id=outcome.id)


def money_context(outcome: Outcome) -> dict:
    """Planned against spent by source, and the explanations staff gave for spending over
    plan (less those of entries later reversed as mistakes)."""
    project = outcome.project
    lines = by_source(project)
    reversed_ids = {e.reverses_id for e in project.spending if e.reverses_id}
    return dict(sources=lines, planned=sum(x.planned_fen for x in lines),
                spent=sum(x.spent_fen for x in lines),
                explanations=[e for e in project.spending
                              if e.overspend_reason.strip() and e.id not in reversed_ids],
                funding_labels=FUNDING_LABELS)


def satisfaction_context(outcome: Outcome, error: str | None = None) -> dict:
    return dict(outcome=outcome, dist=services.distribution(outcome),
                mine=services.score_of(outcome, current_user),
                may_rate=outcome.published and permissions.is_verified_resident(
                    current_user, g.community),
                scores=SCORES, score_labels=SCORE_LABELS, mouth_path=mouth_path,
                rate_error=error)


def comments_context(outcome: Outcome, form: CommentForm | None = None) -> dict:
    moderator = permissions.is_moderator(current_user, g.community)
    return dict(outcome=outcome, comments=queries.comments(outcome, with_hidden=moderator),
                moderator=moderator, comment_form=form or CommentForm(formdata=None),
                may_comment=outcome.published and permissions.is_verified_resident(
                    current_user, g.community),
                max_comment=services.MAX_COMMENT, button=ButtonForm())


def outcome_context(outcome: Outcome, **extra) -> dict:
    project, idea = outcome.project, outcome.project.idea
    photos = {kind: [p for p in outcome.photos if p.kind == kind] for kind in ("before", "after")}
    context = dict(outcome=outcome, project=project, idea=idea, photos=photos,
                   timeline=timeline(idea), stage_labels=STAGE_LABELS,
                   responsible_labels=RESPONSIBLE_LABELS,
                   is_staff=permissions.is_staff(current_user, g.community),
                   **money_context(outcome))
    context.update(satisfaction_context(outcome, extra.pop("rate_error", None)))
    context.update(comments_context(outcome, extra.pop("comment_form", None)))
    context.update(extra)
    return context


@bp.get("/")
@access("public")
def index():
    staff = permissions.is_staff(current_user, g.community)
    outcomes = queries.outcome_list(g.community, drafts=staff)
    return render("outcomes/index.html", outcomes=outcomes,
                  votes=queries.vote_summaries(outcomes), staff=staff,
                  awaiting=queries.awaiting_outcome(g.community) if staff else [])


@bp.get("/<int:outcome_id>")
@access("public")
def outcome(outcome_id: int):
    return render("outcomes/outcome.html", **outcome_context(get_outcome(outcome_id)))


def _back(outcome: Outcome, anchor: str):
    return see_other(url_for("outcomes.outcome", outcome_id=outcome.id) + anchor)


@bp.post("/<int:outcome_id>/rate")
@access("verified")
def rate(outcome_id: int):
    outcome = get_outcome(outcome_id)
    error = None
    try:
        with write_transaction():
            services.rate(outcome, _me(), request.form.get("score"))
    except OutcomeRefused as refused:
        error = refused.message
    status = 422 if error else 200
    if htmx:
        return render("outcomes/_satisfaction.html", status=status,
                      **satisfaction_context(outcome, error))
    if error:
        return render("outcomes/outcome.html", status=status,
                      **outcome_context(outcome, rate_error=error))
    return _back(outcome, "#satisfaction")


@bp.post("/<int:outcome_id>/comments")
@access("verified")
def comment(outcome_id: int):
    outcome = get_outcome(outcome_id)
    form = CommentForm()
    written = False
    if form.validate_on_submit():
        try:
            with write_transaction():
                services.add_comment(outcome, _me(), form.body.data,
                                     once.key_from(form.once.data))
            written = True
        except OutcomeRefused as refused:
            form.body.errors = [refused.message]
    if htmx:
        return render("outcomes/_comments.html", status=200 if written else 422,
                      **comments_context(outcome, None if written else form))
    if not written:
        return render("outcomes/outcome.html", status=422,
                      **outcome_context(outcome, comment_form=form))
    return _back(outcome, "#outcome-comments")


@bp.post("/<int:outcome_id>/comments/<int:outcome_comment_id>/hide")
@access("member")
def hide_comment(outcome_id: int, outcome_comment_id: int):
    outcome = get_outcome(outcome_id)
    if not permissions.is_moderator(current_user, g.community):
        abort(403)
    comment = queries.comment_of(outcome, outcome_comment_id)
    if comment is None:
        abort(404)
    hidden = request.form.get("hidden", "1") != "0"
    with write_transaction():
        services.set_hidden(comment, _me(), hidden)
    if htmx:
        return render("outcomes/_comments.html", **comments_context(outcome))
    flash(_("The comment is hidden.") if hidden else _("The comment is shown again."), "success")
    return _back(outcome, f"#outcome-comment-{comment.id}")


@bp.get("/<int:outcome_id>/poster")
@access("public")
def poster(outcome_id: int):
    outcome = get_outcome(outcome_id)
    url = public_url(outcome)
    photos = {kind: next((p for p in outcome.photos if p.kind == kind), None)
              for kind in ("before", "after")}
    partners = outcome.project.partners
    return render("outcomes/poster.html", outcome=outcome, project=outcome.project,
                  photos=photos, url=url, clip=clip,
                  qr=qr_svg(url, label=_("QR code of the outcome page"), css_class="poster-qr"),
                  partners=partners[:4], more_partners=max(0, len(partners) - 4),
                  responsible_labels=RESPONSIBLE_LABELS, dist=services.distribution(outcome),
                  score_labels=SCORE_LABELS, mouth_path=mouth_path, scores=SCORES,
                  **money_context(outcome))


# --- on the idea's page and timeline --------------------------------------------------------

def outcome_section(idea) -> Markup:
    """金钥匙: a link from a done idea to its published outcome page."""
    if idea.stage != "done":
        return Markup("")
    outcome = queries.published_outcome_of_idea(idea)
    if outcome is None:
        return Markup("")
    return Markup(render_template("outcomes/_idea_link.html", outcome=outcome))  # nosec B704: autoescaped Jinja output


def outcome_link(outcome_id: int) -> str | None:
    return url_for("outcomes.outcome", outcome_id=outcome_id)


IDEA_SECTIONS["top"].append(outcome_section)
CAUSE_LINKS[Outcome.cause_kind] = outcome_link
