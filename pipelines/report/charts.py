"""The report's charts, drawn by plotly; each is an HTML fragment that needs plotly's script once per page."""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go

from pipelines.report.content import DepartmentReport

FUNDING_SOURCES = (
    ("fiscal_appropriation", "财政拨款"),
    ("special_account_appropriation", "财政专户拨款"),
    ("other_funds", "其他资金"),
)
_FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def chart_fragments(report: DepartmentReport) -> dict[str, str]:
    """Chart id -> its <div> and the script that draws it (plotly's library not included)."""
    figures = {
        "budget-by-project": _budget_by_project(report),
        "funding-sources": _funding_sources(report),
        "budget-by-year": _budget_by_year(report),
    }
    return {
        name: figure.to_html(full_html=False, include_plotlyjs=False, div_id=name, config={"displaylogo": False})
        for name, figure in figures.items()
    }


def _labels(values: list[Decimal]) -> list[str]:
    """The exact amounts, shown on the bars and on hover; the bars' lengths are only drawn from them."""
    return [f"{value:,.2f}" for value in values]


def _budget_by_project(report: DepartmentReport) -> go.Figure:
    projects = list(reversed(report.projects))  # plotly draws the first bar at the bottom
    amounts = [p.total_amount for p in projects]
    figure = go.Figure(
        go.Bar(x=amounts, y=[p.name for p in projects], orientation="h", text=_labels(amounts),
               textposition="auto", hovertemplate="%{y}: %{text} 万元<extra></extra>")
    )
    return _layout(figure, "各项目预算（万元）", height=120 + 32 * len(projects))


def _funding_sources(report: DepartmentReport) -> go.Figure:
    projects = list(reversed(report.projects))
    bars = []
    for field, label in FUNDING_SOURCES:
        amounts = [getattr(p, field) for p in projects]
        bars.append(go.Bar(name=label, x=amounts, y=[p.name for p in projects], orientation="h",
                           text=_labels(amounts), textposition="none",
                           hovertemplate=f"%{{y}} · {label}: %{{text}} 万元<extra></extra>"))
    figure = go.Figure(bars)
    figure.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.12})
    return _layout(figure, "资金来源（万元）", height=160 + 32 * len(projects))


def _budget_by_year(report: DepartmentReport) -> go.Figure:
    amounts = [total for _, total in report.years]
    figure = go.Figure(go.Bar(x=[str(year) for year, _ in report.years], y=amounts, text=_labels(amounts),
                              hovertemplate="%{x}年: %{text} 万元<extra></extra>"))
    figure.update_xaxes(type="category")
    return _layout(figure, "部门预算总额，逐年（万元）", height=320)


def _layout(figure: go.Figure, title: str, *, height: int) -> go.Figure:
    figure.update_layout(
        title=title, height=height, font={"family": _FONT}, margin={"l": 10, "r": 10, "t": 50, "b": 30},
        template="plotly_white",
    )
    figure.update_yaxes(automargin=True)
    return figure
