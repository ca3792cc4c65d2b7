"""Administrators: people, their roles, and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from engage.accounts import services
from engage.accounts.forms import ChangeRoleForm, EmptyForm, InviteUserForm
from engage.accounts.models import Role, User
from engage.accounts.permissions import admin_required
from engage.audit.models import AuditEvent
from engage.extensions import db
from engage.organisations.models import Organisation

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


def _organisation_choices() -> list[SelectChoice]:
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return [SelectChoice("", "No organisation (administrators only)")] + [
        SelectChoice(str(o.id), f"{o.name} ({o.kind.label})") for o in organisations
    ]


def _organisation_from(value: str | None) -> Organisation | None:
    return db.session.get(Organisation, int(value)) if value and value.isdigit() else None


@bp.route("/")
@admin_required
def index():
    counts = {
        "users": db.session.scalar(select(func.count(User.id))),
        "organisations": db.session.scalar(select(func.count(Organisation.id))),
    }
    return render_template("admin/index.html", counts=counts)


@bp.route("/users")
@admin_required
def users():
    people = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template("admin/users.html", people=people)


@bp.route("/users/invite", methods=["GET", "POST"])
@admin_required
def invite():
    form = InviteUserForm()
    form.organisation.choices = _organisation_choices()
    if form.validate_on_submit():
        try:
            user = services.invite_user(
                email=form.email.data, name=form.name.data, role=Role(form.role.data),
                organisation=_organisation_from(form.organisation.data), actor=g.user,
            )
        except services.AccountError as error:
            getattr(form, error.field, form.email).errors.append(error.message)
        else:
            db.session.commit()
            flash(f"Invitation sent to {user.name}. The link works for 7 days.", "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/invite.html", form=form)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>")
@admin_required
def user(user_id: int):
    person = _user_or_404(user_id)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.subject_type == "User", AuditEvent.subject_id == person.id)
        .order_by(AuditEvent.id.desc()).limit(20)
    ).all()
    return render_template("admin/user.html", person=person, events=events, button_form=EmptyForm())


@bp.route("/users/<int:user_id>/role", methods=["GET", "POST"])
@admin_required
def change_role(user_id: int):
    person = _user_or_404(user_id)
    form = ChangeRoleForm(data={"role": person.role.value, "organisation": str(person.organisation_id or "")}
                          if request.method == "GET" else None)
    form.organisation.choices = _organisation_choices()
    if form.validate_on_submit():
        try:
            services.change_role(person, role=Role(form.role.data),
                                 organisation=_organisation_from(form.organisation.data), actor=g.user)
        except services.AccountError as error:
            getattr(form, error.field, form.role).errors.append(error.message)
        else:
            db.session.commit()
            flash(f"{person.name}'s role has been saved. They have been signed out.", "success")
            return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/change_role.html", form=form, person=person)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@admin_required
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@admin_required
def reactivate(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    person = _user_or_404(user_id)
    if EmptyForm().validate_on_submit():
        try:
            services.set_active(person, active, actor=g.user)
        except services.AccountError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"{person.name}'s account has been {'reactivated' if active else 'deactivated'}.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/users/<int:user_id>/invitation", methods=["POST"])
@admin_required
def resend_invitation(user_id: int):
    person = _user_or_404(user_id)
    if EmptyForm().validate_on_submit():
        try:
            services.resend_invitation(person, g.user)
        except services.AccountError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"A new invitation has been sent to {person.name}. Earlier links no longer work.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/audit")
@admin_required
def audit_log():
    page = max(request.args.get("page", 1, type=int), 1)
    events = db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).all()
    return render_template("admin/audit.html", events=events[:PAGE_SIZE], page=page,
                           has_next=len(events) > PAGE_SIZE)
