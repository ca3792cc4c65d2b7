"""The report card's figures, each from one aggregate SQL query (COUNT, SUM, GROUP BY), so the work is the
same whatever the amount of data: no rows of activity, agreements or insights are loaded into Python, only
one row per category (a step, a theme, a community…). The page, the CSV and the JSON API all read the
`ReportCard` built here, so they cannot disagree.

Only public data counts: an engagement is counted only if the public site shows it
(`publication.visibility.is_public_clause`: past the first step, not held back, and, once completed, published).
What "in the period" means differs by figure, and is written out in `DEFINITIONS`, which the page, the
CSV's data card and the JSON all show.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, case, distinct, func, literal_column, or_, select

from engage.agreements.models import Agreement, AgreementStatus
from engage.clock import today
from engage.commitments.models import Commitment, CommitmentStatus, CommitmentUpdate
from engage.engagements.models import Collaborator, Engagement, Lens, Level, Step, engagement_themes
from engage.extensions import db
from engage.organisations.models import Organisation, OrganisationKind
from engage.publication.visibility import is_public_clause
from engage.reporting.models import ActivityDay, ReachDay
from engage.reporting.periods import Period
from engage.search.index import SearchDocument, search_document_themes
from engage.vocabularies.models import Area, Community, CommunityGroup, Theme

# The levels that count as sharing power: the top of the ladder.
SHARED_POWER_LEVELS = (Level.CO_DESIGN, Level.CO_PRODUCE)
DAYS_PER_WEEK = 7
# The system blockers a report card lists, newest first: enough to read, few enough for any period's page.
BLOCKERS_SHOWN = 20

# What each figure counts, and what "in the period" means for it, in plain English.
DEFINITIONS: dict[str, str] = {
    "engagements": "Public engagements active at any time in the period: opened on or before its last day, and "
                   "not published as completed before its first day. They are grouped by the step, level, area "
                   "and themes they have now.",
    "themes": "An engagement can have several themes, so the counts by theme can add up to more than the total.",
    "quiet_areas": "Areas (townships and neighbourhoods) with no public engagement active in the period. A township "
                   "is quiet only if none of its neighbourhoods had one either.",
    "shared_power": "The share of those engagements at the co-design or co-produce level.",
    "vcfse": "VCFSE organisations collaborating on a public engagement active in the period.",
    "funding": "Funding for VCFSE partners in expectation agreements signed in the period and in force now (a "
               "signed agreement that was later varied is replaced by its variation, counted when that is "
               "signed), on public engagements.",
    "activity": "Activity dated in the period on public engagements, including ones still in progress. In-kind "
                "value is volunteer hours at the set hourly rate.",
    "reach": "People reached in activity dated in the period, by community. One person can be counted in "
             "more than one community.",
    "insights": "Insights in the published records of engagements first published in the period, as the "
                "insight library shows them. Insights become public when an engagement's record is published, "
                "not while the work is under way.",
    "blockers": "Insights marked as a system blocker (something in the system that got in the way), from the "
                "same published records.",
    "publication": "Engagements first published (completed) in the period, and the median number of weeks from "
                   "the day each was opened in this service to its first publication.",
    "left_out": "Engagements held back by their lead, and engagements still choosing their challenge, are not "
                "public and are not counted.",
    "commitments": "Commitments are what the lead of a completed engagement says will happen next, who is "
                   "responsible and by when. Only commitments on completed engagements whose record is public "
                   "count. Made: added in the period. Done on time: marked done on a day in the period, on or "
                   "before the day it was due. Done late: marked done on a day in the period, after the day it "
                   "was due. The day it was done is the day given in the update that marked it done.",
    "commitments_overdue": "Overdue now: commitments due on or before the last day of the period that are still "
                           "planned or in progress today and whose due date has passed. This is how things stand "
                           "today, not at the end of the period.",
    "commitments_not_going_ahead": "Not going ahead: commitments marked as not going ahead, with a reason, by an "
                                   "update dated in the period, and still marked that way now.",
    "commitments_days_to_done": "Median days to done: for the commitments done in the period (on time or late), "
                                "the median number of days from the engagement's first publication (UK date) to "
                                "the day the commitment was done.",
}


@dataclass
class Count:
    """One category of a figure: its key (a slug or code), its label, and the number."""

    key: str
    label: str
    count: int
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "count": self.count, **self.extra}


@dataclass
class ReportCard:
    period: Period
    engagements: int = 0
    by_step: list[Count] = field(default_factory=list)
    by_level: list[Count] = field(default_factory=list)
    by_theme: list[Count] = field(default_factory=list)
    by_area: list[Count] = field(default_factory=list)
    without_area: int = 0
    quiet_areas: list[Count] = field(default_factory=list)
    shared_power: int = 0
    held_back: int = 0
    not_yet_public: int = 0
    vcfse_organisations: list[Count] = field(default_factory=list)
    signed_agreements: int = 0
    funding_pence: int = 0
    funding_by_organisation: list[Count] = field(default_factory=list)
    activities: int = 0
    participants: int = 0
    volunteer_minutes: int = 0
    hourly_rate_pence: int = 0
    reach: list[Count] = field(default_factory=list)
    insights: int = 0
    insights_by_lens: list[Count] = field(default_factory=list)
    insights_by_theme: list[Count] = field(default_factory=list)
    blocker_count: int = 0
    # The latest BLOCKERS_SHOWN of them (system_blockers() gives all).
    blockers: list[dict[str, Any]] = field(default_factory=list)
    published: int = 0
    median_weeks: float | None = None
    commitments_made: int = 0
    commitments_done_on_time: int = 0
    commitments_done_late: int = 0
    commitments_overdue: int = 0
    commitments_not_going_ahead: int = 0
    median_days_to_done: float | None = None

    @property
    def shared_power_share(self) -> float | None:
        """The share (0 to 1) at co-design or co-produce; None when there are no engagements to share."""
        return round(self.shared_power / self.engagements, 4) if self.engagements else None

    @property
    def volunteer_hours(self) -> float:
        return round(self.volunteer_minutes / 60, 2)

    @property
    def in_kind_pence(self) -> int:
        # The same rounding as an engagement's own figures (activity.services.Figures).
        return round(self.volunteer_minutes * self.hourly_rate_pence / 60)

    @property
    def reached(self) -> int:
        return sum(c.count for c in self.reach)


# Which engagements count -------------------------------------------------------------------------------

def _active_in(period: Period) -> ColumnElement[bool]:
    """Opened on or before the last day, and not published as completed before the first day."""
    # The first publication as stored on the engagement (`publication.listing`), not looked up in its versions
    # for each engagement: the same instant, read from the row (and its index) instead of a subquery per row.
    first = Engagement.first_published_at
    return and_(Engagement.created_at < period.end_before, or_(first.is_(None), first >= period.start_at))


def _counted(period: Period) -> list[ColumnElement[bool]]:
    return [is_public_clause(), _active_in(period)]


def _first_published_in(period: Period) -> ColumnElement[bool]:
    first = Engagement.first_published_at
    return and_(first >= period.start_at, first < period.end_before)


# The figures ------------------------------------------------------------------------------------------

def _by_theme(tagged: Any) -> list[Count]:
    """Every active theme (and any retired one still counted) with its count from `tagged` (theme_id, n)."""
    return [Count(slug, name, n) for slug, name, n in db.session.execute(
        select(Theme.slug, Theme.name, func.coalesce(tagged.c.n, 0))
        .outerjoin(tagged, tagged.c.theme_id == Theme.id)
        .where(or_(Theme.is_active, tagged.c.n > 0)).order_by(Theme.position, Theme.name)).tuples()]


def _engagement_figures(card: ReportCard, period: Period) -> None:
    # One pass over the engagements active in the period, a row per step and level: the public ones by step
    # and by level, and those left out (held back, or still choosing their challenge).
    steps: Counter[Step] = Counter()
    levels: Counter[Level] = Counter()
    for step, level, public, held_back, active in db.session.execute(
            select(Engagement.current_step, Engagement.level, func.count().filter(is_public_clause()),
                   func.count().filter(Engagement.held_back.is_(True)), func.count())
            .where(_active_in(period)).group_by(Engagement.current_step, Engagement.level)).tuples():
        steps[step] += public
        levels[level] += public
        if step is Step.CHALLENGE:
            card.not_yet_public += active
        else:
            card.held_back += held_back
    card.by_step = [Count(step.value, step.label, steps[step]) for step in Step if step is not Step.CHALLENGE]
    card.engagements = steps.total()
    card.by_level = [Count(level.value, level.label, levels[level]) for level in Level]
    card.shared_power = sum(levels[level] for level in SHARED_POWER_LEVELS)

    counted = _counted(period)
    counted_ids = select(Engagement.id).where(*counted).scalar_subquery()
    tagged = (select(engagement_themes.c.theme_id, func.count().label("n"))
              .where(engagement_themes.c.engagement_id.in_(counted_ids))
              .group_by(engagement_themes.c.theme_id).subquery())
    card.by_theme = _by_theme(tagged)

    placed = (select(Engagement.area_id, func.count().label("n")).where(*counted)
              .group_by(Engagement.area_id).subquery())
    areas = db.session.execute(
        select(Area.id, Area.parent_id, Area.slug, Area.name, Area.is_active, func.coalesce(placed.c.n, 0))
        .outerjoin(placed, placed.c.area_id == Area.id).order_by(Area.position, Area.name)).tuples().all()
    _area_figures(card, areas)


def _area_figures(card: ReportCard, areas: list[tuple[int, int | None, str, str, bool, int]]) -> None:
    """Counts by area, and the quiet areas, from one row per area of the vocabulary (townships first, each
    followed by its neighbourhoods)."""
    own = {area_id: n for area_id, _, _, _, _, n in areas}
    within: dict[int, int] = {}
    for _area_id, parent_id, *_rest, n in areas:
        if parent_id is not None:
            within[parent_id] = within.get(parent_id, 0) + n
    townships = [a for a in areas if a[1] is None]
    ordered = [a for t in townships for a in [t, *(x for x in areas if x[1] == t[0])]]
    ordered += [a for a in areas if a not in ordered]
    card.by_area = [Count(slug, name, n, {"township": parent_id is None})
                    for _, parent_id, slug, name, active, n in ordered if active or n]
    card.without_area = card.engagements - sum(own.values())
    card.quiet_areas = [Count(slug, name, 0, {"township": parent_id is None})
                        for area_id, parent_id, slug, name, active, n in ordered
                        if active and n == 0 and (parent_id is not None or within.get(area_id, 0) == 0)]


def _vcfse_figures(card: ReportCard, period: Period) -> None:
    counted_ids = select(Engagement.id).where(*_counted(period)).scalar_subquery()
    card.vcfse_organisations = [Count(slug, name, n) for slug, name, n in db.session.execute(
        select(Organisation.slug, Organisation.name, func.count(distinct(Collaborator.engagement_id)))
        .join(Collaborator, Collaborator.organisation_id == Organisation.id)
        .where(Organisation.kind == OrganisationKind.VCFSE, Collaborator.engagement_id.in_(counted_ids))
        .group_by(Organisation.id, Organisation.slug, Organisation.name).order_by(Organisation.name)).tuples()]
    public_ids = select(Engagement.id).where(is_public_clause()).scalar_subquery()
    funded = db.session.execute(
        select(Organisation.slug, Organisation.name, func.count(Agreement.id), func.sum(Agreement.funding_pence))
        .join(Agreement, Agreement.vcfse_organisation_id == Organisation.id)
        .where(Agreement.status == AgreementStatus.SIGNED, Agreement.signed_at >= period.start_at,
               Agreement.signed_at < period.end_before, Agreement.engagement_id.in_(public_ids))
        .group_by(Organisation.id, Organisation.slug, Organisation.name).order_by(Organisation.name)).tuples().all()
    card.funding_by_organisation = [Count(slug, name, int(pence or 0), {"agreements": agreements})
                                    for slug, name, agreements, pence in funded]
    card.signed_agreements = sum(c.extra["agreements"] for c in card.funding_by_organisation)
    card.funding_pence = sum(c.count for c in card.funding_by_organisation)


def _activity_figures(card: ReportCard, period: Period) -> None:
    # Summed from the days' totals (`reporting.daily`), which count only public engagements: at most one row a
    # day, however much activity the period holds.
    totals = db.session.execute(select(
        func.coalesce(func.sum(ActivityDay.activities), 0), func.coalesce(func.sum(ActivityDay.participants), 0),
        func.coalesce(func.sum(ActivityDay.volunteer_minutes), 0),
    ).where(ActivityDay.day >= period.start, ActivityDay.day <= period.end)).one()
    card.activities, card.participants, card.volunteer_minutes = (int(n) for n in totals)
    card.hourly_rate_pence = current_app.config["IN_KIND_HOURLY_RATE_PENCE"]
    reached = (select(ReachDay.community_id, func.sum(ReachDay.count).label("n"))
               .where(ReachDay.day >= period.start, ReachDay.day <= period.end)
               .group_by(ReachDay.community_id).subquery())
    rows = db.session.execute(
        select(Community.name, Community.group, func.coalesce(reached.c.n, 0))
        .outerjoin(reached, reached.c.community_id == Community.id)
        .where(or_(Community.is_active, reached.c.n > 0)).order_by(Community.position, Community.name)).tuples().all()
    groups = list(CommunityGroup)
    card.reach = [Count(_key(name), name, int(n), {"group": group.value, "group_label": group.label})
                  for name, group, n in sorted(rows, key=lambda row: groups.index(row[1]))]


def _key(name: str) -> str:
    """A community's name as a stable key, like a slug."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def _published_insights(period: Period) -> list[ColumnElement[bool]]:
    # The insight documents are the insights of each public engagement's latest published record.
    return [SearchDocument.kind == "insight", is_public_clause(), _first_published_in(period)]


def _insight_figures(card: ReportCard, period: Period) -> None:
    in_period = _published_insights(period)
    lenses = {lens: (n, blockers) for lens, n, blockers in db.session.execute(
        select(SearchDocument.lens, func.count(), func.count().filter(SearchDocument.blocker.is_(True)))
        .join(Engagement, Engagement.id == SearchDocument.engagement_id)
        .where(*in_period).group_by(SearchDocument.lens)).tuples()}
    card.insights_by_lens = [Count(lens.value, lens.label, lenses.get(lens.value, (0, 0))[0]) for lens in Lens]
    card.insights = sum(n for n, _ in lenses.values())
    card.blocker_count = sum(blockers for _, blockers in lenses.values())
    documents = (select(SearchDocument.id).join(Engagement, Engagement.id == SearchDocument.engagement_id)
                 .where(*in_period).scalar_subquery())
    tagged = (select(search_document_themes.c.theme_id, func.count().label("n"))
              .where(search_document_themes.c.document_id.in_(documents))
              .group_by(search_document_themes.c.theme_id).subquery())
    card.insights_by_theme = _by_theme(tagged)
    card.blockers = system_blockers(period, limit=BLOCKERS_SHOWN)


def system_blockers(period: Period, limit: int | None = None) -> list[dict[str, Any]]:
    """The system blockers published in the period, newest first (only the first `limit`, if given): a long
    period can hold thousands, so the page lists the latest and the JSON all of them."""
    rows = db.session.execute(
        select(Engagement.slug, SearchDocument.data).join(Engagement, Engagement.id == SearchDocument.engagement_id)
        .where(*_published_insights(period), SearchDocument.blocker.is_(True))
        .order_by(SearchDocument.published_at.desc(), Engagement.id.desc(), SearchDocument.position)
        .limit(limit)).tuples()
    return [{"text": data.get("text"), "lens": data.get("lens"), "themes": data.get("themes") or [],
             "attributed_to": data.get("attributed_to"),
             "engagement": {"slug": slug, "title": (data.get("engagement") or {}).get("title")}}
            for slug, data in rows]


def blockers_by_engagement(period: Period) -> list[tuple[str, str, int]]:
    """(slug, title as published, system blockers) for each engagement with any published in the period, in
    the order `system_blockers` lists them: counted in SQL, however many there are."""
    counted = db.session.execute(
        select(Engagement.id, Engagement.slug, func.count()).select_from(SearchDocument)
        .join(Engagement, Engagement.id == SearchDocument.engagement_id)
        .where(*_published_insights(period), SearchDocument.blocker.is_(True))
        .group_by(Engagement.id, Engagement.slug)
        .order_by(func.max(SearchDocument.published_at).desc(), Engagement.id.desc())).tuples().all()
    if not counted:
        return []
    # The title the record was published with: its engagement document's.
    titles = dict(db.session.execute(
        select(SearchDocument.engagement_id, SearchDocument.title)
        .where(SearchDocument.kind == "engagement", SearchDocument.engagement_id.in_([i for i, _, _ in counted]))
    ).tuples().all())
    return [(slug, titles.get(engagement_id, ""), n) for engagement_id, slug, n in counted]


def _days_open() -> ColumnElement[float]:
    """Days from opening to first publication, as a number, on either database."""
    published = Engagement.first_published_at
    if db.session.get_bind().dialect.name == "sqlite":
        return func.julianday(published) - func.julianday(Engagement.created_at)
    return func.extract("epoch", published - Engagement.created_at) / 86_400


def _publication_figures(card: ReportCard, period: Period) -> None:
    first = select(_days_open().label("days")).where(_first_published_in(period), is_public_clause())
    card.published = db.session.scalar(select(func.count()).select_from(first.subquery())) or 0
    if not card.published:
        return
    # The median in SQL on both databases: sort the durations and read only the middle one (odd count) or the
    # middle two (even count), so however many engagements there are, at most two numbers come back.
    middle = db.session.scalars(
        first.order_by(literal_column("days")).limit(2 - card.published % 2).offset((card.published - 1) // 2)
    ).all()
    card.median_weeks = round(sum(float(days) for days in middle) / len(middle) / DAYS_PER_WEEK, 1)


def _uk_date(instant: Any) -> ColumnElement[Any]:
    """The date in the borough (UK time) of a UTC timestamp column, on either database."""
    if db.session.get_bind().dialect.name != "sqlite":
        return func.date(func.timezone("Europe/London", instant))
    # SQLite has no time zones: British Summer Time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC
    # on the last Sunday of October (the first Sunday on or after the 25th). Stored values are naive UTC text.
    year = func.strftime("%Y", instant)

    def last_sunday_1am(month_end: str) -> ColumnElement[Any]:
        return func.datetime(year.concat(month_end), "-6 days", "weekday 0", "+1 hour")

    summer = and_(instant >= last_sunday_1am("-03-31"), instant < last_sunday_1am("-10-31"))
    return case((summer, func.date(instant, "+1 hour")), else_=func.date(instant))


def _days_between(earlier: Any, later: Any) -> ColumnElement[Any]:
    """Whole days from one date to another, on either database."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return later - earlier


def _median_days_to_done(counted: list[ColumnElement[bool]], done_in_period: ColumnElement[bool]) -> Any:
    """The median days from first publication to done, as one scalar subquery: the days in order, numbered,
    with their count beside them; the middle one (odd count) or the mean of the middle two (even count)."""
    days = _days_between(_uk_date(Engagement.first_published_at), Commitment.done_on)
    # The stored first publication is that of version 1, so "not null" keeps exactly the rows a join to the
    # first version would, without the join.
    ranked = (select(days.label("days"), func.row_number().over(order_by=days).label("position"),
                     func.count().over().label("total"))
              .join(Engagement, Engagement.id == Commitment.engagement_id)
              .where(*counted, Engagement.first_published_at.is_not(None), done_in_period).subquery())
    middle = ((ranked.c.total + 1) // 2, (ranked.c.total + 2) // 2)
    return select(func.avg(ranked.c.days)).where(ranked.c.position.in_(middle)).scalar_subquery()


def _commitment_figures(card: ReportCard, period: Period) -> None:
    """Every commitment figure in one query: a count per figure over the commitments of public completed
    engagements, the median as a subquery."""
    counted = [is_public_clause(), Engagement.current_step == Step.COMPLETED]
    def in_period(day: Any) -> ColumnElement[bool]:
        return and_(day >= period.start, day <= period.end)

    done_in_period = and_(Commitment.status == CommitmentStatus.DONE, in_period(Commitment.done_on))
    # The day the latest update marking it not going ahead gives (an earlier one may have been reversed).
    stopped = (select(CommitmentUpdate.commitment_id, func.max(CommitmentUpdate.occurred_on).label("on"))
               .where(CommitmentUpdate.status_to == CommitmentStatus.NOT_GOING_AHEAD)
               .group_by(CommitmentUpdate.commitment_id).subquery())
    open_ = Commitment.status.in_((CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS))
    row = db.session.execute(
        select(func.count().filter(Commitment.created_at >= period.start_at, Commitment.created_at < period.end_before),
               func.count().filter(done_in_period, Commitment.done_on <= Commitment.due_date),
               func.count().filter(done_in_period, Commitment.done_on > Commitment.due_date),
               func.count().filter(open_, Commitment.due_date < today(), Commitment.due_date <= period.end),
               func.count().filter(Commitment.status == CommitmentStatus.NOT_GOING_AHEAD, in_period(stopped.c.on)),
               _median_days_to_done(counted, done_in_period))
        .select_from(Commitment).join(Engagement, Engagement.id == Commitment.engagement_id)
        .outerjoin(stopped, stopped.c.commitment_id == Commitment.id)
        .where(*counted)).one()
    (card.commitments_made, card.commitments_done_on_time, card.commitments_done_late, card.commitments_overdue,
     card.commitments_not_going_ahead) = (int(n) for n in row[:5])
    card.median_days_to_done = None if row[5] is None else round(float(row[5]), 1)


SECTIONS = {
    "engagements": _engagement_figures,
    "vcfse": _vcfse_figures,
    "activity": _activity_figures,
    "insights": _insight_figures,
    "publication": _publication_figures,
    "commitments": _commitment_figures,
}


def report_card(period: Period, sections: tuple[str, ...] = tuple(SECTIONS)) -> ReportCard:
    """The figures for the period (all of them, or only some `sections`, as a chart needs): a fixed number of
    queries, whatever the amount of data."""
    card = ReportCard(period=period)
    for name in sections:
        SECTIONS[name](card, period)
    return card
