"""The public dashboard page and its CSV: /c/<slug>/dashboard/."""
from __future__ import annotations

from flask import g, make_response, request

from app.access import access
from app.rendering import render
from proposals.forms import FUNDING_LABELS
from proposals.stages import STAGE_LABELS

from . import charts, export
from .blueprint import bp
from .figures import current_year, figures, parse_year
from .labels import PROJECT_STATUS_LABELS, definitions


@bp.get("/")
@access("public")
def index():
    year = parse_year(request.args.get("year"))
    f = figures(g.community, year)
    return render("dashboard/index.html", f=f, charts=charts.all_charts(f),
                  said=definitions(year), this_year=current_year(),
                  stage_labels=STAGE_LABELS, funding_labels=FUNDING_LABELS,
                  status_labels=PROJECT_STATUS_LABELS)


@bp.get("/figures.csv")
@access("public")
def figures_csv():
    year = parse_year(request.args.get("year"))
    response = make_response(export.figures_csv(g.community, figures(g.community, year)))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export.filename(g.community, year)}"')
    return response
