"""Many public engagements, fast: copies of real ones made with bulk inserts.

The originals are built through the services (the demo seed: four in progress, one completed with two
published versions), so every copy has what a real engagement has: hooks, collaborators, themes, step
history, updates, published versions and search documents. Inserting the copies in bulk keeps a test
with hundreds of engagements to a second or so.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Table, insert, select

from engage.engagements.models import (
    Collaborator,
    Engagement,
    Hook,
    ProgressUpdate,
    StepChange,
    engagement_themes,
)
from engage.extensions import db
from engage.publication.models import PublishedVersion
from engage.search.index import SearchDocument, search_document_themes
from engage.site import cards


def _table(model_or_table: Any) -> Table:
    return model_or_table if isinstance(model_or_table, Table) else model_or_table.__table__


def _rows(model_or_table: Any, engagement_id: int) -> list[dict[str, Any]]:
    table = _table(model_or_table)
    rows = db.session.execute(select(table).where(table.c.engagement_id == engagement_id)
                              .order_by(*table.primary_key.columns)).mappings().all()
    return [dict(row) for row in rows]


def _without_id(row: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key != "id"} | changes


def _renamed(value: Any, slug: str, new_slug: str, title: str, new_title: str) -> Any:
    """A record (or part of one) with the engagement's slug and title swapped for the copy's."""
    text = json.dumps(value)
    text = text.replace(json.dumps(slug)[1:-1], json.dumps(new_slug)[1:-1])
    text = text.replace(json.dumps(title)[1:-1], json.dumps(new_title)[1:-1])
    return json.loads(text)


def copy_engagements(template_ids: list[int], count: int) -> list[int]:
    """Add `count` copies of the template engagements, round-robin. Returns the new ids."""
    engagements_table = Engagement.__table__
    templates = {row["id"]: dict(row) for row in db.session.execute(
        select(engagements_table).where(engagements_table.c.id.in_(template_ids))).mappings()}
    plan = [(template_ids[i % len(template_ids)], i) for i in range(count)]
    new_rows = []
    for template_id, n in plan:
        template = templates[template_id]
        new_rows.append(_without_id(template, slug=f"{template['slug']}-copy-{n}",
                                    title=f"{template['title']} (copy {n})"))
    new_ids = list(db.session.scalars(
        insert(engagements_table).returning(engagements_table.c.id, sort_by_parameter_order=True), new_rows))

    children = {model: {t: _rows(model, t) for t in template_ids}
                for model in (Hook, Collaborator, StepChange, ProgressUpdate, engagement_themes)}
    versions = {t: _rows(PublishedVersion, t) for t in template_ids}
    documents = {t: _rows(SearchDocument, t) for t in template_ids}
    document_themes = {
        document["id"]: [dict(row) for row in db.session.execute(
            select(search_document_themes).where(search_document_themes.c.document_id == document["id"]))
            .mappings()]
        for rows in documents.values() for document in rows}

    for model, by_template in children.items():
        rows = [_without_id(row, engagement_id=new_id) for (template_id, _), new_id in zip(plan, new_ids, strict=True)
                for row in by_template[template_id]]
        if rows:
            db.session.execute(insert(_table(model)), rows)

    version_rows, document_rows, document_sources = [], [], []
    for (template_id, n), new_id in zip(plan, new_ids, strict=True):
        template = templates[template_id]
        rename = {"slug": template["slug"], "new_slug": f"{template['slug']}-copy-{n}",
                  "title": template["title"], "new_title": f"{template['title']} (copy {n})"}
        version_rows += [_without_id(row, engagement_id=new_id, record=_renamed(row["record"], **rename))
                         for row in versions[template_id]]
        for row in documents[template_id]:
            document_rows.append(_without_id(row, engagement_id=new_id, title=_renamed(row["title"], **rename),
                                             data=_renamed(row["data"], **rename)))
            document_sources.append(row["id"])
    if version_rows:
        db.session.execute(insert(PublishedVersion.__table__), version_rows)
    if document_rows:
        document_table = SearchDocument.__table__
        new_document_ids = list(db.session.scalars(
            insert(document_table).returning(document_table.c.id, sort_by_parameter_order=True), document_rows))
        theme_rows = [{"document_id": new_document_id, "theme_id": row["theme_id"]}
                      for source, new_document_id in zip(document_sources, new_document_ids, strict=True)
                      for row in document_themes[source]]
        if theme_rows:
            db.session.execute(insert(search_document_themes), theme_rows)
    db.session.commit()
    cards.fill_missing()  # the copied versions' list cards, as publishing would have stored them
    return new_ids
