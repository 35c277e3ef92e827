"""`budget-warehouse report`: the seed department's page, offline, and its PDF printed by Chromium."""

from __future__ import annotations

import re
import unicodedata

import lxml.html
import pdfplumber
import pytest

from pipelines.cli import main

pytestmark = pytest.mark.slow

SEED_DEPARTMENT = "广州市越秀区政务服务数据管理局（本级）"
# Drawn by plotly's script, in SVG: in the PDF only if the charts rendered without the network.
CHART_TITLES = ("部门预算总额，逐年（万元）", "各项目预算（万元）", "资金来源（万元）")


@pytest.fixture(scope="module")
def seed_report(seed_warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    code = main(["report", "--department", SEED_DEPARTMENT, "--warehouse", str(seed_warehouse.database),
                 "--out", str(out)])
    assert code == 0
    return out / f"{SEED_DEPARTMENT}_2024.html", out / f"{SEED_DEPARTMENT}_2024.pdf"


def test_the_page_shows_the_seed_departments_figures(seed_report):
    html, _ = seed_report
    page = lxml.html.parse(str(html)).getroot()
    field = {e.get("data-field"): e.text_content() for e in page.xpath("//*[@data-field]")}
    assert page.findtext(".//h1") == SEED_DEPARTMENT
    assert (field["total_amount"], field["project_count"], field["indicator_count"]) == ("2,177.86", "10", "37")
    assert field["quantitative_share"] == "83.8%"
    projects = [[cell.text_content() for cell in row] for row in page.xpath("//table[@id='project-table']/tbody/tr")]
    assert len(projects) == 10
    assert projects[0][0] == "2024年信息化运维项目" and projects[0][2:4] == ["1,359.11", "1,359.11"]
    assert projects[-1][0] == "对口协作经费" and projects[-1][2] == "0.90"
    assert len(page.xpath("//table[@id='quality-table']/tbody/tr")) == 10


def test_the_page_needs_nothing_from_the_network(seed_report):
    html, _ = seed_report
    page = lxml.html.parse(str(html)).getroot()
    assert page.xpath("//@src | //@href | //link | //iframe | //object | //embed") == []
    assert not any(re.search(r"url\(|@import", style.text or "") for style in page.xpath("//style"))
    [library] = [s for s in page.xpath("//head/script") if "plotly" in (s.text or "")]
    assert len(library.text) > 1_000_000, "plotly.js itself, inlined"
    assert len(page.xpath("//div[@class='chart']/div/div[contains(@class, 'plotly-graph-div')]")) == 3


def test_chromium_prints_the_page_with_its_charts(seed_report):
    _, pdf = seed_report
    with pdfplumber.open(pdf) as document:
        text = _readable("\n".join(page.extract_text() or "" for page in document.pages))
    assert _readable(SEED_DEPARTMENT) in text
    assert "2,177.86" in text and "1,359.11" in text
    for title in CHART_TITLES:
        assert _readable(title) in text, title


def test_an_unknown_department_is_one_line_naming_it_and_the_near_names(seed_warehouse, tmp_path, capsys):
    code = main(["report", "--department", "政务服务", "--warehouse", str(seed_warehouse.database),
                 "--out", str(tmp_path), "--no-pdf"])
    assert code == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "'政务服务'" in error and SEED_DEPARTMENT in error
    assert list(tmp_path.iterdir()) == []


def _readable(text: str) -> str:
    """Text as compared with the PDF's. Noto CJK draws 目 and ⽬ (and 门 and ⻔) with one glyph, and
    the PDF maps that glyph back to the radical: NFKC folds ⽬ to 目 (and full-width brackets to
    ASCII, on both sides); ⻔ has no compatibility mapping, so it is folded here."""
    return unicodedata.normalize("NFKC", text).replace("\u2ed4", "门")
