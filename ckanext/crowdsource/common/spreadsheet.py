"""CSV that spreadsheets open safely, for every export of the extension.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or
a tab or line break before one) as a formula: every text cell that starts
so gets a single quote in front (OWASP's advice against CSV injection), so
that it shows as the text it is. Numbers stay numbers.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

# what makes a spreadsheet read a cell as a formula (with the full-width
# forms, which some spreadsheets fold to these)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d",
                  "\uff20")


def neutralised(value: Any) -> Any:
    """A CSV cell's value that no spreadsheet runs as a formula: text that
    starts like one gets a single quote in front; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    """The rows as CSV text, a header of ``columns`` first; no cell a
    formula, empty cells for missing values."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else neutralised(v) for k, v in row.items()})
    return buffer.getvalue()
