"""Signing in and out, invitations, password resets, and each person's own account."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for

from engage.accounts import services as account_services
from engage.accounts import sessions, throttle, two_factor
from engage.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmPasswordForm,
    EmptyForm,
    ForgotPasswordForm,
    NewPasswordForm,
    RecoveryCodeForm,
    SignInForm,
)
from engage.accounts.models import Role, TokenPurpose, TwoFactorMethod, User
from engage.accounts.passwords import verify_password
from engage.accounts.permissions import signed_in
from engage.accounts.services import (
    AccountError,
    accept_invitation,
    change_password,
    find_user_by_email,
    request_password_reset,
    set_two_factor_method,
    valid_token,
)
from engage.audit.services import record
from engage.extensions import db
from engage.security.redirects import safe_next_path

auth_bp = Blueprint("auth", __name__)
account_bp = Blueprint("account", __name__, url_prefix="/account")

PENDING_KEY = "pending_sign_in"
PENDING_SECONDS = 600
SIGNED_OUT_MESSAGES = {
    "idle": "You were signed out because you had not done anything for a while. Sign in again to continue.",
    "expired": "Your session has ended. Sign in again to continue.",
}


@auth_bp.before_request
def _auth_pages_are_not_cached():
    g.no_store = True


def _client_address() -> str | None:
    return request.remote_addr


def _lockout_minutes() -> int:
    return current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"]


def _too_many_codes() -> str:
    return f"You have entered too many wrong codes. Wait {_lockout_minutes()} minutes, then sign in again."


def _landing_page(user: User) -> str:
    return url_for("admin.index") if user.role is Role.ADMIN else url_for("dashboard.dashboard")


def _complete_sign_in(user: User, next_path: str | None, method: str):
    sessions.start_session(user)
    throttle.clear_account_failures(user.email)
    record("auth.signed_in", actor=user, subject=user, method=method)
    db.session.commit()
    return redirect(safe_next_path(next_path) or _landing_page(user))


def _fail_sign_in(email: str, user: User | None, reason: str) -> None:
    throttle.record_failure(email, _client_address())
    record("auth.sign_in_failed", actor=user, subject=user, reason=reason)
    db.session.commit()


@auth_bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if g.user is not None:
        return redirect(_landing_page(g.user))
    form = SignInForm()
    next_path = safe_next_path(request.args.get("next"))
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if throttle.is_throttled(email, _client_address()):
            record("auth.sign_in_throttled", actor=None)
            db.session.commit()
            form.email.errors.append(
                f"You have tried to sign in too many times. Wait {_lockout_minutes()} minutes, then try again, "
                "or reset your password."
            )
            return render_template("auth/sign_in.html", form=form), 429
        user = find_user_by_email(email)
        password_ok = verify_password(user.password_hash if user else None, form.password.data)
        if user is None or not password_ok or not user.is_active:
            _fail_sign_in(email, user, "unknown" if user is None else ("password" if not password_ok else "inactive"))
            form.email.errors.append("Enter the e-mail address and password for your account")
            form.password.errors.append("Enter the e-mail address and password for your account")
            form.password.data = ""
            return render_template("auth/sign_in.html", form=form), 200
        if user.two_factor_method is TwoFactorMethod.NONE:
            return _complete_sign_in(user, next_path, "password")
        sessions.clear_browser_session()
        session[PENDING_KEY] = {"user_id": user.id, "at": int(time.time()), "next": next_path}
        if user.two_factor_method is TwoFactorMethod.EMAIL:
            two_factor.send_email_code(user)
        db.session.commit()
        return redirect(url_for("auth.two_factor_code"))
    if request.method == "GET":
        reason = session.pop(sessions.SIGNED_OUT_KEY, None) or g.signed_out_reason
        if reason in SIGNED_OUT_MESSAGES:
            flash(SIGNED_OUT_MESSAGES[reason], "info")
    return render_template("auth/sign_in.html", form=form)


def _pending_user() -> tuple[User | None, str | None]:
    pending = session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, None
    user = db.session.get(User, pending["user_id"])
    if user is None or not user.is_active:
        return None, None
    return user, pending.get("next")


@auth_bp.route("/sign-in/code", methods=["GET", "POST"])
def two_factor_code():
    user, next_path = _pending_user()
    if user is None:
        flash("Your sign-in took too long. Sign in again.", "info")
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        if throttle.is_throttled(user.email, _client_address()):
            form.code.errors.append(_too_many_codes())
            return render_template("auth/two_factor_code.html", form=form, user=user), 429
        if user.two_factor_method is TwoFactorMethod.TOTP:
            step = two_factor.totp_step_matching(user.totp_secret, form.code.data, after_step=user.totp_last_step)
            ok = step is not None
            if ok:
                user.totp_last_step = step
        else:
            ok = two_factor.use_email_code(user, form.code.data)
        if ok:
            return _complete_sign_in(user, next_path, user.two_factor_method.value)
        _fail_sign_in(user.email, user, "code")
        form.code.errors.append("The code is not correct or has expired. Check it and try again")
        form.code.data = ""
        status = 200
    return render_template("auth/two_factor_code.html", form=form, user=user, resend_form=EmptyForm()), status


@auth_bp.route("/sign-in/code/new", methods=["POST"])
def resend_code():
    user, _ = _pending_user()
    if user is None or user.two_factor_method is not TwoFactorMethod.EMAIL:
        return redirect(url_for("auth.sign_in"))
    if EmptyForm().validate_on_submit():
        two_factor.send_email_code(user)
        db.session.commit()
        flash("We have sent you a new code. Earlier codes no longer work.", "success")
    return redirect(url_for("auth.two_factor_code"))


@auth_bp.route("/sign-in/recovery-code", methods=["GET", "POST"])
def recovery_code():
    user, next_path = _pending_user()
    if user is None:
        return redirect(url_for("auth.sign_in"))
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        if throttle.is_throttled(user.email, _client_address()):
            form.code.errors.append(_too_many_codes())
            return render_template("auth/recovery_code.html", form=form), 429
        if two_factor.use_recovery_code(user, form.code.data):
            record("auth.recovery_code_used", actor=user, subject=user,
                   codes_left=two_factor.recovery_codes_left(user))
            return _complete_sign_in(user, next_path, "recovery_code")
        _fail_sign_in(user.email, user, "recovery_code")
        form.code.errors.append("This recovery code is not correct or has already been used")
        form.code.data = ""
    return render_template("auth/recovery_code.html", form=form)


@auth_bp.route("/sign-out", methods=["POST"])
def sign_out():
    if EmptyForm().validate_on_submit() and g.user is not None:
        record("auth.signed_out", actor=g.user, subject=g.user)
        sessions.end_current_session("signed_out")
        db.session.commit()
    sessions.clear_browser_session()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


# Invitations and password resets keep the token out of the address bar after the first request,
# so it cannot leak through history, referrers or shared screens.

@auth_bp.route("/invitation/<token>")
def invitation(token: str):
    session.pop("reset_token", None)
    session["invitation_token"] = token
    return redirect(url_for("auth.accept_invitation_page"))


@auth_bp.route("/invitation", methods=["GET", "POST"])
def accept_invitation_page():
    token = session.get("invitation_token", "")
    row = valid_token(token, TokenPurpose.INVITATION)
    if row is None:
        return render_template("auth/link_expired.html", kind="invitation"), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user, codes = accept_invitation(token, form.password.data)
        except AccountError as error:
            form.password.errors.append(error.message)
        else:
            sessions.start_session(user)
            session["new_recovery_codes"] = codes
            record("auth.signed_in", actor=user, subject=user, method="invitation")
            db.session.commit()
            return redirect(url_for("account.recovery_codes_shown"))
    return render_template("auth/accept_invitation.html", form=form, invitee=row.user)


@auth_bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        db.session.commit()
        return render_template("auth/reset_requested.html")
    return render_template("auth/forgot_password.html", form=form)


@auth_bp.route("/reset-password/<token>")
def reset_password_link(token: str):
    session.pop("invitation_token", None)
    session["reset_token"] = token
    return redirect(url_for("auth.reset_password"))


@auth_bp.route("/reset-password", methods=["GET", "POST"])
def reset_password():
    token = session.get("reset_token", "")
    row = valid_token(token, TokenPurpose.PASSWORD_RESET)
    if row is None:
        return render_template("auth/link_expired.html", kind="reset"), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            account_services.reset_password(token, form.password.data)
            db.session.commit()
        except AccountError as error:
            form.password.errors.append(error.message)
        else:
            sessions.clear_browser_session()
            flash("Your password has been changed. Sign in with your new password.", "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)


# Your account ------------------------------------------------------------------------------------

@account_bp.route("/")
@signed_in
def index():
    return render_template("account/index.html", sign_out_everywhere=EmptyForm(),
                           recovery_codes_left=two_factor.recovery_codes_left(g.user))


@account_bp.route("/password", methods=["GET", "POST"])
@signed_in
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(g.user.password_hash, form.current.data):
            form.current.errors.append("Your current password is not correct")
        else:
            try:
                change_password(g.user, form.password.data)
            except AccountError as error:
                form.password.errors.append(error.message)
            else:
                sessions.start_session(g.user)
                db.session.commit()
                flash("Your password has been changed. You have been signed out everywhere else.", "success")
                return redirect(url_for("account.index"))
    return render_template("account/password.html", form=form)


@account_bp.route("/sign-out-everywhere", methods=["POST"])
@signed_in
def sign_out_everywhere():
    if EmptyForm().validate_on_submit():
        sessions.end_all_sessions(g.user, "signed_out_everywhere")
        record("auth.signed_out_everywhere", actor=g.user, subject=g.user)
        db.session.commit()
        sessions.clear_browser_session()
        flash("You have signed out on every device.", "success")
    return redirect(url_for("auth.sign_in"))


@account_bp.route("/recovery-codes", methods=["GET", "POST"])
@signed_in
def recovery_codes():
    form = EmptyForm()
    if form.validate_on_submit():
        session["new_recovery_codes"] = two_factor.new_recovery_codes(g.user)
        record("account.recovery_codes_replaced", actor=g.user, subject=g.user)
        db.session.commit()
        return redirect(url_for("account.recovery_codes_shown"))
    return render_template("account/recovery_codes.html", form=form,
                           codes_left=two_factor.recovery_codes_left(g.user))


@account_bp.route("/recovery-codes/new")
@signed_in
def recovery_codes_shown():
    codes = session.pop("new_recovery_codes", None)
    if not codes:
        return redirect(url_for("account.recovery_codes"))
    return render_template("account/recovery_codes_shown.html", codes=codes)


@account_bp.route("/two-factor/app", methods=["GET", "POST"])
@signed_in
def authenticator_app():
    secret = session.get("totp_setup_secret")
    if request.method == "GET" or not secret:
        secret = two_factor.new_totp_secret()
        session["totp_setup_secret"] = secret
    form = CodeForm()
    if form.validate_on_submit():
        step = two_factor.totp_step_matching(secret, form.code.data, after_step=None)
        if step is None:
            form.code.errors.append("The code is not correct. Check the time on your phone and try again")
            form.code.data = ""
        else:
            set_two_factor_method(g.user, TwoFactorMethod.TOTP, totp_secret=secret)
            g.user.totp_last_step = step
            db.session.commit()
            session.pop("totp_setup_secret", None)
            flash("You will now use your authenticator app to sign in.", "success")
            return redirect(url_for("account.index"))
    uri = two_factor.provisioning_uri(g.user, secret)
    return render_template("account/authenticator_app.html", form=form, secret=secret,
                           qr_svg=two_factor.qr_code_svg(uri))


@account_bp.route("/two-factor/email", methods=["POST"])
@signed_in
def use_email_codes():
    if EmptyForm().validate_on_submit():
        set_two_factor_method(g.user, TwoFactorMethod.EMAIL)
        db.session.commit()
        flash("You will now get a code by e-mail when you sign in.", "success")
    return redirect(url_for("account.index"))


@account_bp.route("/two-factor/off", methods=["GET", "POST"])
@signed_in
def turn_off_two_factor():
    if g.user.role.requires_two_factor:
        return redirect(url_for("account.index"))
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        if not verify_password(g.user.password_hash, form.password.data):
            form.password.errors.append("Your password is not correct")
        else:
            set_two_factor_method(g.user, TwoFactorMethod.NONE)
            db.session.commit()
            flash("Two-factor sign-in is off. You can turn it back on at any time.", "success")
            return redirect(url_for("account.index"))
    return render_template("account/two_factor_off.html", form=form)
