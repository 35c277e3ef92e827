"""Parsing on several processes gives the frames one process gives, row for row and type for type."""

from __future__ import annotations

import pandas as pd
import pytest

from bench.generate import generate
from pipelines.load import parallel
from pipelines.load.discover import discover_raw_files


@pytest.fixture(scope="module")
def raw_files(tmp_path_factory):
    raw = tmp_path_factory.mktemp("parallel") / "raw"
    generate(12, 11, raw)
    (raw / "2024" / "broken.txt").write_text("not a table\n", encoding="utf-8")
    return discover_raw_files(raw)


def test_chunks_on_worker_processes_give_the_frames_of_one_process(raw_files, monkeypatch):
    alone = parallel.frame_files(raw_files)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(parallel, "CHUNK_FILES", 4)
    seen: list[int] = []
    pooled = parallel.parse_and_frame(raw_files, lambda done, total: seen.append(done))
    assert seen[-1] == len(raw_files) and len(seen) == 4
    assert pooled.identities == alone.identities
    assert [i.source_path for i in pooled.issues] == [i.source_path for i in alone.issues] == ["2024/broken.txt"]
    for name in ("department_tables", "funding_units", "projects", "indicators", "project_evaluations", "indicator_results"):
        pd.testing.assert_frame_equal(getattr(pooled.frames, name), getattr(alone.frames, name))


def test_a_column_null_in_one_chunk_keeps_the_text_type_of_the_others():
    text = pd.DataFrame({"code": pd.Series(["1", None], dtype="str")})
    nulls = pd.DataFrame({"code": pd.Series([None, None], dtype=object)})
    frames = [parallel.StagingFrames(*[text] * 6), parallel.StagingFrames(*[nulls] * 6)]
    combined = parallel.concat_frames(frames)
    assert combined.indicators["code"].dtype == text["code"].dtype
    assert combined.indicators["code"].isna().tolist() == [False, True, True, True]
