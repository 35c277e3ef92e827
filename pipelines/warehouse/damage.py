"""A warehouse file DuckDB cannot read back (cut short by a full disk or a copy, overwritten):
one line naming it and the fix, instead of DuckDB's IOException."""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.warehouse.publish import build_dir

# DuckDB's words for a database file whose bytes are not what its header promises.
_DAMAGE = re.compile(
    r"Could not read enough bytes|Corrupt database file|checksum|not a valid DuckDB database|"
    r"Invalid (?:metadata|block)|Failed to read database header",
    re.IGNORECASE,
)
# "_duckdb.IOException: " or "duckdb.duckdb.IOException: " before DuckDB's own message.
_CLASS_PREFIX = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?[A-Za-z_]\w*(?:Exception|Error): ")


def damaged_warehouse_line(error: str, published: Path) -> str | None:
    """The line to show when `error` says that the published warehouse (or the build copy made
    from it) is damaged; None for any other error."""
    if not _DAMAGE.search(error):
        return None
    if str(published) not in error and str(build_dir(published)) not in error:
        return None
    said = _CLASS_PREFIX.sub("", error.strip().splitlines()[0])
    return (
        f"the warehouse {published} is damaged and cannot be read (DuckDB: {said}); move it away "
        f"(mv {published} {published}.damaged) and load again: the next load rebuilds it from raw/"
    )
