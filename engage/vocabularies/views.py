"""Administrators manage the areas and themes engagements are described with, and the communities reach is
counted against."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from engage.accounts.permissions import admin_required
from engage.extensions import db
from engage.vocabularies import services
from engage.vocabularies.forms import AreaForm, CommunityForm, ThemeForm
from engage.vocabularies.models import Area, Community, CommunityGroup, Theme

bp = Blueprint("vocabularies", __name__, url_prefix="/admin")


@bp.route("/themes")
@admin_required
def themes():
    rows = db.session.scalars(select(Theme).order_by(Theme.position, Theme.name)).all()
    return render_template("vocabularies/themes.html", themes=rows)


@bp.route("/themes/new", methods=["GET", "POST"])
@bp.route("/themes/<int:theme_id>", methods=["GET", "POST"])
@admin_required
def theme(theme_id: int | None = None):
    existing = _get_or_404(Theme, theme_id)
    data = {"name": existing.name, "is_active": existing.is_active} if existing and request.method == "GET" else None
    form = ThemeForm(data=data)
    if form.validate_on_submit():
        try:
            services.save_theme(existing, name=form.name.data, is_active=form.is_active.data, actor=g.user)
        except services.VocabularyError as error:
            form.name.errors.append(error.message)
        else:
            db.session.commit()
            flash("The theme has been saved.", "success")
            return redirect(url_for("vocabularies.themes"))
    return render_template("vocabularies/theme_form.html", form=form, theme=existing)


@bp.route("/areas")
@admin_required
def areas():
    rows = db.session.scalars(select(Area).order_by(Area.position, Area.name)).all()
    return render_template("vocabularies/areas.html", areas=rows)


@bp.route("/areas/new", methods=["GET", "POST"])
@bp.route("/areas/<int:area_id>", methods=["GET", "POST"])
@admin_required
def area(area_id: int | None = None):
    existing = _get_or_404(Area, area_id)
    data = None
    if existing and request.method == "GET":
        data = {"name": existing.name, "parent": str(existing.parent_id or ""), "is_active": existing.is_active}
    form = AreaForm(data=data)
    townships = db.session.scalars(select(Area).where(Area.parent_id.is_(None)).order_by(Area.name)).all()
    form.parent.choices = [SelectChoice("", "None: this is a township")] + [
        SelectChoice(str(t.id), t.name) for t in townships if not existing or t.id != existing.id]
    if form.validate_on_submit():
        parent = db.session.get(Area, int(form.parent.data)) if form.parent.data else None
        try:
            services.save_area(existing, name=form.name.data, parent=parent, is_active=form.is_active.data,
                               actor=g.user)
        except services.VocabularyError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash("The area has been saved.", "success")
            return redirect(url_for("vocabularies.areas"))
    return render_template("vocabularies/area_form.html", form=form, area=existing)


@bp.route("/communities")
@admin_required
def communities():
    rows = db.session.scalars(select(Community).order_by(Community.position, Community.name)).all()
    return render_template("vocabularies/communities.html", communities=rows)


@bp.route("/communities/new", methods=["GET", "POST"])
@bp.route("/communities/<int:community_id>", methods=["GET", "POST"])
@admin_required
def community(community_id: int | None = None):
    existing = _get_or_404(Community, community_id)
    data = None
    if existing and request.method == "GET":
        data = {"name": existing.name, "group": existing.group.value, "is_active": existing.is_active}
    form = CommunityForm(data=data)
    if form.validate_on_submit():
        try:
            services.save_community(existing, name=form.name.data, group=CommunityGroup(form.group.data),
                                    is_active=form.is_active.data, actor=g.user)
        except services.VocabularyError as error:
            form.name.errors.append(error.message)
        else:
            db.session.commit()
            flash("The community has been saved.", "success")
            return redirect(url_for("vocabularies.communities"))
    return render_template("vocabularies/community_form.html", form=form, community=existing)


def _get_or_404(model, item_id: int | None):
    if item_id is None:
        return None
    item = db.session.get(model, item_id)
    if item is None:
        abort(404)
    return item
