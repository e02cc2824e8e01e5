"""An import's rows as plain data: the stored file, its column mapping and campaign (no Django import at module
level, so a spawned reader process can receive it before Django is set up)."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loancrm.imports.mapping import apply_mapping
from loancrm.imports.reader import iter_rows

if TYPE_CHECKING:
    from loancrm.leads.bulk import Errors, Row

Chunk = tuple[list[int], list["Row | Errors"]]  # row numbers and their prepared rows


@dataclass(frozen=True)
class Source:
    path: str
    kind: str
    encoding: str
    mapping: tuple[str, ...]
    campaign: str

    def rows(self, skip: int = 0) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) of the data rows after the first ``skip`` ones (the header row is never one)."""
        rows = iter_rows(Path(self.path), self.kind, self.encoding)
        next(rows, None)
        return islice(rows, skip, None)

    def raw_lead(self, cells: list[str]) -> dict[str, Any]:
        """The raw lead of one row: the mapped cells; the file's campaign unless the row names its own."""
        raw: dict[str, Any] = apply_mapping(list(self.mapping), cells)
        raw["campaign"] = raw.get("campaign") or self.campaign
        return raw

    def chunks(self, skip: int, size: int, today: Any) -> Generator[Chunk, None, None]:
        """The data rows after the first ``skip`` in chunks of ``size``, through ``prepare_rows``."""
        from loancrm.leads.bulk import prepare_rows

        rows = self.rows(skip)
        while chunk := list(islice(rows, size)):
            numbers = [number for number, _cells in chunk]
            yield numbers, prepare_rows([self.raw_lead(cells) for _number, cells in chunk], today=today)
