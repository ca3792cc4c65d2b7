"""The service's own pages: home (the public home page), accessibility statement, privacy notice and the
health check."""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from engage.caching import http as caching
from engage.extensions import db
from engage.site import queries

bp = Blueprint("pages", __name__)

HOME_LIST_LENGTH = 5


@bp.route("/")
def home():
    """The public home page: the latest records, engagements open to take part in, and a search box."""
    latest = queries.list_public_cards(queries.Filters(status="completed", per_page=HOME_LIST_LENGTH))
    open_now = queries.list_public_cards(queries.Filters(status="in_progress", per_page=HOME_LIST_LENGTH))
    return caching.conditional(render_template("public/home.html", latest=latest, open_now=open_now))


@bp.route("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/privacy")
def privacy():
    return render_template("pages/privacy.html")


_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@bp.route("/brand.css")
def brand_css():
    """The configurable brand colour as a stylesheet, so no inline style is needed."""
    colour = current_app.config["BRAND_COLOUR"]
    if not _HEX_COLOUR.match(colour):
        colour = "#00625e"
    response = Response(f":root {{ --engage-brand: {colour}; }}\n", mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        database = "unavailable"
    healthy = database == "ok"
    response = jsonify({"status": "ok" if healthy else "unavailable", "checks": {"database": database}})
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
