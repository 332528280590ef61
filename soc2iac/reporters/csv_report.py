"""CSV: one row per criterion x resource x policy, for spreadsheets and GRC tools.

A check counts under the same criteria as in every other format (the summary model,
soc2iac/summary.py: ``checks``, ``attributed_criteria``): a policy mapped to two
criteria gives two rows; a plan's weakened or fixed control is a CC8.1 row
(``change`` says which). Rows are ordered by criterion (catalog order), then
file, line, resource, policy. Cells that a spreadsheet would run as a formula
(starting with = + - @, tab or carriage return) get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from soc2iac.policy import criteria_catalog
from soc2iac.summary import attributed_criteria, checks
from soc2iac.result import Finding, ScanResult, criterion_sort_key

HEADER = ("criterion", "criterion_title", "policy_id", "severity", "verdict", "resource", "resource_type",
          "file", "line", "message", "exception", "change")


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def rows(result: ScanResult) -> list[tuple[str, ...]]:
    titles = criteria_catalog()
    order = {cid: i for i, cid in enumerate(titles)}
    out: list[tuple[tuple[Any, ...], tuple[str, ...]]] = []
    for f in checks(result.findings):
        for cid in dict.fromkeys(attributed_criteria(f)):
            row = _row(cid, titles.get(cid, ""), f)
            key = (order.get(cid, len(order)), criterion_sort_key(cid), f.file, f.line, f.resource, f.policy_id,
                   f.change, row)
            out.append((key, row))
    return [row for _, row in sorted(out)]


def _row(cid: str, title: str, f: Finding) -> tuple[str, ...]:
    return (cid, title, f.policy_id, f.severity, f.verdict, f.resource, f.resource_type, f.file,
            str(f.line) if f.line else "", " ".join(f.message.split()), " ".join(f.exception.split()), f.change)


def render(result: ScanResult, *, fail_on: str = "high", **_: Any) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for row in rows(result):
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue()
