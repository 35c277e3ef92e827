"""Parsing changed files into staging frames, on every core when there are many of them.

Parsing and typing targets are pure Python (about 1.6 ms a file). Workers return frames, not
parsed tables: a DataFrame of Arrow-backed text pickles in a fraction of the time the same rows
take as dataclasses of Decimals, which would cost the main process as much as parsing them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields

import pandas as pd

from pipelines.load.discover import RawFile
from pipelines.load.frames import StagingFrames, build_frames
from pipelines.load.issues import LoadIssue
from pipelines.load.parse import ParsedFile, parse_raw_file

Progress = Callable[[int, int], None]

# A worker pool costs about 1 s to start (forkserver, imports): measured on 2 cores, 1,000 files
# parse in 2.1 s either way, 2,000 in 3.5 s alone and 2.2 s on two workers, 10,000 in 16 s and 9 s.
PARALLEL_MIN_FILES = 1000
CHUNK_FILES = 250
# A PDF costs as much to read as about 200 text tables (0.046 s a page, ~10 pages, against ~0.002 s
# a table; docs/benchmarks.md), a .docx about 5: they count that much toward the two limits above,
# so that 200 PDFs are read on every core, a few per chunk.
FILE_COST = {".pdf": 200, ".docx": 5}


@dataclass(frozen=True, slots=True)
class FramedFiles:
    """Good files as frames, with each one's (fiscal year, department, kind); broken files as issues."""

    identities: dict[str, tuple[int, str, str]]
    frames: StagingFrames
    issues: list[LoadIssue]


def frame_files(files: Sequence[RawFile]) -> FramedFiles:
    parsed: list[ParsedFile] = []
    issues: list[LoadIssue] = []
    for file in files:
        result = parse_raw_file(file)
        (parsed if isinstance(result, ParsedFile) else issues).append(result)  # type: ignore[arg-type]
    return FramedFiles(
        identities={p.file.source_path: p.identity for p in parsed},
        frames=build_frames(parsed),
        issues=issues,
    )


def parse_and_frame(files: Sequence[RawFile], progress: Progress | None = None) -> FramedFiles:
    cost = sum(_cost(file) for file in files)
    workers = min(os.cpu_count() or 1, -(-cost // CHUNK_FILES))
    if cost < PARALLEL_MIN_FILES or workers < 2:
        result = frame_files(files)
        if progress is not None:
            progress(len(files), len(files))
        return result
    chunks = _chunks(files)
    # forkserver, not fork: the load runs inside Dagster, whose threads a fork would copy mid-step.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    parts: list[FramedFiles] = []
    done = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for chunk, part in zip(chunks, pool.map(frame_files, chunks), strict=True):
            parts.append(part)
            done += len(chunk)
            if progress is not None:
                progress(done, len(files))
    return FramedFiles(
        identities={path: identity for part in parts for path, identity in part.identities.items()},
        frames=concat_frames([part.frames for part in parts]),
        issues=[issue for part in parts for issue in part.issues],
    )


def _cost(file: RawFile) -> int:
    return FILE_COST.get(file.absolute_path.suffix.lower(), 1)


def _chunks(files: Sequence[RawFile]) -> list[Sequence[RawFile]]:
    """Consecutive files, CHUNK_FILES of cost per chunk (250 text tables, or 2 PDFs)."""
    chunks, start, cost = [], 0, 0
    for index, file in enumerate(files):
        cost += _cost(file)
        if cost >= CHUNK_FILES:
            chunks.append(files[start:index + 1])
            start, cost = index + 1, 0
    if start < len(files):
        chunks.append(files[start:])
    return chunks


def concat_frames(parts: Sequence[StagingFrames]) -> StagingFrames:
    """One frame per table, typed as if built at once: a chunk whose column is all null types it
    as object, which must not hide that the other chunks' values are text."""
    combined = {}
    for name in (field.name for field in fields(StagingFrames)):
        frames = [getattr(part, name) for part in parts]
        frame = pd.concat(frames, ignore_index=True)
        for column in frame.columns:
            text = next((f[column].dtype for f in frames if isinstance(f[column].dtype, pd.StringDtype)), None)
            if text is not None and frame[column].dtype != text:
                frame[column] = frame[column].astype(text)
        combined[name] = frame
    return StagingFrames(**combined)
