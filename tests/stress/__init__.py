"""Votes under stress (issue 9): the real site under gunicorn, loaded, and a worker killed."""
