"""The declared access matrix: what every route answers every role.

Each endpoint has a row. A role the route's @access rule turns away gets the rule's
answer (GATE) unless the row says otherwise; a role the rule lets through gets "ok"
unless the row names it, or gives `PASSING` (every role let through that is not named).
A row may hold "GET" or "POST" with overrides for that method only.

Answers: "ok" (2xx, or 3xx not to the login page; a POST by someone allowed may get
any answer but 401, 403, 404, a login redirect or a 5xx, since its empty form may well
be refused with 422), "login" (302 to /login), or a status such as "403" or "404".

Every endpoint must be here: a route added without a row fails the matrix by name.
"""
from __future__ import annotations

from .access_world import ROLES, SIGNED_OUT

OK, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "login", "403", "404"
PASSING = "passing"

MEMBERS = ("unverified", "resident", "owner", "council", "chair", "staff", "admin",
           "guardian")
VERIFIED = tuple(r for r in MEMBERS if r != "unverified")
STAFF = ("staff", "admin", "site_admin")


def _gate(lets_in) -> dict:
    return {role: None if role in lets_in else LOGIN if role in SIGNED_OUT else FORBIDDEN
            for role in ROLES}


# What each @access rule answers each role before the view's own checks (None: let in).
GATE = {
    "public": dict.fromkeys(ROLES),
    "system": dict.fromkeys(ROLES),
    "signed_in": _gate([r for r in ROLES if r not in SIGNED_OUT]),
    "member": _gate(MEMBERS),
    "verified": _gate(VERIFIED),
    "staff": _gate(STAFF),
    "site_admin": _gate(("site_admin",)),
}

# The few POSTs sent with a harmless body instead of an empty one, where only a real
# choice shows who is let in (an empty one is refused with 422 for everyone).
BODIES = {"owners.vote": {"choice": "agree"}}

# String arguments that are not the key of a stored object (a time-windowed code): the
# cross-community test swaps every other argument, ids and names alike.
NOT_OBJECTS = {"join_code"}


def only(*roles: str, others: str = FORBIDDEN) -> dict:
    """The named roles get in; everyone else the rule lets through gets `others`."""
    return {PASSING: others, **dict.fromkeys(roles, OK)}


# The rows many routes share. Moderators are the council, the chair and staff (a site
# admin is no member, so the "member" rule turns them away first).
MODERATORS_ONLY = only("council", "chair", "staff", "admin")
# The meeting's console: its chair alone; staff and the other councillors are refused.
CHAIR_ONLY = only("chair")
# Preparing a meeting (details, agenda, minutes): staff and its chair.
PREPARERS_ONLY = only("chair", "staff", "admin")
# A child's profile is found only by its guardian: anyone else, staff too, gets 404.
GUARDIAN_ONLY = only("guardian", others=NOT_FOUND)
# Kiosk pages need the tablet's cookie: without it there is no kiosk (404).
KIOSK_ONLY = only("kiosk", others=NOT_FOUND)
# The projector screen needs its token: everyone else opens a wrong one (404).
PROJECTOR_ONLY = only("projector", others=NOT_FOUND)


# {}: what the route's @access rule says, and nothing more.
TABLE: dict[str, dict] = {
    "accounts.account": {},
    "accounts.change_password": {},
    "accounts.delete_account": {},
    "accounts.login": {},
    "accounts.logout": {},
    "accounts.privacy_notice": {},
    "accounts.reset": {},
    "accounts.session_status": {},
    "accounts.signup": {},
    "accounts.stay_signed_in": {},

    "admin.communities": {},

    "dashboard.figures_csv": {},
    "dashboard.index": {},

    "deliberation.agree": {},
    "deliberation.delete": only("resident"),  # the author; staff hide comments instead
    "deliberation.dismiss": MODERATORS_ONLY,
    "deliberation.edit": only("resident"),  # the author, for 15 minutes
    "deliberation.flag": {},
    "deliberation.follow": {},
    "deliberation.hide": MODERATORS_ONLY,
    "deliberation.moderation_queue": MODERATORS_ONLY,
    "deliberation.new_topic": {},
    "deliberation.post": {},
    "deliberation.post_in_topic": {},
    "deliberation.reply": {},
    "deliberation.restore": MODERATORS_ONLY,
    "deliberation.summary_edit": MODERATORS_ONLY,
    "deliberation.summary_versions": {},
    "deliberation.thread": {},
    "deliberation.thread_live": {},
    "deliberation.topic": {},
    "deliberation.topic_list": {},
    "deliberation.topic_live": {},
    "deliberation.topic_to_idea": {},

    "elder.switch": {},

    "health.healthz": {},

    "i18n.switch": {},

    "kids.ballot": {},
    "kids.card": {},
    "kids.card_ballot": {},
    "kids.card_clip": {},
    "kids.child": GUARDIAN_ONLY,
    "kids.child_delete": GUARDIAN_ONLY,
    "kids.child_new": {},
    "kids.children": {},
    "kids.file": {},
    "kids.idea_new": GUARDIAN_ONLY,
    "kids.kiosk": KIOSK_ONLY,
    "kids.kiosk_end": KIOSK_ONLY,
    "kids.kiosk_next": KIOSK_ONLY,
    "kids.kiosk_start": {},
    # Without the cookie there is no kiosk; the kiosk's own empty vote names no code.
    "kids.kiosk_vote": {PASSING: NOT_FOUND},
    "kids.notice": {},
    "kids.results": {},
    "kids.screen": {},
    "kids.screen_live": {},
    "kids.setup": {},
    "kids.staff_children": {},

    "meetings.add_attendee": CHAIR_ONLY,
    "meetings.add_speaker": CHAIR_ONLY,
    "meetings.agenda": PREPARERS_ONLY,
    "meetings.agenda_add": PREPARERS_ONLY,
    "meetings.agenda_move": PREPARERS_ONLY,
    "meetings.agenda_remove": PREPARERS_ONLY,
    "meetings.close": CHAIR_ONLY,
    "meetings.close_motion": CHAIR_ONLY,
    "meetings.console": CHAIR_ONLY,
    "meetings.console_live": CHAIR_ONLY,
    "meetings.edit": PREPARERS_ONLY,
    # The chair's empty form names no agenda item.
    "meetings.go_item": {**CHAIR_ONLY, "chair": NOT_FOUND},
    "meetings.index": {},
    # Signed in but no member: refused; signed out: asked to sign in first (200).
    "meetings.join": {"site_admin": FORBIDDEN, "outsider": FORBIDDEN},
    "meetings.join_post": {},
    "meetings.lower_hand": {},
    "meetings.meeting": {},
    "meetings.minutes": {PASSING: NOT_FOUND},  # the meeting is live: no minutes yet
    "meetings.minutes_edit": PREPARERS_ONLY,
    "meetings.new": {},
    "meetings.next_speaker": CHAIR_ONLY,
    "meetings.pause": CHAIR_ONLY,
    "meetings.phone_live": {},
    "meetings.put_motion": CHAIR_ONLY,
    "meetings.raise_hand": {},
    "meetings.remove_speaker": CHAIR_ONLY,
    "meetings.resume": CHAIR_ONLY,
    "meetings.rotate": CHAIR_ONLY,
    "meetings.screen": PROJECTOR_ONLY,
    "meetings.screen_live": PROJECTOR_ONLY,
    "meetings.start": CHAIR_ONLY,
    "meetings.step": CHAIR_ONLY,
    "meetings.stop": CHAIR_ONLY,
    "meetings.vote": {},

    "notices.answer": {},
    "notices.finish": {},
    "notices.index": {},
    "notices.new_notice": {},
    "notices.notice": {},
    "notices.object_to": {},
    "notices.period": {},
    "notices.photo": {},
    "notices.poster": {},

    "notifications.index": {},
    "notifications.open_one": only("resident", others=NOT_FOUND),  # the resident's own
    "notifications.read": only("resident", others=NOT_FOUND),
    "notifications.read_all": {},

    "outcomes.add_photo": {},
    "outcomes.comment": {},
    "outcomes.edit": {},
    "outcomes.hide_comment": MODERATORS_ONLY,
    "outcomes.index": {},
    "outcomes.new": {},
    "outcomes.outcome": {},
    "outcomes.poster": {},
    "outcomes.publish": {},
    "outcomes.rate": {},
    "outcomes.remove_photo": {},

    "owners.apply": {},
    "owners.decision": {},
    "owners.export": {},
    "owners.index": {},
    "owners.new_decision": {},
    "owners.projector": {},
    "owners.register": {},
    "owners.resolve": {},
    "owners.sheets": {},
    "owners.tally": {},
    # The owner linked in the register votes; other residents are told why not.
    "owners.vote": {PASSING: "422", "owner": OK},

    "projects.add_funding": {},
    "projects.add_milestone": {},
    "projects.add_partner": {},
    "projects.add_spending": {},
    "projects.change_funding": {},
    "projects.create": {},
    "projects.edit": {},
    "projects.edit_milestone": {},
    "projects.index": {},
    "projects.ledger_csv": {},
    "projects.milestone_status": {},
    "projects.project": {},
    "projects.remove_funding": {},
    "projects.remove_partner": {},
    "projects.reverse_spending": {},
    "projects.start": {},

    "proposals.hand_in": {},
    "proposals.home": {},
    "proposals.idea_list": {},
    "proposals.idea_page": {},
    "proposals.join": {},
    "proposals.move": only("resident", *STAFF),  # staff, and the author (to withdraw)
    "proposals.screening": {},
    "proposals.support": {},

    "rounds.adopt": {},
    "rounds.ballot": {},
    "rounds.ballot_done": {},
    "rounds.ballot_total": {},
    "rounds.confirm_paper": {},
    "rounds.edit_round": {},
    "rounds.index": {},
    "rounds.new_round": {},
    "rounds.paper": {},
    "rounds.print_ballot": {},
    "rounds.remove_idea": {},
    "rounds.results": {},
    "rounds.results_csv": {PASSING: NOT_FOUND},  # the round is open: no results yet
    "rounds.results_progress": {PASSING: NOT_FOUND},
    "rounds.round_ideas": {},
    "rounds.round_page": {},

    "site.index": {},
    "site.my_ideas": {},
    "site.photo": {},

    "staff.audit_log": {},
    "staff.disable": only("admin", "site_admin"),
    "staff.members": {},
    "staff.owner": {},
    "staff.reset_code": {},
    "staff.role": {},
    "staff.verify": {},
}


def expected(endpoint: str, rule: str, role: str, method: str) -> str:
    row = TABLE[endpoint]
    row = {**row, **row.get(method, {})}
    if role in row:
        return row[role]
    gate = GATE[rule][role]
    if gate is not None:
        return gate
    return row.get(PASSING, OK)
