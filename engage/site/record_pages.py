"""A published version's page body and JSON, built once and kept in the database (`StoredRecordPage`).

A published version never changes, so the expensive part of serving it (its Markdown and some 30 kB of HTML,
or its JSON) can be built once and read back by every reader in every process. What the version alone does
not fix is part of each stored row's key, never left out of it:

- whether each commitment is overdue today (`commitments.public`): the latest record is served with it, so
  the row is keyed on each commitment's flag, and a commitment turning overdue at midnight reads another row;
- which version is the latest: an earlier version's page lists the versions published after it and links
  to the latest, so its row is keyed on the latest number;
- the templates and code that built it (`fingerprint()`): after a deploy that changes any of them, no row
  built before is read again;
- the path the site is served under (`request.script_root`), which every link on the page starts with.

The layout around the body (header, navigation, who is signed in, the script's nonce, the title and the
breadcrumbs) is rendered for each request as for any page. A row missing when a reader asks (a new variant,
new templates) is built for them and inserted once: two readers at once both build it, the second insert is
skipped. Publishing builds the latest version's rows in its own transaction (`record_published`), so the
first reader does not wait; `fill_missing()` (`flask publish record-pages`) builds any that are missing for
every latest version, after a deploy or for rows written without the service.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import logging
import zlib
from collections.abc import Callable
from datetime import date
from typing import Any

import click
from flask import current_app, has_request_context, render_template, request
from flask.cli import with_appcontext
from markupsafe import Markup
from sqlalchemy import Connection, Select, and_, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from engage import events
from engage.clock import today
from engage.commitments import public as served_commitments
from engage.database import utcnow
from engage.engagements.models import Engagement
from engage.extensions import db
from engage.publication.models import PublishedVersion, StoredRecordPage
from engage.site.key_figures import key_figures

log = logging.getLogger(__name__)

HTML = "html"
JSON = "json"
BODY_TEMPLATE = "public/_record_body.html"

# The Python a stored body or JSON depends on, besides the templates: the filters and globals the templates
# call, the key figures, Markdown, what is overdue, and this module's own keys.
_CODE = ("engage.site.record_pages", "engage.site.views", "engage.site.key_figures", "engage.site.labels",
         "engage.templating", "engage.text.markdown", "engage.commitments.public", "engage.clock")
_PACKAGES = ("Jinja2", "govuk-frontend-jinja", "Markdown", "nh3", "Flask")
_fingerprints: dict[int, str] = {}


def fingerprint() -> str:
    """A digest of every template the application can render, the code in `_CODE`, the versions of the
    packages that render, and the JSON settings: the same in every process running the same deploy, and
    different as soon as any of them changes. Worked out once for each application."""
    app = current_app._get_current_object()
    if id(app) not in _fingerprints:
        digest = hashlib.sha256()
        for name in sorted(app.jinja_env.list_templates()):
            source, _filename, _uptodate = app.jinja_env.loader.get_source(app.jinja_env, name)
            digest.update(name.encode() + b"\0" + source.encode() + b"\0")
        for module in _CODE:
            digest.update(inspect.getsource(importlib.import_module(module)).encode() + b"\0")
        for package in _PACKAGES:
            digest.update(f"{package}={importlib.metadata.version(package)}\0".encode())
        json = app.json
        digest.update(repr((app.debug, getattr(json, "compact", None), getattr(json, "sort_keys", None),
                            getattr(json, "ensure_ascii", None))).encode())
        _fingerprints[id(app)] = digest.hexdigest()
    return _fingerprints[id(app)]


def _script_root() -> str:
    return request.script_root if has_request_context() else ""


def _flags(overdue: list[bool | None]) -> str:
    # One character a commitment: overdue today, not overdue, or not worked out (a numbered version).
    return "".join({True: "1", False: "0"}.get(flag, "-") for flag in overdue)


def _html_variant(latest_number: int, flags: str) -> str:
    return f"{_script_root()}|{latest_number}|{flags}"


def render_body(record: dict[str, Any], latest: dict[str, Any], *, earlier: bool) -> Markup:
    """The page body of any record (an in-progress one too, which is never kept): no request, person or
    clock may change it."""
    # Jinja escaped everything the record holds as it rendered: the result is HTML.
    return Markup(render_template(BODY_TEMPLATE, record=record, latest=latest, earlier=earlier,  # noqa: S704
                                  figures=key_figures(record)))


def json_body(record: dict[str, Any]) -> str:
    """The record's JSON exactly as `jsonify` writes it."""
    return current_app.json.response(record).get_data(as_text=True)


def _row(version_id: int, kind: str, variant: str, body: str) -> dict[str, Any]:
    return {"version_id": version_id, "kind": kind, "variant": variant, "fingerprint": fingerprint(),
            "body": zlib.compress(body.encode(), 6), "built_at": utcnow()}


def _insert(rows: list[dict[str, Any]], connection: Connection | None = None) -> None:
    """Insert the rows, skipping any another reader or process inserted first."""
    if not rows:
        return
    bind = connection if connection is not None else db.session
    dialect = connection.dialect.name if connection is not None else db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    bind.execute(insert(StoredRecordPage).values(rows).on_conflict_do_nothing(
        index_elements=["version_id", "kind", "variant", "fingerprint"]))


def _stored(version_id: int, kind: str, variant: str, build: Callable[[], str]) -> str:
    """The stored body under this key, or one built now and stored for the next reader.

    Written outside the request's session: a reader's request writes nothing of its own, and the row is
    derived data, committed at once on a connection of its own whatever the request does next."""
    found = db.session.scalar(select(StoredRecordPage.body).where(
        StoredRecordPage.version_id == version_id, StoredRecordPage.kind == kind,
        StoredRecordPage.variant == variant, StoredRecordPage.fingerprint == fingerprint()))
    if found is not None:
        return zlib.decompress(found).decode()
    body = build()
    try:
        with db.engine.begin() as connection:
            _insert([_row(version_id, kind, variant, body)], connection)
    except OperationalError:
        # Kept for the next reader only: a database too busy to take it now (SQLite's one writer) costs the
        # next reader the same build, never this reader their page.
        log.warning("stored record page not kept for version %s", version_id, exc_info=True)
    return body


def latest_body(version: PublishedVersion, day: date) -> Markup:
    """The body of the latest version's page as served on `day` (each commitment overdue or not)."""
    variant = _html_variant(version.number, _flags(served_commitments.overdue_on(version.record, day)))

    def build() -> str:
        shown = served_commitments.with_overdue(version.record, day)
        return str(render_body(shown, shown, earlier=False))

    # Stored as the template rendered it (render_body): HTML, escaped where it holds the record's text.
    return Markup(_stored(version.id, HTML, variant, build))  # noqa: S704


def version_body(version: PublishedVersion, latest_number: int, latest: Callable[[], dict[str, Any]]) -> Markup:
    """The body of a numbered version's page, exactly as published (no `overdue`), listing the versions up to
    the latest; `latest` gives the latest version's record, read only if the body has to be built."""
    flags = _flags([None] * len(version.record.get("commitments") or []))
    build = lambda: str(render_body(version.record, latest(), earlier=version.number < latest_number))  # noqa: E731
    return Markup(_stored(version.id, HTML, _html_variant(latest_number, flags), build))  # noqa: S704


def latest_json(version: PublishedVersion, day: date) -> str:
    """The latest version's JSON as served on `day`."""
    flags = _flags(served_commitments.overdue_on(version.record, day))
    return _stored(version.id, JSON, flags,
                   lambda: json_body(served_commitments.with_overdue(version.record, day)))


def version_json(version: PublishedVersion) -> str:
    """A numbered version's JSON, exactly as published."""
    flags = _flags([None] * len(version.record.get("commitments") or []))
    return _stored(version.id, JSON, flags, lambda: json_body(version.record))


def _latest_rows(version: PublishedVersion, day: date) -> list[dict[str, Any]]:
    """The rows publishing stores for a new latest version: its page and JSON as served on `day`."""
    shown = served_commitments.with_overdue(version.record, day)
    flags = _flags(served_commitments.overdue_on(version.record, day))
    return [_row(version.id, HTML, _html_variant(version.number, flags), str(render_body(shown, shown, earlier=False))),
            _row(version.id, JSON, flags, json_body(shown))]


def _in_a_request(build: Callable[[], Any]) -> Any:
    # The body's links are built with url_for, which needs a request outside one (a command, a job).
    if has_request_context():
        return build()
    with current_app.test_request_context("/"):
        return build()


def _on_published(engagement: Engagement, *, number: int, version: PublishedVersion, **_details: Any) -> None:
    # In the publication's transaction, so the rows are there for the first reader and go if it is rolled
    # back. The earlier versions' rows were keyed on the latest number, which has just changed: no page can
    # read them again.
    if number > 1:
        db.session.execute(delete(StoredRecordPage).where(StoredRecordPage.version_id.in_(
            select(PublishedVersion.id).where(PublishedVersion.engagement_id == engagement.id,
                                              PublishedVersion.number < number))))
    db.session.flush([version])
    _insert(_in_a_request(lambda: _latest_rows(version, today())))


def _latest_versions() -> Select:
    newest = (select(PublishedVersion.engagement_id, func.max(PublishedVersion.number).label("number"))
              .group_by(PublishedVersion.engagement_id).subquery())
    return select(PublishedVersion).join(newest, and_(PublishedVersion.engagement_id == newest.c.engagement_id,
                                                      PublishedVersion.number == newest.c.number))


def fill_missing(batch: int = 200) -> int:
    """Store the page and JSON of every latest version that lacks them (as publishing would have stored
    them, for today), and drop the rows no current code reads (built by other templates or code). Commits
    each batch; returns how many latest versions it looked at. For after a deploy, and for versions written
    without the service (the benchmark's builder, a restore)."""
    db.session.execute(delete(StoredRecordPage).where(StoredRecordPage.fingerprint != fingerprint()))
    db.session.commit()
    ids = list(db.session.scalars(_latest_versions().with_only_columns(PublishedVersion.id)
                                  .order_by(PublishedVersion.id)))
    day = today()
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        have = set(db.session.execute(
            select(StoredRecordPage.version_id, StoredRecordPage.kind, StoredRecordPage.variant)
            .where(StoredRecordPage.version_id.in_(chunk), StoredRecordPage.fingerprint == fingerprint())).tuples())
        rows = []
        for version in db.session.scalars(select(PublishedVersion).where(PublishedVersion.id.in_(chunk))):
            flags = _flags(served_commitments.overdue_on(version.record, day))
            if {(version.id, HTML, _html_variant(version.number, flags)), (version.id, JSON, flags)} - have:
                rows += _in_a_request(lambda version=version: _latest_rows(version, day))
        _insert(rows)
        db.session.commit()
    return len(ids)


@click.command("record-pages")
@with_appcontext
def record_pages_command() -> None:
    """Build the stored page and JSON of every latest published version that lacks them (after a deploy
    that changed templates, say), and drop those the running code would never read."""
    count = fill_missing()
    click.echo(f"Stored pages checked for {count} published records.")


def subscribe() -> None:
    events.record_published.connect(_on_published, weak=False)
