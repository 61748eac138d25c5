"""The community dashboard: ideas by stage, money budgeted, committed and spent, projects
by status and the latest outcomes, as server-side SVG charts and CSV."""
