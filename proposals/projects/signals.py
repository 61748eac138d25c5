"""Signals of projects and outcomes. Deliberation's notification centre listens, so
followers hear of them without `proposals` importing `deliberation`."""
from blinker import signal

# Sent with the milestone when staff add one or change its status; `actor` is who did it.
milestone_changed = signal("project-milestone-changed")
# Sent with the outcome when staff publish its page; `actor` is who published it.
outcome_published = signal("outcome-published")
