"""The outbox, readable by administrators (the embedded default keeps e-mails here).

These pages sit with the other administrators' pages, above the outbox they read: the mail package stays below
every domain that sends e-mail, accounts among them, so it cannot ask who is an administrator.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from engage.accounts.permissions import admin_required
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.mail.services import smtp_configured

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")
PAGE_SIZE = 50


def body_visible(message: OutboxMessage) -> bool:
    # Once mail really leaves the service, sign-in links and codes are for their recipient alone.
    return not (message.sensitive and smtp_configured())


@bp.route("/")
@admin_required
def index():
    page = max(request.args.get("page", 1, type=int), 1)
    messages = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).all()
    return render_template("outbox/index.html", messages=messages[:PAGE_SIZE], page=page,
                           has_next=len(messages) > PAGE_SIZE, smtp=smtp_configured())


@bp.route("/<int:message_id>")
@admin_required
def show(message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return render_template("outbox/show.html", message=message, body_visible=body_visible(message))
