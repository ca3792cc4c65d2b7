"""Finding public engagements and insights: the filters, search and pagination that the public pages, the
JSON API and the CSV share, so they always agree on what is public and in what order.

Each function runs a small, fixed number of queries whatever the amount of data: a count, the ids of one
page, and the rows for that page (eager-loaded), never a query per item.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from engage.caching.changes import engagements_stamp
from engage.engagements.models import Collaborator, Engagement, Lens, Level, Step, engagement_themes
from engage.extensions import db
from engage.organisations.models import Organisation
from engage.publication.models import PublishedCard, PublishedVersion
from engage.publication.record import in_progress_record
from engage.publication.visibility import is_public_clause
from engage.search import index as search
from engage.search.results import Page
from engage.site import cards
from engage.vocabularies.models import Area, Theme

ALLOWED_FILTERS = ("q", "status", "step", "theme", "area", "level", "organisation", "year", "page", "per_page")
INSIGHT_FILTERS = ("q", "theme", "lens", "area", "blocker", "page", "per_page")

STATUSES = ("in_progress", "completed")
PUBLIC_STEPS = tuple(step.value for step in Step if step is not Step.CHALLENGE)
LEVELS = tuple(level.value for level in Level)
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_QUERY_LENGTH = 200
MAX_SLUG_LENGTH = 160
MAX_PAGE = 100_000
_SLUG = re.compile(rf"^[a-z0-9][a-z0-9-]{{0,{MAX_SLUG_LENGTH - 1}}}$")


class FilterError(ValueError):
    """A filter the service does not offer, or a value it cannot use. The message is plain English."""


def _single(args: MultiDict, name: str) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise FilterError(f"Give {name} once only")
    value = values[0].strip() if values else ""
    return value or None


def refuse_unknown(args: MultiDict, allowed: tuple[str, ...] = ()) -> None:
    """Refuse query parameters an address does not offer (`allowed`; none by default): every list, record and
    file of open data, so that nobody comes to rely on sorting or filtering the service does not offer."""
    unknown = sorted(set(args.keys()) - set(allowed))
    if unknown:
        raise FilterError(f"Unknown filter: {', '.join(unknown)}")


def _choice(value: str | None, name: str, choices: tuple[str, ...]) -> str | None:
    if value is not None and value not in choices:
        raise FilterError(f"{name.capitalize()} must be one of: {', '.join(choices)}")
    return value


def _slug(value: str | None, name: str) -> str | None:
    if value is not None and not _SLUG.match(value):
        raise FilterError(f"{name.capitalize()} must be a slug, like \u201chealth-and-care\u201d")
    return value


def _whole_number(value: str | None, name: str, *, default: int, lowest: int, highest: int) -> int:
    if value is None:
        return default
    if not value.isdigit():
        raise FilterError(f"{name.capitalize().replace('_', ' ')} must be a whole number")
    number = int(value)
    if not lowest <= number <= highest:
        raise FilterError(f"{name.capitalize().replace('_', ' ')} must be between {lowest} and {highest}")
    return number


def _query(value: str | None) -> str | None:
    if value is not None and len(value) > MAX_QUERY_LENGTH:
        raise FilterError(f"Search must be {MAX_QUERY_LENGTH} characters or fewer")
    return value


@dataclass
class Filters:
    """The filters on the list of public engagements. Empty values mean "any"."""

    q: str | None = None
    status: str | None = None
    step: str | None = None
    theme: str | None = None
    area: str | None = None
    level: str | None = None
    organisation: str | None = None
    year: int | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def from_args(cls, args: MultiDict) -> Filters:
        """Read filters from a query string, refusing parameters the service does not offer (sorting or
        filtering on other columns) and values it cannot use."""
        refuse_unknown(args, ALLOWED_FILTERS)
        year = _single(args, "year")
        return cls(
            q=_query(_single(args, "q")),
            status=_choice(_single(args, "status"), "status", STATUSES),
            step=_choice(_single(args, "step"), "step", PUBLIC_STEPS),
            theme=_slug(_single(args, "theme"), "theme"),
            area=_slug(_single(args, "area"), "area"),
            level=_choice(_single(args, "level"), "level", LEVELS),
            organisation=_slug(_single(args, "organisation"), "organisation"),
            year=None if year is None else _whole_number(year, "year", default=0, lowest=1900, highest=2999),
            page=_whole_number(_single(args, "page"), "page", default=1, lowest=1, highest=MAX_PAGE),
            per_page=_whole_number(_single(args, "per_page"), "per_page", default=DEFAULT_PER_PAGE, lowest=1,
                                   highest=MAX_PER_PAGE),
        )

    def query_args(self, **changes: Any) -> dict[str, Any]:
        """The filters as query-string arguments (defaults left out), with `changes` applied: for links to
        other pages of the same list."""
        values = {**asdict(self), **changes}
        defaults = asdict(type(self)())
        return {name: value for name, value in values.items()
                if value is not None and value != "" and value != defaults[name]}

    @property
    def is_filtered(self) -> bool:
        return any(getattr(self, name) is not None for name in ALLOWED_FILTERS if name not in ("page", "per_page"))


@dataclass
class InsightFilters:
    """The filters on the insight library."""

    q: str | None = None
    theme: str | None = None
    lens: str | None = None
    area: str | None = None
    blocker: bool | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def from_args(cls, args: MultiDict) -> InsightFilters:
        refuse_unknown(args, INSIGHT_FILTERS)
        blocker = _choice(_single(args, "blocker"), "blocker", ("yes", "no"))
        return cls(
            q=_query(_single(args, "q")),
            theme=_slug(_single(args, "theme"), "theme"),
            lens=_choice(_single(args, "lens"), "lens", tuple(lens.value for lens in Lens)),
            area=_slug(_single(args, "area"), "area"),
            blocker=None if blocker is None else blocker == "yes",
            page=_whole_number(_single(args, "page"), "page", default=1, lowest=1, highest=MAX_PAGE),
            per_page=_whole_number(_single(args, "per_page"), "per_page", default=DEFAULT_PER_PAGE, lowest=1,
                                   highest=MAX_PER_PAGE),
        )

    def query_args(self, **changes: Any) -> dict[str, Any]:
        values = {**asdict(self), **changes}
        if values.get("blocker") is not None:
            values["blocker"] = "yes" if values["blocker"] else "no"
        defaults = asdict(type(self)())
        return {name: value for name, value in values.items()
                if value is not None and value != "" and value != defaults[name]}


# What is public -----------------------------------------------------------------------------------------

def public_engagement(slug: str) -> Engagement | None:
    """The public engagement with this slug, or None (not found, still at the first step, or held back)."""
    return db.session.scalars(select(Engagement).where(Engagement.slug == slug, is_public_clause())).first()


def _year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def _area_ids(slug: str) -> Select:
    # An area filter finds the area and the neighbourhoods within it.
    chosen = select(Area.id).where(Area.slug == slug).scalar_subquery()
    return select(Area.id).where(or_(Area.id == chosen, Area.parent_id == chosen))


def involving(organisation_slug: str) -> ColumnElement[bool]:
    """The engagements an organisation leads or collaborates in: those its page and the `organisation`
    filter list."""
    organisation_id = select(Organisation.id).where(Organisation.slug == organisation_slug).scalar_subquery()
    return or_(Engagement.lead_organisation_id == organisation_id,
               exists().where(Collaborator.engagement_id == Engagement.id,
                              Collaborator.organisation_id == organisation_id))


def organisation_stamps(slug: str) -> tuple[str, str]:
    """The stamps an organisation's page keys on: those of the engagements it lists, public or not yet."""
    return engagements_stamp(select(Engagement.id).where(involving(slug)))


def _engagement_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [is_public_clause()]
    if filters.status == "completed":
        conditions.append(Engagement.current_step == Step.COMPLETED)
    elif filters.status == "in_progress":
        conditions.append(Engagement.current_step != Step.COMPLETED)
    if filters.step:
        conditions.append(Engagement.current_step == Step(filters.step))
    if filters.level:
        conditions.append(Engagement.level == Level(filters.level))
    if filters.theme:
        conditions.append(exists().where(engagement_themes.c.engagement_id == Engagement.id,
                                         engagement_themes.c.theme_id == Theme.id, Theme.slug == filters.theme))
    if filters.area:
        conditions.append(Engagement.area_id.in_(_area_ids(filters.area)))
    if filters.organisation:
        conditions.append(involving(filters.organisation))
    if filters.year:
        first, after = _year_range(filters.year)
        first_at, after_at = (datetime(d.year, 1, 1, tzinfo=UTC) for d in (first, after))
        published = Engagement.first_published_at
        conditions.append(or_(and_(Engagement.start_date >= first, Engagement.start_date < after),
                              and_(published >= first_at, published < after_at)))
    return conditions


def _latest_numbers(engagement_ids: list[int]) -> Subquery:
    """(engagement_id, number) of each of these engagements' latest published version."""
    return (select(PublishedVersion.engagement_id, func.max(PublishedVersion.number).label("number"))
            .where(PublishedVersion.engagement_id.in_(engagement_ids))
            .group_by(PublishedVersion.engagement_id).subquery())


def _records_for(engagement_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The public records of these engagements, in a fixed number of queries: the latest stored version of
    each completed one in one query, and the in-progress ones built from eager-loaded rows."""
    if not engagement_ids:
        return {}
    latest = _latest_numbers(engagement_ids)
    records: dict[int, dict[str, Any]] = dict(db.session.execute(
        select(PublishedVersion.engagement_id, PublishedVersion.record)
        .join(latest, and_(PublishedVersion.engagement_id == latest.c.engagement_id,
                           PublishedVersion.number == latest.c.number))
        .join(Engagement, Engagement.id == PublishedVersion.engagement_id)
        .where(Engagement.current_step == Step.COMPLETED)
    ).tuples().all())
    in_progress_ids = [i for i in engagement_ids if i not in records]
    if in_progress_ids:
        engagements = db.session.scalars(
            select(Engagement).where(Engagement.id.in_(in_progress_ids), Engagement.current_step != Step.COMPLETED)
            .options(selectinload(Engagement.hooks), selectinload(Engagement.collaborators),
                     selectinload(Engagement.themes), selectinload(Engagement.step_changes),
                     selectinload(Engagement.updates))
        ).all()
        records.update({engagement.id: in_progress_record(engagement) for engagement in engagements})
    return records


def _page_of(filters: Filters) -> tuple[int, list[int]]:
    """How many public engagements match the filters, and the ids of the page asked for, in order."""
    conditions = _engagement_conditions(filters)
    ids = select(Engagement.id).where(*conditions)
    order: list[Any] = []
    if filters.q:
        matches = search.engagement_matches(filters.q)
        ids = ids.join(matches, matches.c.engagement_id == Engagement.id)
        order.append(matches.c.rank)
    order += [Engagement.last_public_change_at.desc(), Engagement.id.desc()]

    if filters.q:
        # One evaluation of the match for the count and the page (the match is nearly all of a search's cost).
        return search.counted_page(ids, order, page=filters.page, per_page=filters.per_page)
    total = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    page_ids = list(db.session.scalars(ids.order_by(*order).limit(filters.per_page)
                                       .offset((filters.page - 1) * filters.per_page)))
    return total, page_ids


def list_public_engagements(filters: Filters) -> Page:
    """One page of public engagements matching the filters, newest first (best match first when searching).
    Items are public records: the latest published version of a completed engagement, the in-progress view
    of one under way."""
    total, page_ids = _page_of(filters)
    records = _records_for(page_ids)
    return Page(items=[records[i] for i in page_ids if i in records], total=total, page=filters.page,
                per_page=filters.per_page)


def _cards_for(engagement_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The cards of these engagements (`site/cards.py`), in a fixed number of queries: the stored card of each
    completed one's latest version in one query, the in-progress ones' from their columns."""
    if not engagement_ids:
        return {}
    latest = _latest_numbers(engagement_ids)
    found: dict[int, dict[str, Any]] = dict(db.session.execute(
        select(PublishedVersion.engagement_id, PublishedCard.card)
        .join(latest, and_(PublishedVersion.engagement_id == latest.c.engagement_id,
                           PublishedVersion.number == latest.c.number))
        .join(PublishedCard, PublishedCard.version_id == PublishedVersion.id)
        .join(Engagement, Engagement.id == PublishedVersion.engagement_id)
        .where(Engagement.current_step == Step.COMPLETED)
    ).tuples().all())
    rest = [i for i in engagement_ids if i not in found]
    found.update(cards.in_progress_cards(rest))
    # A version stored without its card (written without the service, before `publish cards` ran) is shown
    # from its whole record: slower, never different.
    missing = [i for i in rest if i not in found]
    found.update({i: cards.card_of(record) for i, record in _records_for(missing).items()})
    return found


def list_public_cards(filters: Filters) -> Page:
    """The same page as `list_public_engagements`, each item a record's card (`site/cards.py`): for the
    pages that show a list, which read nothing else of a record."""
    total, page_ids = _page_of(filters)
    found = _cards_for(page_ids)
    return Page(items=[found[i] for i in page_ids if i in found], total=total, page=filters.page,
                per_page=filters.per_page)


def all_public_records() -> list[dict[str, Any]]:
    """Every public record, newest first: for the CSV and the export. Loaded in pages of a fixed size so
    memory stays bounded."""
    records: list[dict[str, Any]] = []
    page = 1
    while True:
        result = list_public_engagements(Filters(page=page, per_page=MAX_PER_PAGE))
        records += result.items
        if not result.has_next:
            return records
        page += 1


def search_insights(q: str | None = None, theme: str | None = None, lens: str | None = None,
                    area: str | None = None, blocker: bool | None = None, page: int = 1,
                    per_page: int = DEFAULT_PER_PAGE) -> Page:
    """One page of public insights (from the published records of completed engagements), newest first,
    or best match first when searching. Each item is the insight as published plus `engagement` (slug and
    title)."""
    return search.search_insights(q=q, theme=theme, lens=lens, area=area, blocker=blocker, page=page,
                                  per_page=per_page, area_ids=_area_ids(area) if area else None)
