"""Each person's choice of which e-mails they get. Only ever their own: no page takes a person's id."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for

from engage.accounts.permissions import signed_in
from engage.extensions import db
from engage.mail.footers import PREFERENCES_PATH
from engage.notifications.forms import preferences_form
from engage.notifications.models import Frequency
from engage.notifications.services import preferences_of, set_preferences

bp = Blueprint("notifications", __name__)


@bp.route(PREFERENCES_PATH, methods=["GET", "POST"])
@signed_in
def preferences():
    form = preferences_form(preferences_of(g.user))
    if form.validate_on_submit():
        set_preferences(g.user, {field.name: Frequency(field.data) for field in form.kind_fields()})
        db.session.commit()
        flash("Your e-mail choices have been saved.", "success")
        return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form)
