"""The report card's addresses: the page, its charts (one SVG each), the CSV and the JSON API. All public,
read-only and cached like the rest of the public site.

They are sent with an `ETag` only, not a `Last-Modified`: the figures move with activity that the public
site's last-change time does not track, and the default period moves with the date.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, jsonify, render_template, request, url_for

from engage.caching import http as caching
from engage.publication.licence import licence, licence_link
from engage.reporting import charts, periods
from engage.reporting.api import card_document
from engage.reporting.downloads import card_csv
from engage.reporting.figures import DEFINITIONS, report_card
from engage.site.labels import LENS_LABELS

bp = Blueprint("reporting", __name__)

# An SVG image runs no script; its inline style sheet is all it needs.
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def _cached(response: Response) -> Response:
    return caching.conditional(response, last_modified=None)


def _refused(form: periods.PeriodForm) -> tuple[Response, int]:
    # A file or an image, not a page: the reasons in plain text.
    return Response("; ".join(e["text"] for e in form.errors), mimetype="text/plain"), 400


@bp.get("/report-card")
def report_card_page() -> Response | tuple[str, int]:
    form = periods.read_period(request.args)
    if form.period is None:
        return render_template("reporting/report_card.html", period_form=form, page_errors=[
            {"text": e["text"], "href": e["href"]} for e in form.errors], card=None), 400
    card = report_card(form.period)
    args = form.period.query_args()
    # Each chart with its description and its address, by name.
    chart_entries = {name: (chart, chart.description(card), url_for("reporting.chart", name=name, **args))
                     for name, chart in charts.CHARTS.items()}
    return _cached(Response(render_template(
        "reporting/report_card.html", period_form=form, card=card, charts=chart_entries,
        definitions=DEFINITIONS, args=args, lens_labels=LENS_LABELS,
        licence=licence(), chart_width=charts.WIDTH, chart_height=charts.height)))


@bp.get("/report-card/charts/<name>.svg")
def chart(name: str) -> Response | tuple[str, int]:
    chosen = charts.CHARTS.get(name)
    if chosen is None:
        abort(404)
    form = periods.read_period(request.args)
    if form.period is None:
        return _refused(form)
    card = report_card(form.period, sections=(chosen.section,))
    g.own_content_security_policy = CHART_POLICY
    return _cached(Response(charts.render(chosen, card), mimetype="image/svg+xml"))


@bp.get("/report-card.csv")
def report_card_csv() -> Response | tuple[str, int]:
    form = periods.read_period(request.args)
    if form.period is None:
        return _refused(form)
    response = Response(card_csv(report_card(form.period)), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="report-card-{form.period.start.isoformat()}-to-{form.period.end.isoformat()}.csv"')
    response.headers["Link"] = licence_link()
    return _cached(response)


@bp.get("/api/v1/report-card")
def report_card_json() -> Response | tuple[Response, int]:
    form = periods.read_period(request.args)
    if form.period is None:
        message = "; ".join(e["text"] for e in form.errors)
        response = jsonify({"error": {"status": 400, "message": message}})
    else:
        response = _cached(jsonify(card_document(report_card(form.period))))
    # Open data, like the rest of the API: any web page may read it.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return (response, 400) if form.period is None else response
