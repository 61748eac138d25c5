"""The first draft of the minutes (会议纪要), written from what the meeting recorded.

The chair edits it before publishing; the draft only saves them the counting."""
from __future__ import annotations

from collections import Counter

from flask_babel import format_datetime, gettext as _, ngettext

from app.templating import yuan
from deliberation.forms import STANCE_LABELS



def _attendance(meeting) -> list[str]:
    present = [c for c in meeting.council if c.present]
    names = "、".join(c.user.display_name for c in present) or _("none")
    return [
        _("Chair: %(name)s", name=meeting.chair.display_name),
        _("Council members present: %(p)d of %(t)d (%(names)s)",
          p=len(present), t=len(meeting.council), names=names),
        _("Residents signed in: %(n)d", n=len(meeting.attendance)),
    ]


def _speakers(item) -> list[str]:
    spoke = [s for s in item.speakers if s.state in ("speaking", "done")]
    if not spoke:
        return [_("No one asked to speak.")]
    by_stance = Counter(s.stance for s in spoke)
    counts = "，".join(f"{STANCE_LABELS[k]} {by_stance[k]}" for k in STANCE_LABELS
                      if by_stance[k])
    names = "、".join(f"{s.display_name}（{STANCE_LABELS[s.stance]}）" for s in spoke)
    return [ngettext("%(num)d turn to speak: %(counts)s", "%(num)d turns to speak: %(counts)s",
                     len(spoke), counts=counts),
            _("Speakers: %(names)s", names=names)]


def _motion(motion) -> list[str]:
    result = _("passed") if motion.passed else _("failed")
    if motion.status != "closed":
        result = _("not closed")
    how = _("hands counted by the chair") if motion.counted_by_chair else _("votes by phone")
    lines = [_("Motion: %(q)s", q=motion.question),
             _("For %(f)d, against %(a)d, abstain %(s)d (%(how)s): %(result)s",
               f=motion.votes_for, a=motion.votes_against, s=motion.votes_abstain,
               how=how, result=result)]
    if motion.passed and motion.move_to:
        if motion.move_note:
            lines.append(_("The stage move was not made: %(why)s", why=motion.move_note))
        else:
            lines.append(_("The idea was planned at %(cost)s, %(who)s responsible.",
                           cost="¥" + yuan(motion.cost_fen), who=motion.responsible))
    return lines


def draft(meeting) -> str:
    lines = [meeting.title, format_datetime(meeting.starts_at, "yyyy-MM-dd HH:mm")
             + (f"  {meeting.place}" if meeting.place else ""), ""]
    lines += _attendance(meeting) + [""]
    for n, item in enumerate(meeting.items, start=1):
        lines.append(f"{n}. {item.display_title}")
        if item.started_at is None:
            lines += ["   " + _("Not reached."), ""]
            continue
        lines += ["   " + line for line in _speakers(item)]
        for motion in (m for m in meeting.motions if m.item_id == item.id):
            lines += ["   " + line for line in _motion(motion)]
        lines.append("")
    loose = [m for m in meeting.motions if m.item_id is None]
    for motion in loose:
        lines += _motion(motion) + [""]
    return "\n".join(lines).strip() + "\n"
