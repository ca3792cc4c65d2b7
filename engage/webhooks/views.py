"""Administrators' pages for webhooks at /admin/webhooks: subscriptions, their deliveries and attempts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from engage.accounts.forms import EmptyForm
from engage.accounts.permissions import admin_required
from engage.extensions import db
from engage.webhooks import services
from engage.webhooks.forms import SubscriptionForm
from engage.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")
PAGE_SIZE = 50


def _saved(form: SubscriptionForm, save):
    """Validate the form and save through the service; the service's refusal is shown on its field and
    the form keeps what was typed. Returns what `save` returned, or None."""
    if not form.validate_on_submit():
        return None
    try:
        saved = save({"url": form.url.data, "description": form.description.data or "", "events": form.events.data})
    except services.WebhookError as error:
        getattr(form, error.field).errors.append(error.message)
        return None
    db.session.commit()
    return saved


@bp.route("/")
@admin_required
def index():
    subscriptions = db.session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)).all()
    waiting = dict(db.session.execute(
        select(WebhookDelivery.subscription_id, func.count(WebhookDelivery.id))
        .where(WebhookDelivery.status == DeliveryStatus.PENDING).group_by(WebhookDelivery.subscription_id)).all())
    return render_template("webhooks/index.html", subscriptions=subscriptions, waiting=waiting)


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    form = SubscriptionForm()
    created = _saved(form, lambda fields: services.create_subscription(**fields, actor=g.user))
    if created is not None:
        flash("The webhook has been added. Give its signing secret to whoever runs the receiver.", "success")
        return redirect(url_for("webhooks.secret", subscription_id=created.id))
    return render_template("webhooks/form.html", form=form, subscription=None)


@bp.route("/<int:subscription_id>")
@admin_required
def show(subscription_id: int):
    subscription = db.get_or_404(WebhookSubscription, subscription_id)
    page = max(request.args.get("page", 1, type=int), 1)
    deliveries = db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
        .order_by(WebhookDelivery.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return render_template("webhooks/show.html", subscription=subscription, deliveries=deliveries[:PAGE_SIZE],
                           page=page, has_next=len(deliveries) > PAGE_SIZE, button_form=EmptyForm())


@bp.route("/<int:subscription_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(subscription_id: int):
    subscription = db.get_or_404(WebhookSubscription, subscription_id)
    data = None
    if request.method == "GET":
        data = {"url": subscription.url, "description": subscription.description, "events": subscription.events}
    form = SubscriptionForm(data=data)
    if _saved(form, lambda fields: services.update_subscription(subscription, **fields, actor=g.user)):
        flash("The webhook has been saved.", "success")
        return redirect(url_for("webhooks.show", subscription_id=subscription.id))
    return render_template("webhooks/form.html", form=form, subscription=subscription)


@bp.route("/<int:subscription_id>/secret")
@admin_required
def secret(subscription_id: int):
    """The signing secret, for administrators only. Viewing it is recorded in the audit log."""
    subscription = db.get_or_404(WebhookSubscription, subscription_id)
    services.secret_viewed(subscription, actor=g.user)
    db.session.commit()
    return render_template("webhooks/secret.html", subscription=subscription, button_form=EmptyForm())


def _button(subscription_id: int, change, message: str, then: str = "webhooks.show"):
    if not EmptyForm().validate_on_submit():
        abort(400)
    subscription = db.get_or_404(WebhookSubscription, subscription_id)
    change(subscription, actor=g.user)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(then, subscription_id=subscription_id))


@bp.post("/<int:subscription_id>/rotate")
@admin_required
def rotate(subscription_id: int):
    return _button(subscription_id, services.rotate_secret,
                   "A new signing secret has been made. The old one no longer signs anything.", then="webhooks.secret")


@bp.post("/<int:subscription_id>/pause")
@admin_required
def pause(subscription_id: int):
    return _button(subscription_id, services.pause, "The webhook is paused. Events are not sent until it is resumed.")


@bp.post("/<int:subscription_id>/resume")
@admin_required
def resume(subscription_id: int):
    return _button(subscription_id, services.resume, "The webhook is sending events again.")


@bp.route("/<int:subscription_id>/delete", methods=["GET", "POST"])
@admin_required
def delete(subscription_id: int):
    subscription = db.get_or_404(WebhookSubscription, subscription_id)
    form = EmptyForm()
    if form.validate_on_submit():
        services.delete(subscription, actor=g.user)
        db.session.commit()
        flash("The webhook and its deliveries have been deleted.", "success")
        return redirect(url_for("webhooks.index"))
    return render_template("webhooks/delete.html", subscription=subscription, button_form=form)


@bp.route("/<int:subscription_id>/deliveries/<int:delivery_id>")
@admin_required
def delivery(subscription_id: int, delivery_id: int):
    subscription = db.get_or_404(WebhookSubscription, subscription_id)
    found = db.session.get(WebhookDelivery, delivery_id)
    if found is None or found.subscription_id != subscription.id:
        abort(404)
    return render_template("webhooks/delivery.html", subscription=subscription, delivery=found)
