"""Validating and setting aside a batch of files so that one file's rows cannot fail the batch.

pandera and DuckDB see a batch of many files at once, which is what makes them fast. Should either
raise on some file's values (rather than report them), the batch is gone through again file by
file: the file that raises becomes its own `parser_error` (pipelines/load/barrier.py), and the
rest are validated and set aside as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields

import pandas as pd

from pipelines.contract.issues import LoadIssue, Severity
from pipelines.load.barrier import parser_error
from pipelines.load.frames import StagingFrames
from pipelines.load.validate import ValidationResult, merge_outcomes, validate_frames


def validate_contained(frames: StagingFrames) -> ValidationResult:
    try:
        return validate_frames(frames)
    except Exception:  # noqa: BLE001 - whatever it was, the file-by-file pass below finds and names it
        return _validate_each(frames)


def _validate_each(frames: StagingFrames) -> ValidationResult:
    results = [validate_frames(_only(frames, []))]
    for path, sha256 in _files(frames):
        try:
            results.append(validate_frames(_only(frames, [path])))
        except Exception as error:  # noqa: BLE001 - one file's values: its parser_error
            results.append(ValidationResult(issues=[parser_error(path, sha256, error)]))
    return ValidationResult(
        issues=[issue for result in results for issue in result.issues],
        outcomes=merge_outcomes([result.outcomes for result in results if result.outcomes]),
    )


def append_contained(
    frames: StagingFrames, exclude: set[str], append: Callable[[StagingFrames, set[str]], None],
    remove: Callable[[list[str]], None],
) -> list[LoadIssue]:
    """append(frames, exclude) for the batch; if it raises, the batch's rows are removed and the
    files appended one at a time. Returns the issues of the files that could not be set aside."""
    try:
        append(frames, exclude)
    except Exception:  # noqa: BLE001 - whatever it was, the file-by-file pass below finds and names it
        return _append_each(frames, exclude, append, remove)
    return []


def _append_each(
    frames: StagingFrames, exclude: set[str], append: Callable[[StagingFrames, set[str]], None],
    remove: Callable[[list[str]], None],
) -> list[LoadIssue]:
    files = [(path, sha) for path, sha in _files(frames) if path not in exclude]
    remove([path for path, _ in files])
    issues = []
    for path, sha256 in files:
        try:
            append(_only(frames, [path]), exclude)
        except Exception as error:  # noqa: BLE001 - one file's values: its parser_error
            remove([path])
            issues.append(parser_error(path, sha256, error))
    return issues


def quarantined(issues: list[LoadIssue]) -> set[str]:
    return {issue.source_path for issue in issues if issue.severity is Severity.ERROR}


def _files(frames: StagingFrames) -> list[tuple[str, str]]:
    """(source_path, source_sha256) of every file with a row in the batch, in order."""
    seen: dict[str, str] = {}
    for field in fields(StagingFrames):
        frame: pd.DataFrame = getattr(frames, field.name)
        for path, sha256 in zip(frame["source_path"], frame["source_sha256"], strict=True):
            seen.setdefault(path, sha256)
    return list(seen.items())


def _only(frames: StagingFrames, paths: list[str]) -> StagingFrames:
    return StagingFrames(
        **{
            field.name: getattr(frames, field.name)[getattr(frames, field.name)["source_path"].isin(paths)].reset_index(drop=True)
            for field in fields(StagingFrames)
        }
    )
