"""Blueprints that live under a community: /c/<slug>/… loads g.community or answers 404."""
from __future__ import annotations

from flask import Blueprint, abort, g

from .community import Community


def community_blueprint(name: str, import_name: str, prefix: str = "") -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix="/c/<slug>" + prefix)

    @bp.url_value_preprocessor
    def _load(_endpoint, values):
        slug = values.pop("slug", None) if values else None
        community = Community.by_slug(slug) if slug else None
        if community is None:
            abort(404)
        g.community = community

    @bp.url_defaults
    def _slug(endpoint, values):
        if "slug" not in values and getattr(g, "community", None) is not None:
            values["slug"] = g.community.slug

    return bp
