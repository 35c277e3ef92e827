"""Parsing changed files into staging frames, on every core when there are many of them.

Parsing and typing targets are pure Python (about 0.9 ms a file). Workers return frames, not
parsed tables: a DataFrame of Arrow-backed text pickles in a fraction of the time the same rows
take as dataclasses of Decimals, which would cost the main process as much as parsing them.

The frames come back in batches of about BATCH_FILES files (`iter_framed`): the load validates
and stages one batch while the workers parse the next, and holds no more than about two batches
of rows at once, however many files there are.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields

import pandas as pd

from pipelines.contract.issues import LoadIssue
from pipelines.load.barrier import contained, file_seconds_from_env
from pipelines.load.discover import RawFile
from pipelines.load.frames import StagingFrames, build_frames
from pipelines.load.parse import ParsedFile, parse_raw_file
from pipelines.load.tuning import positive_from_env

Progress = Callable[[int, int], None]

# A worker pool costs about 1 s to start (forkserver, imports): measured on 2 cores, 1,000 files
# parse in 2.1 s either way, 2,000 in 3.5 s alone and 2.2 s on two workers, 10,000 in 16 s and 9 s.
PARALLEL_MIN_FILES = 1000
CHUNK_FILES = 250
# A PDF costs as much to read as about 200 text tables (0.046 s a page, ~10 pages, against ~0.002 s
# a table; docs/benchmarks.md), a .docx about 5: they count that much toward the two limits above,
# so that 200 PDFs are read on every core, a few per chunk.
FILE_COST = {".pdf": 200, ".docx": 5}


# Files per batch of frames that the load validates and stages at once (cost units, as above).
# Memory grows with the batch, not with the load: about 0.1 MB of frames per text table; pandera
# costs a few tenths of a second per batch whatever its size, so batches are not made small.
BATCH_FILES = 2000
BATCH_FILES_ENV = "BUDGET_LOAD_BATCH_FILES"


def batch_files_from_env() -> int:
    """BATCH_FILES, or BUDGET_LOAD_BATCH_FILES when set (a positive whole number)."""
    return positive_from_env(BATCH_FILES_ENV, BATCH_FILES, int, what="a whole number of files")


@dataclass(frozen=True, slots=True)
class FramedFiles:
    """Good files as frames, with each one's (fiscal year, department, kind); broken files as issues."""

    identities: dict[str, tuple[int, str, str]]
    frames: StagingFrames
    issues: list[LoadIssue]


def frame_files(files: Sequence[RawFile]) -> FramedFiles:
    """Files that vanished since they were listed are left out (parse_raw_file returns None)."""
    parsed: list[ParsedFile] = []
    issues: list[LoadIssue] = []
    seconds = file_seconds_from_env() if files else None
    for file in files:
        result = parse_raw_file(file, seconds=seconds)
        if isinstance(result, ParsedFile):
            parsed.append(result)
        elif result is not None:
            issues.append(result)
    frames, failed = frames_contained(parsed)
    failed_paths = {issue.source_path for issue in failed}
    return FramedFiles(
        identities={p.file.source_path: p.identity for p in parsed if p.file.source_path not in failed_paths},
        frames=frames,
        issues=issues + failed,
    )


def frames_contained(parsed: Sequence[ParsedFile]) -> tuple[StagingFrames, list[LoadIssue]]:
    """The frames of every file whose rows can be built; a file whose rows raise is its own
    parser_error (built all at once first, one by one only when that fails)."""
    try:
        return build_frames(parsed), []
    except Exception:  # noqa: BLE001 - the file-by-file pass below finds the file and names the error
        good: list[ParsedFile] = []
        failed: list[LoadIssue] = []
        for item in parsed:
            outcome = contained(item.file, lambda item=item: build_frames([item]))
            if isinstance(outcome, LoadIssue):
                failed.append(outcome)
            else:
                good.append(item)
        return build_frames(good), failed


def parse_and_frame(files: Sequence[RawFile], progress: Progress | None = None) -> FramedFiles:
    """Every file's frames at once: one batch (the load itself goes batch by batch, `iter_framed`)."""
    batch = max(1, sum(_cost(file) for file in files))
    parts = list(iter_framed(files, batch_files=batch, progress=progress))
    return combine(parts) if parts else frame_files([])


def iter_framed(
    files: Sequence[RawFile], *, batch_files: int = BATCH_FILES, progress: Progress | None = None
) -> Iterator[FramedFiles]:
    """The files' frames, a batch of about `batch_files` (by cost) at a time, in the files' order.

    On the pool, at most one batch beyond the one handed out is being parsed or waiting, so the
    workers keep parsing while the caller validates and stages, and memory stays bounded.
    """
    cost = sum(_cost(file) for file in files)
    workers = min(os.cpu_count() or 1, -(-cost // CHUNK_FILES))
    if cost < PARALLEL_MIN_FILES or workers < 2:
        done = 0
        for batch in _chunks(files, batch_files):
            yield frame_files(batch)
            done += len(batch)
            if progress is not None:
                progress(done, len(files))
        return
    chunks = iter(_chunks(files, min(CHUNK_FILES, batch_files)))
    in_flight = max(1, -(-batch_files // CHUNK_FILES)) + workers
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        pending = deque((chunk, pool.submit(frame_files, chunk)) for chunk in _take(chunks, in_flight))
        parts: list[FramedFiles] = []
        done = part_cost = 0
        while pending:
            chunk, future = pending.popleft()
            parts.append(future.result())
            pending.extend((more, pool.submit(frame_files, more)) for more in _take(chunks, 1))
            done += len(chunk)
            part_cost += sum(_cost(file) for file in chunk)
            if progress is not None:
                progress(done, len(files))
            if part_cost >= batch_files:
                yield combine(parts)
                parts, part_cost = [], 0
        if parts:
            yield combine(parts)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def combine(parts: Sequence[FramedFiles]) -> FramedFiles:
    if len(parts) == 1:
        return parts[0]
    return FramedFiles(
        identities={path: identity for part in parts for path, identity in part.identities.items()},
        frames=concat_frames([part.frames for part in parts]),
        issues=[issue for part in parts for issue in part.issues],
    )


def _take(chunks: Iterator[Sequence[RawFile]], count: int) -> list[Sequence[RawFile]]:
    return [chunk for _, chunk in zip(range(count), chunks)]


def _cost(file: RawFile) -> int:
    return FILE_COST.get(file.absolute_path.suffix.lower(), 1)


def _chunks(files: Sequence[RawFile], size: int = CHUNK_FILES) -> list[Sequence[RawFile]]:
    """Consecutive files, `size` of cost per chunk (CHUNK_FILES: 250 text tables, or 2 PDFs)."""
    chunks, start, cost = [], 0, 0
    for index, file in enumerate(files):
        cost += _cost(file)
        if cost >= size:
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
