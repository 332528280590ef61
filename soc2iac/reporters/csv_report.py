"""CSV: one row per criterion x resource x policy, for spreadsheets and GRC tools.

A check counts under the same criteria as in every other format (the summary model,
soc2iac/summary.py: ``checks``, ``attributed_criteria``): a policy mapped to two
criteria gives two rows; a plan's weakened or fixed control is a CC8.1 row (and a CC7.1
supporting one; ``change`` says which). ``role`` says whether the check is primary
evidence for the criterion (it decides the verdict) or supporting (shown apart), and
``reason`` why it bears on the criterion. Rows are ordered by criterion (catalog order), then
file, line, resource, policy. Cells that a spreadsheet would run as a formula
(starting with = + - @, tab or carriage return) get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from soc2iac.policy import criteria_catalog
from soc2iac.summary import attributed_criteria, change_entry, checks, criterion_entries, role_of
from soc2iac.result import Finding, ScanResult, criterion_sort_key

HEADER = ("criterion", "criterion_title", "policy_id", "severity", "verdict", "resource", "resource_type",
          "file", "line", "message", "exception", "change", "role", "reason")


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def rows(result: ScanResult) -> list[tuple[str, ...]]:
    titles = criteria_catalog()
    order = {cid: i for i, cid in enumerate(titles)}
    out: list[tuple[tuple[Any, ...], tuple[str, ...]]] = []
    known = criterion_entries(result)
    for f in checks(result.findings):
        for cid in dict.fromkeys(attributed_criteria(f)):
            entry = change_entry(f, cid) or known.get((f.policy_id, cid))
            row = (*_row(cid, titles.get(cid, ""), f), role_of(f, cid, known), entry.reason if entry else "")
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
