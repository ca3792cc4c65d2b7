"""The follower-updates job: e-mails each confirmed follower about new published versions of the records they
follow, at most once a UK calendar day (one version gets its own e-mail; several are listed in one).

A version is sent to a follow once: which versions each e-mail held is written (`follow_sent_versions`) in the
same transaction as queuing it, and the outbox key `follow:<reference>:<UK date>` lets a follow have one e-mail
a day, so a second run, a run racing this one, or a run after one killed half way sends nothing twice. What
arrives after today's e-mail waits for tomorrow's. Only versions published after the follower confirmed count,
and only while the engagement is public (never while it is held back).

The job also deletes sign-ups never confirmed once their link has expired, and sign-up counts that no longer
count towards the rate limit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, exists, or_, select

from engage.clock import LONDON
from engage.database import utcnow
from engage.engagements.models import Engagement, engagement_themes
from engage.extensions import db
from engage.following import emails
from engage.following.models import Follow, FollowSent
from engage.following.services import outbox_key, prune, send_to
from engage.mail.models import OutboxMessage
from engage.publication.models import PublishedVersion
from engage.publication.visibility import is_public_clause
from engage.vocabularies.models import Area


def _matches_follow():
    """A follow of this version's engagement, of its area (an area takes in its neighbourhoods), or of one of
    its themes."""
    in_area = exists().where(Area.id == Engagement.area_id,
                             or_(Area.id == Follow.area_id, Area.parent_id == Follow.area_id))
    has_theme = exists().where(engagement_themes.c.engagement_id == Engagement.id,
                               engagement_themes.c.theme_id == Follow.theme_id)
    return or_(Follow.engagement_id == Engagement.id,
               and_(Follow.area_id.is_not(None), in_area),
               and_(Follow.theme_id.is_not(None), has_theme))


def waiting_versions() -> dict[int, list[int]]:
    """Follow id → ids of the versions it has not yet been sent, in one query."""
    sent = exists().where(FollowSent.follow_id == Follow.id, FollowSent.version_id == PublishedVersion.id)
    rows = db.session.execute(
        select(Follow.id, PublishedVersion.id)
        .select_from(PublishedVersion)
        .join(Engagement, Engagement.id == PublishedVersion.engagement_id)
        .join(Follow, _matches_follow())
        .where(Follow.confirmed_at.is_not(None), PublishedVersion.published_at > Follow.confirmed_at,
               is_public_clause(), ~sent)
        .order_by(Follow.id, PublishedVersion.published_at, PublishedVersion.id)
    ).all()
    waiting: dict[int, list[int]] = defaultdict(list)
    for follow_id, version_id in rows:
        waiting[follow_id].append(version_id)
    return waiting


def day_key(moment: datetime) -> str:
    return moment.astimezone(LONDON).date().isoformat()


def send_follower_updates() -> str:
    # Sign-ups never confirmed go first, once their link has expired (within the hour, as the notice says).
    pruned = prune()
    db.session.commit()
    waiting = waiting_versions()
    written = write_updates(waiting.values())
    sent = versions = later = 0
    for follow_id, version_ids in waiting.items():
        if _send_one(follow_id, version_ids, written):
            sent += 1
            versions += len(version_ids)
        else:
            later += 1
        db.session.commit()
    summary = f"E-mailed {sent} followers about {versions} new versions"
    if later:
        summary += f"; {later} already had today's e-mail and wait for tomorrow"
    return f"{summary}. Deleted {pruned}."


def write_updates(waiting: Iterable[list[int]]) -> dict[tuple[int, ...], tuple[str, str]]:
    """The subject and body for each distinct list of version ids (in order), from one query. Everyone who
    follows one area or theme mostly waits for the same versions: each e-mail is written once, not once per
    follower, and before the first commit expires the versions loaded."""
    lists = {tuple(version_ids) for version_ids in waiting}
    wanted = {version_id for version_ids in lists for version_id in version_ids}
    versions = {version.id: version for version in
                db.session.scalars(select(PublishedVersion).where(PublishedVersion.id.in_(wanted)))}
    return {version_ids: emails.update([versions[version_id] for version_id in version_ids])
            for version_ids in lists}


def _send_one(follow_id: int, version_ids: list[int],
              written: dict[tuple[int, ...], tuple[str, str]] | None = None) -> bool:
    """Queue this follow's e-mail for today and note the versions it holds; False if today's went already.
    `version_ids` are in the order waiting_versions() gives; `written` is write_updates() for them."""
    now = utcnow()
    follow = db.session.get_one(Follow, follow_id)
    occasion = day_key(now)
    if db.session.scalar(select(OutboxMessage.id)
                         .where(OutboxMessage.idempotency_key == outbox_key(follow, occasion))) is not None:
        return False
    if written is None:
        written = write_updates([version_ids])
    subject, body = written[tuple(version_ids)]
    message = send_to(follow, occasion=occasion, subject=subject, body=body)
    if not message.body_text.startswith(body.rstrip()):
        # Another run queued today's e-mail between the check above and now, holding what it saw: leave these
        # for tomorrow rather than mark them as sent in an e-mail that may not hold them.
        db.session.rollback()
        return False
    db.session.add_all([FollowSent(follow_id=follow.id, version_id=version_id, sent_at=now)
                        for version_id in version_ids])
    return True
