"""Cards: the few fields of a public record that the lists show, so a list page never reads whole records.

A list item (`templates/public/_macros.html`, `engagement_item`) shows an engagement's title, status, step or
publication date, summary, lead organisation, level, area, themes and, on the home page, how to get involved.
A completed engagement's whole record is its latest published version, some 7-30 kB of JSON; its card,
`card_of(record)`, is a few hundred bytes kept beside each version in `published_cards`, written when the
version is published (`record_published`, in the publication's transaction), and by `fill_missing()` for
versions written without the service (the benchmark's builder, a restore; `flask publish cards`).

An in-progress engagement has no stored record: its card is read from the engagement's own columns and its
themes (`in_progress_cards`) by `record.list_item_part`, the function its whole record takes these fields
from, without loading what the rest of its record needs (hooks, collaborators, step changes, updates).

A card is exactly `card_of` of the record it stands for: tests/public/test_cards.py renders every list with
cards and with whole records and compares them.
"""

from __future__ import annotations

from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import load_only, noload, selectinload

from engage import events
from engage.engagements.models import Engagement, Step
from engage.extensions import db
from engage.publication.models import PublishedCard, PublishedVersion
from engage.publication.record import list_item_part

# The fields of a record that the lists and the feed read: nothing else may be read from a card.
CARD_FIELDS = ("slug", "title", "summary", "status", "step", "level", "published_at", "lead_organisation",
               "area", "themes", "get_involved")


def card_of(record: dict[str, Any]) -> dict[str, Any]:
    """The card of a public record: its fields in `CARD_FIELDS` (those it has)."""
    return {name: record[name] for name in CARD_FIELDS if name in record}


def in_progress_cards(engagement_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The cards of those of these engagements that are in progress, in two queries: the engagements' columns
    (with the lead organisation and area, joined) and their themes."""
    if not engagement_ids:
        return {}
    engagements = db.session.scalars(
        select(Engagement).where(Engagement.id.in_(engagement_ids), Engagement.current_step != Step.COMPLETED)
        .options(load_only(Engagement.slug, Engagement.title, Engagement.summary, Engagement.current_step,
                           Engagement.level, Engagement.get_involved),
                 noload(Engagement.lead_user), selectinload(Engagement.themes))
    ).all()
    # An in-progress record has no version, so no publication date.
    return {engagement.id: list_item_part(engagement, published_at=None) for engagement in engagements}


def _insert(rows: list[dict[str, Any]]) -> None:
    """Insert the cards, skipping any another process inserted first."""
    if not rows:
        return
    connection = db.session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    # On the connection, past the change clock: a card changes nothing residents see (the version it is made
    # from is the change), and a bulk statement through the session would count as a change to every engagement.
    connection.execute(insert(PublishedCard).values(rows).on_conflict_do_nothing(index_elements=["version_id"]))


def _on_published(engagement: Engagement, *, version: PublishedVersion, **_details: Any) -> None:
    # In the publication's transaction: the card is there for the first list that shows the new version, and
    # goes if the publication is rolled back.
    db.session.flush([version])
    _insert([{"version_id": version.id, "card": card_of(version.record)}])


def fill_missing(batch: int = 500) -> int:
    """Store the card of every published version that has none. Commits each batch; returns how many it
    stored. For versions written without the service (the benchmark's builder, a restore)."""
    stored = 0
    while True:
        versions = db.session.execute(
            select(PublishedVersion.id, PublishedVersion.record)
            .where(~select(PublishedCard.version_id).where(PublishedCard.version_id == PublishedVersion.id)
                   .exists())
            .order_by(PublishedVersion.id).limit(batch)).tuples().all()
        if not versions:
            return stored
        _insert([{"version_id": version_id, "card": card_of(record)} for version_id, record in versions])
        db.session.commit()
        stored += len(versions)


@click.command("cards")
@with_appcontext
def cards_command() -> None:
    """Store the list card of every published version that has none."""
    click.echo(f"Stored {fill_missing()} cards.")


def subscribe() -> None:
    events.record_published.connect(_on_published, weak=False)
