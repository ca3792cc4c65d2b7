"""The report card's charts: horizontal bar charts drawn on the server as SVG with pygal.

Each chart is its own SVG document, shown on the page with `<img alt=…>` beside a written description and a
table of the same numbers, so nothing depends on seeing the chart. The SVG carries no script (pygal's
tooltip script is turned off, and its inline configuration script removed), no external fonts (Arial, as
the rest of the site) and no links; its style sheet is inline, which is why the response gets its own
narrow Content-Security-Policy (see `views.chart`). Bars are one dark colour that contrasts with white
(at least 4.5:1), every bar has its number printed next to it, and labels are written out, so no meaning
is carried by colour alone.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pygal
from pygal.style import Style

from engage.reporting.figures import Count, ReportCard

# pygal adds an old-style import hook (for its map plug-ins, which are not used here) to `sys.meta_path`. Python
# warns about such hooks on every import that reaches them, so it is taken out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__module__ != "pygal"]

# GOV.UK dark blue (#1d70b8): 5.2:1 against white. Text is GOV.UK black (#0b0c0c).
BAR_COLOUR = "#1d70b8"
TEXT_COLOUR = "#0b0c0c"
WIDTH = 560
ROW_HEIGHT = 30
BASE_HEIGHT = 90
_SCRIPT = re.compile(rb"<script\b.*?</script>", re.DOTALL)
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)

STYLE = Style(
    font_family="Arial, Helvetica, sans-serif",
    background="#ffffff",
    plot_background="#ffffff",
    foreground=TEXT_COLOUR,
    foreground_strong=TEXT_COLOUR,
    foreground_subtle="#505a5f",
    colors=(BAR_COLOUR,),
    title_font_size=16,
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
    value_label_font_size=13,
    value_colors=(TEXT_COLOUR,),
    no_data_font_size=18,
    opacity="1",
    opacity_hover="1",
    transition="0s",
)


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    counts: Callable[[ReportCard], list[Count]]
    unit: str  # what the numbers count, for the description: "engagements", "people"…
    section: str  # the part of the figures it needs (`figures.SECTIONS`)

    def description(self, card: ReportCard) -> str:
        """A sentence that says what the chart shows, for people who cannot see it."""
        counts = self.counts(card)
        if not counts or not any(c.count for c in counts):
            return f"{self.title}: none in this period."
        ranked = sorted((c for c in counts if c.count), key=lambda c: -c.count)
        most = ranked[0]
        listed = "; ".join(f"{c.label}: {c.count:,}" for c in ranked)
        zero = len(counts) - len(ranked)
        tail = f" {zero} other{'s' if zero != 1 else ''} had none." if zero else ""
        return (f"Bar chart of {self.title.lower()}. The most is {most.label}, with {most.count:,} {self.unit}. "
                f"{listed}.{tail}")


CHARTS: dict[str, Chart] = {chart.name: chart for chart in [
    Chart("steps", "Engagements by step", lambda card: card.by_step, "engagements", "engagements"),
    Chart("levels", "Engagements by level", lambda card: card.by_level, "engagements", "engagements"),
    Chart("themes", "Engagements by theme", lambda card: card.by_theme, "engagements", "engagements"),
    Chart("areas", "Engagements by area", lambda card: card.by_area, "engagements", "engagements"),
    Chart("reach", "People reached by community", lambda card: card.reach, "people", "activity"),
    Chart("lenses", "Insights by whose view they give", lambda card: card.insights_by_lens, "insights", "insights"),
    Chart("insight-themes", "Insights by theme", lambda card: card.insights_by_theme, "insights", "insights"),
]}


def _scale(most: int) -> list[int]:
    """Whole-number marks for the axis (counts are whole numbers): about five, from 0 to at least `most`."""
    step = max(1, math.ceil(most / 5))
    return list(range(0, max(most, 1) + step, step))


def height(counts: list[Count]) -> int:
    return BASE_HEIGHT + ROW_HEIGHT * max(len(counts), 1)


def render(chart: Chart, card: ReportCard) -> bytes:
    """The chart as a standalone SVG document."""
    counts = chart.counts(card)
    bars = pygal.HorizontalBar(
        js=[], style=STYLE, width=WIDTH, height=height(counts),
        title=chart.title, show_legend=False, print_values=True, print_zeroes=True, print_values_position="top",
        truncate_label=-1, x_label_rotation=0, show_y_guides=False, include_x_axis=True,
        y_labels=_scale(max((c.count for c in counts), default=0)),
        no_data_text="None in this period", tooltip_fancy_mode=False, margin=12, spacing=8,
        value_formatter=lambda value: f"{value:,.0f}", classes=["pygal-chart", f"engage-chart-{chart.name}"],
    )
    # pygal draws the first category at the bottom; reverse so the chart reads top to bottom like the table.
    ordered = list(reversed(counts))
    bars.x_labels = [c.label for c in ordered]
    bars.add(chart.title, [c.count for c in ordered])
    svg = bars.render()
    # Nothing to run in an image, and the same chart for the same numbers (a fixed id, not a random one),
    # so the ETag holds.
    svg = _SCRIPT.sub(b"", _COMMENT.sub(b"", svg))
    chart_id = re.search(rb'id="chart-([0-9a-f-]+)"', svg)
    if chart_id:
        svg = svg.replace(chart_id.group(1), chart.name.encode())
    return svg
