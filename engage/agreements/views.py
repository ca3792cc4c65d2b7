"""Agreement pages in the engagement workspace: draft, propose, sign (read, then confirm), vary, close."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from engage.accounts.models import User
from engage.accounts.permissions import signed_in
from engage.agreements import services
from engage.agreements.forms import (
    AgreementForm,
    ConfirmForm,
    MilestoneForm,
    MilestoneStatusForm,
    NewAgreementForm,
    ReasonForm,
    SignForm,
)
from engage.agreements.models import CONTENT_FIELDS, Agreement, AgreementStatus, Milestone, MilestoneStatus
from engage.audit.refusals import refuse
from engage.engagements import permissions
from engage.engagements.access import load_engagement, part_of
from engage.engagements.models import Engagement
from engage.extensions import db
from engage.forms.money import parse_pounds, pounds_from_pence
from engage.organisations.models import Organisation, OrganisationKind

bp = Blueprint("agreements", __name__, url_prefix="/workspace")


def _require_edit(engagement: Engagement) -> None:
    if not permissions.can_edit(g.user, engagement):
        refuse(engagement, "not allowed")
        abort(403)


def _agreement(engagement: Engagement, agreement_id: int) -> Agreement:
    return part_of(engagement, db.session.get(Agreement, agreement_id), owner=engagement)


def _show(agreement: Agreement) -> str:
    return url_for("agreements.show", slug=agreement.engagement.slug, agreement_id=agreement.id)


@bp.route("/<slug>/agreements", methods=["GET", "POST"])
@signed_in
def index(slug: str):
    engagement = load_engagement(slug)
    agreements = db.session.scalars(select(Agreement).where(Agreement.engagement_id == engagement.id)
                                    .order_by(Agreement.vcfse_organisation_id, Agreement.version_number)).all()
    form = NewAgreementForm()
    form.organisation.choices = [SelectChoice("", "Choose a VCFSE collaborator")] + [
        SelectChoice(str(c.organisation_id), c.organisation.name) for c in engagement.collaborators
        if c.organisation.kind is OrganisationKind.VCFSE]
    if request.method == "POST":
        _require_edit(engagement)
        if form.validate_on_submit():
            organisation = db.session.get(Organisation, int(form.organisation.data))
            try:
                agreement = services.start_agreement(engagement, actor=g.user, vcfse=organisation)
            except services.AgreementError as error:
                form.organisation.errors.append(error.message)
            else:
                db.session.commit()
                flash("A draft agreement has been started.", "success")
                return redirect(url_for("agreements.edit", slug=slug, agreement_id=agreement.id))
    return render_template("agreements/index.html", engagement=engagement, agreements=agreements, form=form,
                           can_edit=permissions.can_edit(g.user, engagement))


@bp.route("/<slug>/agreements/<int:agreement_id>")
@signed_in
def show(slug: str, agreement_id: int):
    engagement = load_engagement(slug)
    agreement = _agreement(engagement, agreement_id)
    party = agreement.party_of(g.user)
    can_sign = (agreement.status is AgreementStatus.PROPOSED and party is not None
                and agreement.signature_for(party) is None)
    return render_template("agreements/show.html", engagement=engagement, agreement=agreement,
                           fields=CONTENT_FIELDS, can_edit=permissions.can_edit(g.user, engagement),
                           can_sign=can_sign, missing=services.missing_to_propose(agreement)
                           if agreement.status is AgreementStatus.DRAFT else [],
                           confirm_form=ConfirmForm(), printable=request.args.get("print") == "1",
                           can_track=_can_track(agreement))


def _can_track(agreement: Agreement) -> bool:
    return (agreement.status is AgreementStatus.SIGNED and g.user is not None
            and (permissions.can_edit(g.user, agreement.engagement)
                 or g.user.organisation_id == agreement.vcfse_organisation_id))


def _signatory_choices(organisation_id: int) -> list[SelectChoice]:
    people = db.session.scalars(select(User).where(User.organisation_id == organisation_id, User.is_active)
                                .order_by(User.name)).all()
    return [SelectChoice("", "Not chosen yet")] + [SelectChoice(str(p.id), p.name) for p in people]


@bp.route("/<slug>/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(slug: str, agreement_id: int):
    engagement = load_engagement(slug)
    _require_edit(engagement)
    agreement = _agreement(engagement, agreement_id)
    if agreement.status is not AgreementStatus.DRAFT:
        flash(f"This agreement is {agreement.status.value}, so it cannot be changed. Make a variation instead.",
              "error")
        return redirect(_show(agreement))
    if request.method == "GET":
        data = {name: getattr(agreement, name) for name, _ in CONTENT_FIELDS
                if name not in ("funding_pence", "public_signatory_id", "vcfse_signatory_id")}
        data.update(funding=pounds_from_pence(agreement.funding_pence),
                    public_signatory=str(agreement.public_signatory_id or ""),
                    vcfse_signatory=str(agreement.vcfse_signatory_id or ""))
        form = AgreementForm(data=data)
    else:
        form = AgreementForm()
    form.public_signatory.choices = _signatory_choices(agreement.public_organisation_id)
    form.vcfse_signatory.choices = _signatory_choices(agreement.vcfse_organisation_id)
    if form.validate_on_submit():
        fields = {name: (getattr(form, name).data or "").strip() for name, _ in CONTENT_FIELDS
                  if name not in ("funding_pence", "review_date", "public_signatory_id", "vcfse_signatory_id")}
        fields.update(
            funding_pence=parse_pounds(form.funding.data) or 0, review_date=form.review_date.data,
            public_signatory_id=int(form.public_signatory.data) if form.public_signatory.data else None,
            vcfse_signatory_id=int(form.vcfse_signatory.data) if form.vcfse_signatory.data else None,
        )
        try:
            services.update_draft(agreement, actor=g.user, **fields)
        except services.AgreementError as error:
            getattr(form, error.field, form.purpose).errors.append(error.message)
        else:
            db.session.commit()
            flash("The draft has been saved.", "success")
            return redirect(_show(agreement))
    return render_template("agreements/edit.html", engagement=engagement, agreement=agreement, form=form)


@bp.route("/<slug>/agreements/<int:agreement_id>/milestones", methods=["GET", "POST"])
@signed_in
def milestones(slug: str, agreement_id: int):
    engagement = load_engagement(slug)
    _require_edit(engagement)
    agreement = _agreement(engagement, agreement_id)
    form = MilestoneForm()
    if form.validate_on_submit():
        try:
            services.add_milestone(agreement, actor=g.user, title=form.title.data, due_date=form.due_date.data)
        except services.AgreementError as error:
            form.title.errors.append(error.message)
        else:
            db.session.commit()
            flash("The milestone has been added.", "success")
            return redirect(url_for("agreements.milestones", slug=slug, agreement_id=agreement.id))
    return render_template("agreements/milestones.html", engagement=engagement, agreement=agreement, form=form,
                           remove_form=ConfirmForm())


@bp.route("/<slug>/agreements/<int:agreement_id>/milestones/<int:milestone_id>/remove", methods=["POST"])
@signed_in
def remove_milestone(slug: str, agreement_id: int, milestone_id: int):
    engagement = load_engagement(slug)
    _require_edit(engagement)
    agreement = _agreement(engagement, agreement_id)
    milestone = part_of(engagement, db.session.get(Milestone, milestone_id), owner=agreement, via="agreement_id")
    if ConfirmForm().validate_on_submit():
        try:
            services.remove_milestone(agreement, milestone, actor=g.user)
        except services.AgreementError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash("The milestone has been removed.", "success")
    return redirect(url_for("agreements.milestones", slug=slug, agreement_id=agreement.id))


@bp.route("/<slug>/agreements/<int:agreement_id>/propose", methods=["POST"])
@signed_in
def propose(slug: str, agreement_id: int):
    engagement = load_engagement(slug)
    _require_edit(engagement)
    agreement = _agreement(engagement, agreement_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.propose(agreement, actor=g.user)
        except services.AgreementError as error:
            db.session.rollback()
            flash(f"The agreement cannot be proposed yet: {error.message}.", "error")
        else:
            db.session.commit()
            flash("The agreement is proposed. Its content is frozen, and both signatories can now sign it.",
                  "success")
    return redirect(_show(agreement))


@bp.route("/<slug>/agreements/<int:agreement_id>/sign", methods=["GET", "POST"])
@signed_in
def sign(slug: str, agreement_id: int):
    engagement = load_engagement(slug)
    agreement = _agreement(engagement, agreement_id)
    party = agreement.party_of(g.user)
    if party is None:
        refuse(agreement, "not a signatory")
        abort(403)
    if agreement.status is not AgreementStatus.PROPOSED:
        flash(f"This agreement is {agreement.status.value}: there is nothing to sign.", "error")
        return redirect(_show(agreement))
    form = SignForm()
    if request.method == "GET":
        form.content_hash.data = agreement.content_hash
    if form.validate_on_submit():
        try:
            services.sign(agreement.id, user=g.user, typed_name=form.typed_name.data,
                          expected_hash=form.content_hash.data or "")
        except services.AgreementError as error:
            if error.field == "typed_name":
                form.typed_name.errors.append(error.message)
            else:
                flash(error.message, "error")
                return redirect(_show(agreement))
        else:
            db.session.expire_all()
            agreement = db.session.get(Agreement, agreement_id)
            message = ("You have signed. Both parties have now signed: the agreement is in force."
                       if agreement.status is AgreementStatus.SIGNED else
                       "You have signed. The agreement comes into force when the other party signs.")
            flash(message, "success")
            return redirect(_show(agreement))
    return render_template("agreements/sign.html", engagement=engagement, agreement=agreement, form=form,
                           party=party, fields=CONTENT_FIELDS)


@bp.route("/<slug>/agreements/<int:agreement_id>/vary", methods=["POST"])
@signed_in
def vary(slug: str, agreement_id: int):
    engagement = load_engagement(slug)
    _require_edit(engagement)
    agreement = _agreement(engagement, agreement_id)
    if ConfirmForm().validate_on_submit():
        try:
            variation = services.vary(agreement, actor=g.user)
            db.session.flush()
        except services.AgreementError as error:
            flash(error.message, "error")
        except IntegrityError:
            # Someone else started a variation at the same moment: theirs stands.
            db.session.rollback()
            flash("A variation of this agreement is already being prepared.", "error")
        else:
            db.session.commit()
            flash(f"Variation {variation.version_number} is a draft. Change it, then propose it for signing. "
                  f"Version {agreement.version_number} stays in force until the variation is signed.", "success")
            return redirect(url_for("agreements.edit", slug=slug, agreement_id=variation.id))
    return redirect(_show(agreement))


@bp.route("/<slug>/agreements/<int:agreement_id>/close", methods=["GET", "POST"])
@signed_in
def close(slug: str, agreement_id: int):
    engagement = load_engagement(slug)
    _require_edit(engagement)
    agreement = _agreement(engagement, agreement_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            services.close(agreement, actor=g.user, reason=form.reason.data)
        except services.AgreementError as error:
            form.reason.errors.append(error.message)
        else:
            db.session.commit()
            flash("The agreement has been closed.", "success")
            return redirect(_show(agreement))
    return render_template("agreements/close.html", engagement=engagement, agreement=agreement, form=form)


@bp.route("/<slug>/agreements/<int:agreement_id>/milestones/<int:milestone_id>/status", methods=["GET", "POST"])
@signed_in
def milestone_status(slug: str, agreement_id: int, milestone_id: int):
    engagement = load_engagement(slug)
    agreement = _agreement(engagement, agreement_id)
    milestone = part_of(engagement, db.session.get(Milestone, milestone_id), owner=agreement, via="agreement_id")
    if not _can_track(agreement):
        refuse(agreement, "cannot track milestones")
        abort(403)
    form = MilestoneStatusForm(data={"status": milestone.status.value} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.set_milestone_status(milestone, actor=g.user, status=MilestoneStatus(form.status.data))
        except services.AgreementError as error:
            form.status.errors.append(error.message)
        else:
            db.session.commit()
            flash("The milestone's status has been saved.", "success")
            return redirect(_show(agreement))
    return render_template("agreements/milestone_status.html", engagement=engagement, agreement=agreement,
                           milestone=milestone, form=form)
