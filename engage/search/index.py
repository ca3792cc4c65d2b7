"""Full-text search over public engagements and insights, on SQLite (FTS5) and PostgreSQL (full-text
search), behind one interface.

The searchable text lives in `search_documents`: one row per public engagement and one per insight in a
published record, built from the public record itself, so search can never find what residents cannot
see. Application code keeps it current (see `refresh` and the session hooks below). On SQLite an FTS5
table indexes it, kept in step by triggers; on PostgreSQL a stored, generated `tsvector` column with a GIN
index, which the queries match and rank by. Both are made by the migration: they are not models.

A search finds documents holding every word of the query (stemmed, in any order); punctuation is ignored,
so nothing a resident types can break the query.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import datetime
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import (
    CTE,
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Subquery,
    Table,
    Text,
    UniqueConstraint,
    delete,
    event,
    false,
    func,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage.database import UTCDateTime, is_app_session, utcnow
from engage.engagements.models import (
    Collaborator,
    Engagement,
    Hook,
    ProgressUpdate,
    StepChange,
)
from engage.extensions import db
from engage.publication.models import PublishedVersion
from engage.publication.record import public_record
from engage.publication.visibility import is_public_clause
from engage.search.results import Page
from engage.vocabularies.models import Theme

# PostgreSQL's text-search configuration: English stemming, as SQLite's porter tokenizer does.
TEXT_SEARCH_CONFIG = "english"
FTS_TABLE = "search_fts"
FULLTEXT_INDEX = "ix_search_documents_fulltext"
# PostgreSQL's stored, generated tsvector of title and body (the GIN index is on it).
SEARCH_VECTOR = "search_vector"
# The narrow index a match is joined back through (kind, id and the columns the searches filter and sort
# on), so that neither SQLite nor PostgreSQL reads a document's wide row (its body, its data) to learn what
# it is: only the page's rows are read whole.
MATCHING_INDEX = "ix_search_documents_matching"
# bm25 ranks better matches lower; a word in the title counts four times one in the body.
# The index is read first and once (CROSS JOIN fixes SQLite's join order; the query is used as a materialised
# CTE): left to itself, SQLite would loop over every document of the kind and run the match again for each,
# some 40 times slower with 50,000 insights. Each match's kind is read from the narrow index (INDEXED BY:
# the planner would take the table's own row, by its rowid, some 7 KB for an engagement), and bm25 is worked
# out only for documents of the kind asked for.
_SQLITE_MATCH = ("SELECT d.id AS document_id, d.engagement_id AS engagement_id, d.published_at AS published_at, "
                 "d.position AS position, d.lens AS lens, d.blocker AS blocker, bm25(search_fts, 4.0, 1.0) AS rank "
                 "FROM search_fts CROSS JOIN search_documents AS d INDEXED BY " + MATCHING_INDEX + " "
                 "ON d.kind = :kind AND d.id = search_fts.rowid "
                 "WHERE search_fts MATCH :match")
# Tokens are runs of letters and digits; each must appear in a match.
_TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_TOKENS = 20


search_document_themes = Table(
    "search_document_themes",
    db.metadata,
    Column("document_id", ForeignKey("search_documents.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class SearchDocument(db.Model):
    """The searchable text of one public engagement (`kind` "engagement") or of one insight in its latest
    published record (`kind` "insight", with `data` the insight as published and its engagement)."""

    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("engagement_id", "kind", "position", name="one_document_per_place"),
                      Index(MATCHING_INDEX, "kind", "id", "engagement_id", "published_at", "position", "lens",
                            "blocker"))

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    lens: Mapped[str | None] = mapped_column(String(30))
    blocker: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The public record's digest and when it last changed: the engagement's row only.
    record_sha256: Mapped[str] = mapped_column(String(64), default="")
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def is_search_index_table(name: str) -> bool:
    """The FTS5 table and its shadow tables: made by the migration, not described by the models."""
    return name == FTS_TABLE or name.startswith(f"{FTS_TABLE}_")


def include_in_schema_comparison(name: str | None, type_: str, _parent_names: Any = None) -> bool:
    """Alembic's `include_name`: leave the full-text index (not a model) out of the comparison of the
    database with the models."""
    if type_ == "table":
        return not is_search_index_table(name or "")
    if type_ == "index":
        return name != FULLTEXT_INDEX
    if type_ == "column":
        return name != SEARCH_VECTOR
    return True


# Matching ------------------------------------------------------------------------------------------------

def tokens(q: str) -> list[str]:
    return _TOKEN.findall(q.casefold())[:MAX_TOKENS]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _postgres_vector() -> Any:
    # The stored column, not a to_tsvector() call: ranking would otherwise parse every matching body again.
    return literal_column(f"{SearchDocument.__tablename__}.{SEARCH_VECTOR}")


def _postgres_query(words: list[str]) -> Any:
    return func.plainto_tsquery(literal_column(f"'{TEXT_SEARCH_CONFIG}'"), " ".join(words))


def document_matches(q: str, kind: str) -> Subquery | CTE:
    """Documents of this kind matching `q`: (document_id, engagement_id, rank) and the columns the insight
    search filters and sorts on (published_at, position, lens, blocker), all from the narrow index; lower
    rank is better."""
    words = tokens(q)
    columns = (SearchDocument.id.label("document_id"), SearchDocument.engagement_id, SearchDocument.published_at,
               SearchDocument.position, SearchDocument.lens, SearchDocument.blocker)
    if not words:
        return select(*columns, literal(0.0).label("rank")).where(false()).subquery()
    if _dialect() == "sqlite":
        # Each token quoted, so FTS5 query syntax in what a resident types is taken as plain words.
        match = " ".join(f'"{word}"' for word in words)
        return (text(_SQLITE_MATCH)
                .bindparams(match=match, kind=kind)
                .columns(document_id=Integer, engagement_id=Integer, published_at=UTCDateTime(), position=Integer,
                         lens=String(30), blocker=Boolean, rank=Float)
                .cte(f"{kind}_matches").prefix_with("MATERIALIZED"))
    query = _postgres_query(words)
    return (select(*columns, (-func.ts_rank(_postgres_vector(), query)).label("rank"))
            .where(SearchDocument.kind == kind, _postgres_vector().op("@@")(query)).subquery())


def engagement_matches(q: str) -> Subquery | CTE:
    """(engagement_id, rank) of public engagements matching `q`, to join to a query on engagements."""
    return document_matches(q, "engagement")


def counted_page(rows: Select, order: list[Any], *, page: int, per_page: int) -> tuple[int, list[Any]]:
    """How many rows `rows` gives, and one page of its first column in `order`, from one evaluation of the
    query: for a search, where nearly all the cost is the match (every matching document is ranked, to know
    which are best), which a separate count would pay again.

    The total is a window over the same rows, worked out before the page is cut from them. A page past the
    end has no row to carry it, so only then is it counted on its own; page 1 with no row means none."""
    counted = rows.add_columns(func.count().over().label("total"))
    found = db.session.execute(counted.order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    if found:
        return found[0].total, [row[0] for row in found]
    if page == 1:
        return 0, []
    return db.session.scalar(select(func.count()).select_from(rows.subquery())) or 0, []


def search_insights(*, q: str | None, theme: str | None, lens: str | None, area: str | None,
                    blocker: bool | None, page: int, per_page: int, area_ids: Select | None = None) -> Page:
    """One page of public insights: the ids of the page and their count together, then the page's rows, two
    queries whatever the amount of data. The ids are chosen from the narrow index's columns alone (a search
    from its matches, which carry them, so that the database starts from what matched), and only the page's
    documents are read whole."""
    if q:
        documents: Any = document_matches(q, "insight")
        document_id = documents.c.document_id
    else:
        documents = SearchDocument.__table__
        document_id = documents.c.id
    conditions = [is_public_clause()]
    if not q:
        conditions.append(documents.c.kind == "insight")
    if theme:
        conditions.append(document_id.in_(
            select(search_document_themes.c.document_id).join(Theme, Theme.id == search_document_themes.c.theme_id)
            .where(Theme.slug == theme)))
    if lens:
        conditions.append(documents.c.lens == lens)
    if blocker is not None:
        conditions.append(documents.c.blocker.is_(blocker))
    if area and area_ids is not None:
        conditions.append(Engagement.area_id.in_(area_ids))
    ids = (select(document_id).select_from(documents)
           .join(Engagement, Engagement.id == documents.c.engagement_id).where(*conditions))
    order: list[Any] = [documents.c.rank] if q else []
    order += [documents.c.published_at.desc(), documents.c.engagement_id.desc(), documents.c.position]
    total, page_ids = counted_page(ids, order, page=page, per_page=per_page)
    data = dict(db.session.execute(
        select(SearchDocument.id, SearchDocument.data).where(SearchDocument.id.in_(page_ids))).tuples().all()
    ) if page_ids else {}
    return Page(items=[data[i] for i in page_ids], total=total, page=page, per_page=per_page,
                pages=max(1, math.ceil(total / per_page)))


# Keeping the documents current ---------------------------------------------------------------------------

def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for key, item in value.items() if key not in ("slug", "licence", "versions", "url", "status",
                                                               "published_at", "content_sha256", "at")
                for t in _texts(item)]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    if isinstance(value, str) and value.strip():
        return [value.strip()]
    return []


def record_digest(record: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def refresh(engagement_id: int, *, force: bool = False) -> None:
    """Bring the engagement's documents in line with what residents see now: none if it is not public.

    Unchanged records are left alone (unless `force`), so `changed_at` says when residents last saw the
    engagement change (the sitemap's dates); when anything residents see last changed is the site's change
    clock (`caching.changes`)."""
    previous = db.session.execute(
        select(SearchDocument.kind, SearchDocument.record_sha256, SearchDocument.changed_at)
        .where(SearchDocument.engagement_id == engagement_id, SearchDocument.position == 0,
               SearchDocument.kind == "engagement")
    ).first()
    engagement = db.session.get(Engagement, engagement_id)
    record = public_record(engagement) if engagement is not None else None
    digest = record_digest(record) if record is not None else ""
    if previous is not None and previous.record_sha256 == digest and not force:
        return
    if previous is None and record is None:
        return
    db.session.execute(delete(SearchDocument).where(SearchDocument.engagement_id == engagement_id))
    unchanged = previous is not None and previous.record_sha256 == digest
    changed_at = previous.changed_at if unchanged else utcnow()
    if record is None:
        return
    published_at = datetime.fromisoformat(record["published_at"]) if record.get("published_at") else None
    body = {key: value for key, value in record.items() if key != "title"}
    db.session.add(SearchDocument(engagement_id=engagement_id, kind="engagement", position=0,
                                  title=record["title"], body="\n".join(_texts(body)), published_at=published_at,
                                  record_sha256=digest, changed_at=changed_at, data={}))
    # Insights are public once the record is published, not while the work is under way (BRIEF §6.1).
    insights = (record.get("insights") or []) if record["status"] == "completed" else []
    if not insights:
        return
    documents = [
        SearchDocument(
            engagement_id=engagement_id, kind="insight", position=position, title="",
            body="\n".join(_texts({key: insight.get(key) for key in ("text", "attributed_to", "themes")})),
            lens=insight.get("lens"), blocker=bool(insight.get("blocker")), published_at=published_at,
            changed_at=changed_at,
            data={**insight, "engagement": {"slug": record["slug"], "title": record["title"],
                                            "version": record.get("version")}})
        for position, insight in enumerate(insights, start=1)]
    db.session.add_all(documents)
    db.session.flush(documents)
    themes_by_name = dict(db.session.execute(select(Theme.name, Theme.id)).tuples().all())
    links = [{"document_id": document.id, "theme_id": theme_id}
             for document, insight in zip(documents, insights, strict=True)
             for theme_id in sorted({themes_by_name[name] for name in insight.get("themes") or []
                                     if name in themes_by_name})]
    if links:
        db.session.execute(search_document_themes.insert(), links)


def refresh_all() -> int:
    """Rebuild every engagement's documents (after a theme is renamed, say). Returns how many are public."""
    ids = list(db.session.scalars(select(Engagement.id).order_by(Engagement.id)))
    for engagement_id in ids:
        refresh(engagement_id, force=True)
    db.session.flush()
    return db.session.scalar(select(func.count()).where(SearchDocument.kind == "engagement")) or 0


# Everything that can change what residents see of an engagement: its own text and flags (held back, the
# step, its themes: a change to the link table marks the engagement itself changed), its hooks,
# collaborators, updates and step moves, and a new published version.
_WATCHED = (Engagement, Hook, Collaborator, ProgressUpdate, StepChange, PublishedVersion)
_STALE = "search_stale_engagements"


def _engagement_id_of(obj: Any) -> int | None:
    return obj.id if isinstance(obj, Engagement) else getattr(obj, "engagement_id", None)


@event.listens_for(Session, "after_flush")
def _note_changed_engagements(session: Session, _context) -> None:
    stale = session.info.setdefault(_STALE, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _WATCHED):
            engagement_id = _engagement_id_of(obj)
            if engagement_id is not None:
                stale.add(engagement_id)


@event.listens_for(Session, "before_commit")
def _refresh_changed_engagements(session: Session) -> None:
    # In the same transaction as the change, so the documents can never disagree with what is committed.
    if not is_app_session(session):
        return
    stale = session.info.pop(_STALE, None)
    if session.new or session.dirty or session.deleted:
        session.flush()
        stale = (stale or set()) | session.info.pop(_STALE, set())
    if not stale:
        return
    for engagement_id in sorted(stale):
        refresh(engagement_id)
    session.flush()
    session.info.pop(_STALE, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_changes(session: Session, _previous_transaction) -> None:
    session.info.pop(_STALE, None)


# Command line ----------------------------------------------------------------------------------------------

@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search documents of every engagement from their public records."""
    count = refresh_all()
    db.session.commit()
    click.echo(f"Search index rebuilt: {count} public engagement{'s' if count != 1 else ''}.")
