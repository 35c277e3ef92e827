"""The common shape every reader produces, whatever the file format."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One table row as published: its 1-based line (or sheet row) and its cells, stripped."""

    line: int
    cells: tuple[str, ...]

    def cell(self, index: int) -> str:
        """Missing trailing cells read as empty, as spreadsheets and exports drop them."""
        return self.cells[index] if index < len(self.cells) else ""

    @property
    def is_blank(self) -> bool:
        return not any(self.cells)
