"""Administrators manage organisations."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from engage.accounts.models import User
from engage.accounts.permissions import admin_required
from engage.extensions import db
from engage.organisations import services
from engage.organisations.forms import OrganisationForm
from engage.organisations.models import Organisation, OrganisationKind

bp = Blueprint("organisations", __name__, url_prefix="/admin/organisations")


@bp.route("/")
@admin_required
def index():
    rows = db.session.execute(
        select(Organisation, func.count(User.id))
        .outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    ).all()
    return render_template("organisations/index.html", rows=rows)


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(
                name=form.name.data, kind=OrganisationKind(form.kind.data),
                description=form.description.data or "", website=form.website.data or "", actor=g.user,
            )
        except services.OrganisationError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(f"{organisation.name} has been added.", "success")
            return redirect(url_for("organisations.index"))
    return render_template("organisations/form.html", form=form, organisation=None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@admin_required
def edit(slug: str):
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        abort(404)
    data = None
    if request.method == "GET":
        data = {"name": organisation.name, "kind": organisation.kind.value,
                "description": organisation.description, "website": organisation.website}
    form = OrganisationForm(data=data)
    if form.validate_on_submit():
        try:
            services.update_organisation(
                organisation, name=form.name.data, kind=OrganisationKind(form.kind.data),
                description=form.description.data or "", website=form.website.data or "", actor=g.user,
            )
        except services.OrganisationError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(f"{organisation.name} has been saved.", "success")
            return redirect(url_for("organisations.index"))
    return render_template("organisations/form.html", form=form, organisation=organisation)
