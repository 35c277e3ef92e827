"""The report as one self-contained HTML page: its charts' script inlined, nothing fetched."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import jinja2
import plotly.offline
from markupsafe import Markup

from pipelines.report.charts import chart_fragments
from pipelines.report.content import DepartmentReport

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("pipelines.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def render(report: DepartmentReport, *, source: str) -> str:
    template = _ENVIRONMENT.get_template("report.html.j2")
    return template.render(
        report=report,
        charts={name: Markup(html) for name, html in chart_fragments(report).items()},
        plotly_js=Markup(plotly.offline.get_plotlyjs()),
        source=source,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        money=_money,
        percent=_percent,
        score=_score,
    )


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _percent(value: float | None) -> str:
    """A share (0..1) as a percentage."""
    return "—" if value is None else f"{value * 100:.1f}%"


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
