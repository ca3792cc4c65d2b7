"""The outbox: messages are queued with the change that causes them and delivered afterwards, by the
scheduler's deliver-mail job (never inside a web request, so pages stay fast when the mail server is slow).

Delivery is safe to run in several processes at once and to cut short: each message is claimed (a token
and a time the claim lapses, committed before anything is sent, by an UPDATE that only one sender can win),
sent, then marked sent. A sender killed after claiming leaves the claim to lapse, and the next run sends the
message. A sender killed between the mail server accepting a message and marking it sent would send it
again once its claim lapses: every message has a stable Message-ID so a receiving system can tell.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select

from engage import claims
from engage.database import insert_once, utcnow
from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from engage.text.lengths import shortened
from engage.text.one_line import fold

# How long a sender has to send a claimed message before another may take it over: far longer than one
# message takes (each SMTP step times out after SMTP_TIMEOUT_SECONDS), far shorter than anyone would wait.
CLAIM_SECONDS = 300
_SUBJECT_LENGTH = OutboxMessage.subject.type.length


def queue_message(to_address: str, subject: str, body_text: str, *, sensitive: bool = False,
                  idempotency_key: str | None = None, headers: dict[str, str] | None = None,
                  private_recipient: bool = False) -> OutboxMessage:
    """Queue an e-mail with the caller's change (the caller commits). Given an `idempotency_key` naming the
    occasion, a second call with the same key returns the message already queued instead of a second one.
    `headers` are added to the message as sent (List-Unsubscribe, say); a `private_recipient`'s address (a
    resident following records) is never shown to administrators nor written to the log. The subject is folded onto
    one line: an e-mail header cannot hold a line break, and titles saved before one-line fields refused them may;
    and cut to fit its column, however long the title it was built from."""
    subject = shortened(fold(subject), _SUBJECT_LENGTH)
    values = {"to_address": to_address, "subject": subject, "body_text": body_text, "sensitive": sensitive,
              "headers": headers, "private_recipient": private_recipient}
    if idempotency_key is None:
        message = OutboxMessage(**values)
        db.session.add(message)
    else:
        message = _queue_once(idempotency_key, values)
    if current_app.config.get("MAIL_ECHO") and not smtp_configured():
        # Development only: lets someone trying the service read sign-in codes in the terminal.
        current_app.logger.info("E-mail to %s: %s\n%s", "a follower" if private_recipient else to_address, subject,
                                body_text)
    return message


def _queue_once(key: str, values: dict) -> OutboxMessage:
    message = insert_once(OutboxMessage, OutboxMessage.idempotency_key, {"idempotency_key": key, **values})
    if message is not None:
        return message
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).one()


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def _retry_delay(attempts: int) -> timedelta:
    # 1, 2, 4 … minutes, capped at six hours.
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def message_id(message: OutboxMessage) -> str:
    """The same Message-ID every time this message is sent, so a receiver can recognise a repeat."""
    config = current_app.config
    domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or urlsplit(config["BASE_URL"]).hostname
    return f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S}@{domain or 'localhost'}>"


# A header line may be 998 characters (RFC 5322). Python folds at 78 by default, and writes a longer word, such
# as the address in List-Unsubscribe, as an encoded word that mail programs would not read as an address.
_LONG_HEADERS = email_policy.default.clone(max_line_length=998)


def _as_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage(policy=_LONG_HEADERS) if message.headers else EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = message_id(message)
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.body_text)
    return email


def _due_ids(limit: int) -> list[int]:
    return list(db.session.scalars(
        select(OutboxMessage.id).where(claims.claimable(OutboxMessage, MessageStatus.QUEUED, utcnow()))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ))


def claim(message_id: int) -> str | None:
    """Claim a due message for this sender, committed at once. The token, or None if another sender holds a
    live claim on it or it is no longer waiting."""
    return claims.claim(OutboxMessage, message_id, waiting=MessageStatus.QUEUED, now=utcnow(), seconds=CLAIM_SECONDS)


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT_SECONDS"])
    try:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


@dataclass(frozen=True)
class Failure:
    """Why one message was not sent. A `final` failure is one that sending again cannot mend, so the message is
    marked failed at once: it cannot be written as an e-mail at all, or the mail server refused it or its
    recipient for good (a 5xx reply). Anything else (no connection, a time-out, the server gone away, a 4xx
    "try later" reply, a refusal of our own sender address, which would refuse every message alike) is tried
    again later, with waits that double, until MAIL_MAX_ATTEMPTS. `connection_lost`: the connection cannot be
    trusted for the next message."""

    reason: str
    final: bool = False
    connection_lost: bool = False


_NOT_AGAIN = "Not sent, and will not be tried again: "


def _permanent(code: int | None) -> bool:
    # SMTP replies 5xx mean "do not send this again as it is"; 4xx mean "try again later" (RFC 5321, 4.2.1).
    return code is not None and 500 <= code <= 599


def _reply(code: int | None, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}".strip()


def _send(smtp: smtplib.SMTP, message: OutboxMessage) -> Failure | None:
    """Send one message on an open connection: None when the mail server took it, else why not. Never raises for
    the message's sake, so one bad message cannot stop the rest of the batch."""
    try:
        email = _as_email(message)
    except Exception as error:  # whatever the cause, this message cannot be written as an e-mail
        return Failure(f"{_NOT_AGAIN}it could not be written as an e-mail ({type(error).__name__}: {error})",
                       final=True)
    try:
        smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as error:
        replies = list(error.recipients.values())
        final = all(_permanent(code) for code, _text in replies)
        said = "; ".join(_reply(code, text) for code, text in replies)
        return Failure(f"{_NOT_AGAIN}the mail server refused the recipient ({said})" if final
                       else f"the mail server refused the recipient for now ({said})", final=final)
    except smtplib.SMTPSenderRefused as error:
        return Failure(f"the mail server refused the sender address ({_reply(error.smtp_code, error.smtp_error)})")
    except smtplib.SMTPResponseException as error:  # the message itself, after DATA: 554 refused, 552 too big
        said = _reply(error.smtp_code, error.smtp_error)
        if _permanent(error.smtp_code):
            return Failure(f"{_NOT_AGAIN}the mail server refused it ({said})", final=True)
        return Failure(f"the mail server refused it for now ({said})")
    except smtplib.SMTPNotSupportedError as error:  # say, an address that is not ASCII, and no SMTPUTF8
        return Failure(f"{_NOT_AGAIN}the mail server cannot take it ({error})", final=True)
    except OSError as error:  # no answer, a time-out, the connection dropped (SMTPServerDisconnected among them)
        return Failure(str(error) or type(error).__name__, connection_lost=True)
    except Exception as error:  # failed while being written out: the connection may be mid-message
        return Failure(f"{_NOT_AGAIN}it could not be sent ({type(error).__name__}: {error})", final=True,
                       connection_lost=True)
    return None


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def deliver_due_messages(limit: int = 100) -> dict[str, int]:
    """Send queued messages whose time has come, each claimed first and committed on its own, so a failure
    or a crash part-way loses nothing, and a message that fails (however it fails) is recorded and the rest go
    on. Returns counts of what happened."""
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    if not smtp_configured():
        return counts
    smtp: smtplib.SMTP | None = None
    connection_error: str | None = None
    try:
        for message_id_ in _due_ids(limit):
            token = claim(message_id_)
            if token is None:
                continue  # another sender has it, or sent it meanwhile
            message = db.session.get_one(OutboxMessage, message_id_, populate_existing=True)
            if smtp is None and connection_error is None:
                try:
                    smtp = _connect()
                except (OSError, smtplib.SMTPException) as error:
                    connection_error = f"could not connect: {error}"
            if connection_error is not None:
                failure: Failure | None = Failure(connection_error)
            else:
                assert smtp is not None
                failure = _send(smtp, message)
                # smtplib closes the connection itself on some replies (421, "closing"): connect afresh then too.
                if failure is not None and (failure.connection_lost or smtp.sock is None):
                    _close(smtp)
                    smtp = None
            if failure is None:
                message.status = MessageStatus.SENT
                message.sent_at = utcnow()
                message.attempts += 1
                message.last_error = None
                counts["sent"] += 1
            else:
                _record_failure(message, failure, counts)
            if claims.release(OutboxMessage, message_id_, token):
                db.session.commit()
            else:
                db.session.rollback()  # too slow: another sender took the message over, and its outcome stands
    finally:
        if smtp is not None:
            _close(smtp)
    return counts


def _record_failure(message: OutboxMessage, failure: Failure, counts: dict[str, int]) -> None:
    # On one line and without control characters, whatever the error quoted (a NUL would not even save).
    error = fold(failure.reason)
    if message.private_recipient:
        # A mail server's refusal often quotes the address; a follower's is never kept where people read it.
        error = error.replace(message.to_address, "[the follower's address]")
    message.attempts += 1
    message.last_error = error[:500]
    if failure.final or message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.status = MessageStatus.FAILED
        counts["failed"] += 1
    else:
        message.next_attempt_at = utcnow() + _retry_delay(message.attempts)
        counts["retrying"] += 1


def deliver_due_messages_job() -> str:
    """The scheduler's deliver-mail job."""
    if not smtp_configured():
        waiting = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                    .where(OutboxMessage.status == MessageStatus.QUEUED))
        return (f"No mail server is set (SMTP_HOST), so e-mails stay in the outbox for administrators to read: "
                f"{waiting} waiting.")
    return describe(deliver_due_messages())


def describe(counts: dict[str, int]) -> str:
    return f"Sent {counts['sent']}, will retry {counts['retrying']}, gave up on {counts['failed']}."
