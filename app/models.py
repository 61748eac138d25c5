"""Imports every model so SQLAlchemy and Alembic see the whole schema."""
from .accounts.models import MemberRole, Membership, ResetCode, User  # noqa: F401
from .audit import AuditEntry  # noqa: F401
from .community import Building, Community, Unit, UnitOwnership  # noqa: F401
from proposals.models import (  # noqa: F401
    Costing, FundingSource, Idea, IdeaPhoto, IdeaSupport, StageChange,
)
from deliberation.models import (  # noqa: F401
    ChangeMarker, Comment, Flag, Follow, Notification, Reaction, Thread, ThreadSummary,
)
from proposals.rounds.models import (  # noqa: F401
    Ballot, BallotChoice, Participation, Round, RoundEntry, Tally,
)
from proposals.owners.models import (  # noqa: F401
    ConflictResolution, DecisionUnit, Owner, OwnersDecision, OwnerVote, RegisterUnit,
)
from deliberation.meetings.models import (  # noqa: F401
    AgendaItem, Attendance, Councillor, Meeting, Motion, MotionVote, Speaker,
)
from proposals.notices.models import Notice, NoticeIdea, Objection  # noqa: F401
from proposals.projects.models import (  # noqa: F401
    Milestone, MilestonePhoto, Project, ProjectFunding, ProjectPartner, SpendingEntry,
)
from proposals.outcomes.models import (  # noqa: F401
    Outcome, OutcomeComment, OutcomePhoto, SatisfactionVote,
)
from proposals.kids.models import (  # noqa: F401
    ChildBallot, ChildChoice, ChildCode, ChildProfile, ChildrensPart, KioskSession, PictureCard,
)
