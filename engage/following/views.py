"""Pages for residents who follow records by e-mail, without an account: signing up, confirming, unsubscribing.

None of these pages shows an e-mail address, and none is cached. The confirmation link's token is moved out of
the address bar on the first request, as account links are. The unsubscribe address takes a POST without a
CSRF token (RFC 8058 one-click unsubscribe, sent by mail programs): the unguessable token in it is the proof.
"""

from __future__ import annotations

import math

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for

from engage.database import utcnow
from engage.extensions import csrf, db
from engage.following import services
from engage.following.forms import ConfirmForm, FollowForm
from engage.templating import format_datetime

bp = Blueprint("following", __name__, url_prefix="/follow")

KINDS = "any(engagement, area, theme)"
CONFIRM_TOKEN_KEY = "follow_confirm_token"  # noqa: S105 - the session key's name, not a secret


@bp.before_request
def _never_cached() -> None:
    g.no_store = True


def _target(kind: str, slug: str) -> services.Target:
    target = services.find_target(kind, slug)
    if target is None:
        abort(404)
    return target


@bp.route(f"/<{KINDS}:kind>/<slug>", methods=["GET", "POST"])
def follow(kind: str, slug: str):
    target = _target(kind, slug)
    form = FollowForm()
    if form.validate_on_submit():
        try:
            services.sign_up(target, form.email.data, client=request.remote_addr)
        except services.TooManySignUps as refused:
            db.session.rollback()
            wait = max(math.ceil((refused.retry_at - utcnow()).total_seconds()), 1)
            return (render_template("following/too_many.html", target=target,
                                    retry_at=format_datetime(refused.retry_at)), 429, {"Retry-After": str(wait)})
        db.session.commit()
        return redirect(url_for("following.check_your_email", kind=kind, slug=slug))
    return render_template("following/follow.html", form=form, target=target, hours=services.CONFIRM_HOURS)


@bp.route(f"/<{KINDS}:kind>/<slug>/check-your-email")
def check_your_email(kind: str, slug: str):
    return render_template("following/check_your_email.html", target=_target(kind, slug),
                           hours=services.CONFIRM_HOURS)


@bp.route("/confirm/<token>")
def confirm_link(token: str):
    session[CONFIRM_TOKEN_KEY] = token
    return redirect(url_for("following.confirm"))


@bp.route("/confirm", methods=["GET", "POST"])
def confirm():
    found = services.confirmation(session.get(CONFIRM_TOKEN_KEY, ""))
    if found.state in ("unknown", "expired"):
        return render_template("following/link_not_working.html", state=found.state,
                               hours=services.CONFIRM_HOURS), 404 if found.state == "unknown" else 410
    assert found.follow is not None
    target = services.target_of(found.follow)
    if found.state == "already":
        session.pop(CONFIRM_TOKEN_KEY, None)
        return render_template("following/confirmed.html", target=target, already=True)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.confirm(found.follow)
        db.session.commit()
        session.pop(CONFIRM_TOKEN_KEY, None)
        return render_template("following/confirmed.html", target=target, already=False)
    return render_template("following/confirm.html", form=form, target=target)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    follow = services.find_by_unsubscribe_token(token)
    if follow is None:
        return render_template("following/link_not_working.html", state="unsubscribe"), 404
    target = services.target_of(follow)
    if request.method == "POST":
        services.unsubscribe(follow)
        db.session.commit()
        return render_template("following/unsubscribed.html", target=target)
    return render_template("following/unsubscribe.html", target=target)
