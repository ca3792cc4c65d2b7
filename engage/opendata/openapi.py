"""The OpenAPI 3.1 description of the public API, with a JSON Schema for the public record.

The schema is strict (`additionalProperties: false` throughout), so the only fields ever published are
the ones listed here: the tests validate every API response against this very document.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from engage.agreements.models import MilestoneStatus
from engage.commitments.models import CommitmentStatus
from engage.engagements.models import CollaboratorRole, Lens, OutputKind, Step
from engage.organisations.models import OrganisationKind
from engage.publication.record import AGREEMENT_COMMITMENTS, IN_PROGRESS_FIELDS
from engage.reporting.periods import EARLIEST_YEAR, LATEST_YEAR
from engage.routing import LARGEST_INTEGER
from engage.site.queries import (
    DEFAULT_PER_PAGE,
    LEVELS,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    MAX_SLUG_LENGTH,
    PUBLIC_STEPS,
    STATUSES,
)
from engage.vocabularies.models import CommunityGroup

API_VERSION = "1.0.0"
REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def _object(properties: dict[str, Any], *, description: str = "", required: list[str] | None = None
            ) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties,
                              "required": list(properties) if required is None else required,
                              "additionalProperties": False}
    if description:
        schema["description"] = description
    return schema


def _text(description: str = "") -> dict[str, Any]:
    return {"type": "string", "description": description} if description else {"type": "string"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _enum(values: list[str] | tuple[str, ...], description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "enum": list(values)}
    if description:
        schema["description"] = description
    return schema


DATE_TIME = {"type": "string", "format": "date-time"}
DATE = {"type": "string", "format": "date"}
COUNT = {"type": "integer", "minimum": 0}
PENCE = {"type": "integer", "minimum": 0, "description": "An amount in pence (GBP)."}
ALL_STEPS = [step.value for step in Step]


# Every field of the record, in plain English: the schema's descriptions and the data card on /open-data.
RECORD_FIELDS: list[tuple[str, str]] = [
    ("slug", "The engagement's identifier, used in its addresses."),
    ("title", "Its title."),
    ("summary", "A plain-English summary."),
    ("status", "in_progress while the work is under way; completed once the record is published."),
    ("step", "The step of the Ideas Shop it is at: collaborators, frame, test, story or completed."),
    ("level", "The level of engagement: inform, consult, engage, co-design or co-produce."),
    ("level_rationale", "Why the lead chose that level."),
    ("version", "The published version's number; empty (null) while in progress."),
    ("published_at", "When this version was published (ISO 8601, UTC); empty while in progress."),
    ("lead_organisation", "The organisation leading the engagement: name, slug and kind (public_sector or vcfse)."),
    ("collaborators", "Collaborating organisations, each with its role."),
    ("challenge", "The challenge statement, and why now."),
    ("hooks", "Strategies, plans, service changes or policies the work can change, with links."),
    ("area", "The township or neighbourhood."),
    ("themes", "Themes the engagement is about."),
    ("dates", "When the work starts and ends (ISO 8601 dates)."),
    ("steps", "Step history: each move on or back, when, and the reason for a step back."),
    ("updates", "Short progress notes (\u201cworking out loud\u201d), with the organisation that wrote each."),
    ("get_involved", "How residents can take part (Markdown)."),
    ("versions", "Every published version: number, date and change note."),
    ("licence", "The licence the record is published under, and where to read it."),
    ("agreement", "The signed agreement between the partners: the parties (organisations, never people), "
                  "when it was signed, the SHA-256 of its signed content, its commitments and milestones."),
    ("activity_summary", "Activities logged, participants, volunteer and staff hours, the value of volunteers' "
                         "time in pence, and reach counted by community (counts only, nobody named)."),
    ("perspectives", "The ways of seeing the challenge, each attributed to an organisation or a lens."),
    ("ideas", "Ideas explored, who proposed each (a group or organisation) and the impact imagined."),
    ("insights", "What was learnt: the insight, its lens, themes, the organisation it came through and "
                 "whether it is a system blocker."),
    ("tests", "Tests of ideas: what, how, the measure of success, and what happened (or why one was dropped)."),
    ("outputs", "Reports, videos, toolkits, datasets and other outputs, with links."),
    ("story", "The story: we asked, you said, we did, so what, what now."),
    ("budget", "The budget planned and the money spent, in pence."),
    ("commitments", "What happens next: each commitment's action, the organisation responsible, its due date, "
                    "status (planned, in_progress, done or not_going_ahead, with the reason), progress in "
                    "percent, the day it was done, the insights and ideas it answers, and its dated updates. "
                    "Versions published before commitments were recorded do not have it."),
]


def _commitments() -> dict[str, Any]:
    properties: dict[str, Any] = {name: _text() for name in AGREEMENT_COMMITMENTS}
    properties["funding_pence"] = PENCE
    properties["review_date"] = _nullable(DATE)
    return _object(properties, description="What the partners agreed to do (the signed agreement's content).")


def schemas() -> dict[str, Any]:
    """The JSON Schemas of everything the API returns."""
    organisation = _object({"name": _text(), "slug": _text(),
                            "kind": _enum([k.value for k in OrganisationKind])})
    record_properties: dict[str, Any] = {
        "slug": _text("Stable identifier, used in the engagement's URLs."),
        "title": _text(),
        "summary": _text("Plain-English summary."),
        "status": _enum(STATUSES, "in_progress while the work is under way; completed once the record is "
                                  "published."),
        "step": _enum(PUBLIC_STEPS, "The step of the Ideas Shop the engagement is at."),
        "level": _nullable(_enum(LEVELS, "The level of engagement, on the ladder from inform to co-produce.")),
        "level_rationale": _text("Why that level was chosen."),
        "version": _nullable({"type": "integer", "minimum": 1,
                              "description": "The published version's number; null while in progress."}),
        "published_at": _nullable({**DATE_TIME, "description": "When this version was published."}),
        "lead_organisation": _ref("Organisation"),
        "collaborators": {"type": "array", "items": _object({
            **organisation["properties"], "role": _enum([r.value for r in CollaboratorRole])})},
        "challenge": _object({"statement": _text(), "why_now": _text()}),
        "hooks": {"type": "array", "description": "Strategies, plans, service changes or policies the work can "
                                                  "change.",
                  "items": _object({"title": _text(), "url": _nullable({"type": "string"})})},
        "area": _nullable(_text("The township or neighbourhood.")),
        "themes": {"type": "array", "items": _text()},
        "dates": _object({"start": _nullable(DATE), "end": _nullable(DATE)}),
        "steps": {"type": "array", "description": "Step history: each move on or back, oldest first.",
                  "items": _object({"from": _nullable(_enum(ALL_STEPS)), "to": _enum(ALL_STEPS),
                                    "at": DATE_TIME, "reason": _text()})},
        "updates": {"type": "array", "description": "Short progress notes, oldest first.",
                    "items": _object({"at": DATE_TIME, "organisation": _nullable(_text()), "text": _text()})},
        "get_involved": _text("How residents can take part (Markdown)."),
        "versions": {"type": "array", "description": "Every published version, oldest first.",
                     "items": _ref("VersionSummary")},
        "licence": _ref("Licence"),
        "agreement": _nullable(_object({
            "version": {"type": "integer", "minimum": 1},
            "parties": {"type": "array", "items": _object({
                "role": _enum(["public_sector", "vcfse"]), **organisation["properties"]})},
            "signed_at": _nullable(DATE_TIME),
            "content_sha256": _nullable({"type": "string", "pattern": "^[0-9a-f]{64}$",
                                         "description": "SHA-256 of the agreement's signed content."}),
            "commitments": _commitments(),
            "milestones": {"type": "array", "items": _object({
                "title": _text(), "due_date": _nullable(DATE),
                "status": _enum([s.value for s in MilestoneStatus])})},
        }, description="The signed agreement, without the signatories (people are never published).")),
        "activity_summary": _object({
            "activities": COUNT, "participants": COUNT,
            "volunteer_hours": {"type": "number", "minimum": 0}, "staff_hours": {"type": "number", "minimum": 0},
            "in_kind_value_pence": PENCE,
            "reach": {"type": "array", "description": "People reached, counted by community (never named).",
                      "items": _object({"group": _enum([g.label for g in CommunityGroup]),
                                        "community": _text(), "count": COUNT})},
        }),
        "perspectives": {"type": "array", "items": _object({
            "text": _text(), "attributed_to": _nullable(_text()),
            "lens": _nullable(_enum([lens.value for lens in Lens]))})},
        "ideas": {"type": "array", "items": _object({
            "text": _text(), "proposed_by": _text(), "organisation": _nullable(_text()),
            "imagined_impact": _text()})},
        "insights": {"type": "array", "items": _ref("Insight")},
        "tests": {"type": "array", "items": _object({
            "what": _text(), "how": _text(), "success_measure": _text(),
            "status": _enum(["open", "result", "dropped"]), "what_happened": _text(),
            "what_it_showed": _text(), "dropped_reason": _text()})},
        "outputs": {"type": "array", "items": _object({
            "title": _text(), "kind": _enum([k.value for k in OutputKind]), "description": _text(),
            "url": _text("A link, or the path of a file kept by the service.")})},
        "story": _object({"we_asked": _text(), "you_said": _text(), "we_did": _text(), "so_what": _text(),
                          "what_now": _text()}),
        "budget": _object({"planned_pence": _nullable(PENCE), "spent_pence": PENCE}),
        "commitments": {"type": "array", "items": _ref("Commitment")},
    }
    for name, description in RECORD_FIELDS:
        record_properties[name] = {**record_properties[name], "description": description}
    completed_only = [name for name in record_properties if name not in IN_PROGRESS_FIELDS]
    record = _object(record_properties, required=list(IN_PROGRESS_FIELDS), description=(
        "The public record of an engagement. While in progress it holds the engagement's summary, step "
        "history, updates and how to get involved; once completed, the published version adds the agreement, "
        "activity summary, insights, tests, outputs, story and budget."))
    record["if"] = {"properties": {"status": {"const": "completed"}}}
    # Versions published before there were commitments do not have them: they never change.
    record["then"] = {"required": [name for name in completed_only if name != "commitments"],
                      "properties": {"version": {"type": "integer"}}}
    record["else"] = {"not": {"anyOf": [{"required": [name]} for name in completed_only]}}
    return {
        "Record": record,
        "Organisation": organisation,
        "Licence": _object({"name": _text(), "url": {"type": "string", "format": "uri"}}),
        "VersionSummary": _object({"version": {"type": "integer", "minimum": 1}, "published_at": DATE_TIME,
                                   "change_note": _text()}),
        "Insight": _object({"text": _text(), "lens": _enum([lens.value for lens in Lens]),
                            "themes": {"type": "array", "items": _text()}, "attributed_to": _nullable(_text()),
                            "blocker": {"type": "boolean", "description": "A system blocker."}}),
        **commitment_schemas(),
        "EngagementList": _object({
            "items": {"type": "array", "items": _ref("Record")},
            "total": COUNT,
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "links": _object({"next": _nullable({"type": "string", "format": "uri"}),
                              "prev": _nullable({"type": "string", "format": "uri"})}),
            "licence": _ref("Licence"),
        }),
        "Error": _object({"error": _object({"status": {"type": "integer"}, "message": _text()})}),
        **report_card_schemas(),
    }


def commitment_schemas() -> dict[str, Any]:
    """What happens after publication: the commitments of a completed record."""
    statuses = [status.value for status in CommitmentStatus]
    percent = {"type": "integer", "minimum": 0, "maximum": 100}
    update = _object({
        "on": {**DATE, "description": "The day it happened."},
        "text": _text("What happened (Markdown)."),
        "status_from": _nullable(_enum(statuses, "The status before this update, if it changed the status.")),
        "status_to": _nullable(_enum(statuses, "The status this update moved it to (null: unchanged).")),
        "progress_percent": _nullable({**percent, "description": "The progress it moved to (null: unchanged)."}),
    })
    answer = _object({
        "kind": _enum(["insight", "idea"]),
        "text": _text("The insight or idea, as the record shows it."),
        "attributed_to": _nullable(_text("The organisation it is credited to.")),
        "proposed_by": _nullable(_text("For an idea, the group or organisation that proposed it.")),
    })
    properties: dict[str, Any] = {
        "action": _text("What will happen."),
        "responsible_organisation": _ref("Organisation"),
        "due_date": DATE,
        "status": _enum(statuses),
        "reason": _nullable(_text("Why it is not going ahead; null for any other status.")),
        "progress_percent": _nullable(percent),
        "done_on": _nullable({**DATE, "description": "The day it was marked done (UK date)."}),
        "answers": {"type": "array", "description": "The insights and ideas of this record it answers.",
                    "items": answer},
        "updates": {"type": "array", "description": "Dated progress updates, oldest first.",
                    "items": _ref("CommitmentUpdate")},
        "overdue": {"type": "boolean", "description": (
            "Not done or stopped, and due before today (UK date). Worked out when the latest record is served; "
            "numbered versions do not have it, as they never change: there, a commitment is overdue if its "
            "status is planned or in_progress and its due_date is before today.")},
    }
    return {
        "Commitment": _object(properties, required=[name for name in properties if name != "overdue"],
                              description="Something the lead says will happen after publication."),
        "CommitmentUpdate": update,
    }


def report_card_schemas() -> dict[str, Any]:
    """The report card's figures (`/api/v1/report-card`): the same numbers as the page and its CSV."""
    count = _object({"key": _text("A slug or code."), "label": _text(), "count": COUNT})
    area = _object({"key": _text(), "label": _text(), "count": COUNT,
                    "township": {"type": "boolean", "description": "A township (else a neighbourhood)."}})
    reach = _object({"key": _text(), "label": _text(), "count": COUNT,
                     "group": _enum([g.value for g in CommunityGroup]), "group_label": _text()})
    counts = {"type": "array", "items": _ref("ReportCount")}
    blocker = _object({"text": _text(), "lens": _enum([lens.value for lens in Lens]),
                       "themes": {"type": "array", "items": _text()}, "attributed_to": _nullable(_text()),
                       "engagement": _object({"slug": _text(), "title": _text()})})
    return {
        "ReportCount": count,
        "ReportCard": _object({
            "period": _object({"from": DATE, "to": DATE}, description="The first and last day, both included."),
            "engagements": _object({
                "total": COUNT,
                "by_step": counts, "by_level": counts, "by_theme": counts,
                "by_area": {"type": "array", "items": area},
                "without_area": COUNT,
                "quiet_areas": {"type": "array", "items": area},
                "co_design_or_co_produce": _object({"count": COUNT, "share": _nullable(
                    {"type": "number", "minimum": 0, "maximum": 1})}),
                "left_out": _object({"held_back": COUNT, "choosing_challenge": COUNT}),
            }),
            "vcfse": _object({
                "organisations": counts,
                "signed_agreements": COUNT,
                "funding_pence": PENCE,
                "funding_by_organisation": {"type": "array", "items": _object({
                    "key": _text(), "label": _text(), "agreements": COUNT, "funding_pence": PENCE})},
            }),
            "activity": _object({
                "activities": COUNT, "participants": COUNT, "volunteer_hours": {"type": "number", "minimum": 0},
                "in_kind_value_pence": PENCE, "hourly_rate_pence": PENCE,
                "reach": {"type": "array", "items": reach},
            }),
            "insights": _object({"total": COUNT, "by_lens": counts, "by_theme": counts,
                                 "system_blockers": {"type": "array", "items": blocker}}),
            "publication": _object({"published": COUNT, "median_weeks_to_publication": _nullable(
                {"type": "number", "minimum": 0})}),
            "commitments": _object({
                "made": COUNT, "done_on_time": COUNT, "done_late": COUNT, "overdue_now": COUNT,
                "not_going_ahead": COUNT,
                "median_days_from_publication_to_done": _nullable({"type": "number"}),
            }, description="Commitments (what happens next) on public completed engagements: see `definitions` for "
                           "what each figure counts. The median is empty (null) when none was done in the period."),
            "definitions": {"type": "object", "additionalProperties": _text(),
                            "description": "What each figure counts, and what \u201cin the period\u201d means for it."},
            "licence": _ref("Licence"),
        }, description="Aggregate figures of public engagement for a period (BRIEF \u00a77)."),
    }


def _parameter(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    # The public pages' filter forms send every field, filled in or not, and the API reads query strings the
    # same way: an empty value means the parameter is not used, as if it were left out.
    return {"name": name, "in": "query", "required": False, "allowEmptyValue": True, "description": description,
            "schema": schema}


def list_parameters() -> list[dict[str, Any]]:
    slug = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$", "maxLength": MAX_SLUG_LENGTH}
    return [
        _parameter("q", "Full-text search: records holding every word.",
                   {"type": "string", "maxLength": MAX_QUERY_LENGTH}),
        _parameter("status", "in_progress or completed.", _enum(STATUSES)),
        _parameter("step", "The step the engagement is at.", _enum(PUBLIC_STEPS)),
        _parameter("theme", "A theme's slug.", slug),
        _parameter("area", "An area's slug (a township includes its neighbourhoods).", slug),
        _parameter("level", "The level of engagement.", _enum(LEVELS)),
        _parameter("organisation", "An organisation's slug: engagements it leads or collaborates on.", slug),
        _parameter("year", "The year the engagement started or was first published.",
                   {"type": "integer", "minimum": 1900, "maximum": 2999}),
        _parameter("page", "The page, from 1.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE,
                                                 "default": 1}),
        _parameter("per_page", "Records a page.", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                                                   "default": DEFAULT_PER_PAGE}),
    ]


# The years a report card's period may name (periods.EARLIEST_YEAR to LATEST_YEAR); tests/public/test_api.py
# checks the pattern against them.
REPORT_DATE = {**DATE, "pattern": "^(20[0-9]{2}|2100)-",
               "description": f"A day from {EARLIEST_YEAR}-01-01 to {LATEST_YEAR}-12-31."}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _errors(*statuses: int) -> dict[str, Any]:
    descriptions = {400: "An unknown query parameter, or a value that cannot be used.",
                    404: "No public engagement (or version) with that slug (or number)."}
    return {str(status): _json("Error", descriptions[status]) for status in statuses}


def document() -> dict[str, Any]:
    """The OpenAPI document."""
    config = current_app.config
    slug = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": f"{config['SERVICE_NAME']} open data",
            "version": API_VERSION,
            "description": (
                f"The public record of engagements in {config['BOROUGH_NAME']}: the same records the public "
                "pages show. No personal data: organisations are credited, people are not. Query parameters "
                "other than those listed are refused with 400; one given with an empty value is the same as one "
                "left out."),
            "license": {"name": config["OPEN_DATA_LICENCE_NAME"], "url": config["OPEN_DATA_LICENCE_URL"]},
        },
        "servers": [{"url": config["BASE_URL"]}],
        "paths": {
            "/api/v1/engagements": {"get": {
                "operationId": "listEngagements",
                "summary": "Public engagements, newest first (best match first when searching)",
                "parameters": list_parameters(),
                "responses": {"200": _json("EngagementList", "A page of public records."), **_errors(400)},
            }},
            "/api/v1/engagements/{slug}": {"get": {
                "operationId": "getEngagement",
                "summary": "An engagement's public record: the latest version",
                "parameters": [slug],
                "responses": {"200": _json("Record", "The public record."), **_errors(400, 404)},
            }},
            "/api/v1/engagements/{slug}/versions/{number}": {"get": {
                "operationId": "getEngagementVersion",
                "summary": "One published version of a completed engagement's record (never changes)",
                "parameters": [slug, {"name": "number", "in": "path", "required": True,
                                      "schema": {"type": "integer", "minimum": 1,
                                                 "maximum": LARGEST_INTEGER}}],
                "responses": {"200": _json("Record", "The published version."), **_errors(400, 404)},
            }},
            "/api/v1/report-card": {"get": {
                "operationId": "getReportCard",
                "summary": "The report card: aggregate figures for a period (default: the last 12 months)",
                "parameters": [
                    _parameter("from", "The first day of the period (ISO 8601 date, UK time).", REPORT_DATE),
                    _parameter("to", "The last day of the period, included: not before `from`. Default: today.",
                               REPORT_DATE),
                ],
                "responses": {"200": _json("ReportCard", "The figures."), **_errors(400)},
            }},
        },
        "components": {"schemas": schemas()},
    }
