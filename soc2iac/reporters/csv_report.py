"""CSV: one row per criterion x resource x policy, for spreadsheets and GRC tools.

A check counts under the same criteria as in every other format (the summary model,
soc2iac/summary.py: ``checks``, ``attributed_criteria``): a policy mapped to two
criteria gives two rows; a plan's weakened or fixed control is a CC8.1 row (and a CC7.1
supporting one; ``change`` says which). ``role`` says whether the check is primary
evidence for the criterion (it decides the verdict) or supporting (shown apart), and
``reason`` why it bears on the criterion. Rows are ordered by criterion (catalog order), then
file, line, resource, policy. Cells that a spreadsheet would run as a formula
(starting with = + - @, tab or carriage return) get a leading apostrophe.

The last column, ``record``, says what a row is: ``check`` for those rows; after them come
the scope every other format carries, one row each (their other columns empty but ``file``
and ``line`` of input problems): ``scope`` (``message`` is ``item: value``: tool, scan time,
policy set, git commit, resources scanned, each input with its SHA-256, live cluster
properties), ``notice`` (what was not read and why, ...) and ``input-problem`` (a file not
scanned). A consumer that wants the checks only keeps ``record == check``; one column and
rows of one shape, so spreadsheets and CSV libraries read the file as it is.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from soc2iac.policy import criteria_catalog
from soc2iac.reporters.markdown import scope_items
from soc2iac.summary import attributed_criteria, change_entry, checks, criterion_entries, role_of
from soc2iac.result import Finding, ScanResult, criterion_sort_key

HEADER = ("criterion", "criterion_title", "policy_id", "severity", "verdict", "resource", "resource_type",
          "file", "line", "message", "exception", "change", "role", "reason", "record")
CHECK, SCOPE, NOTICE, PROBLEM = "check", "scope", "notice", "input-problem"  # values of ``record``


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
            row = (*_row(cid, titles.get(cid, ""), f), role_of(f, cid, known), entry.reason if entry else "", CHECK)
            key = (order.get(cid, len(order)), criterion_sort_key(cid), f.file, f.line, f.resource, f.policy_id,
                   f.change, row)
            out.append((key, row))
    return [row for _, row in sorted(out)]


def _row(cid: str, title: str, f: Finding) -> tuple[str, ...]:
    return (cid, title, f.policy_id, f.severity, f.verdict, f.resource, f.resource_type, f.file,
            str(f.line) if f.line else "", " ".join(f.message.split()), " ".join(f.exception.split()), f.change)


def scope_rows(result: ScanResult) -> list[tuple[str, ...]]:
    """The scope, notices and input problems, one row each (``record`` says which)."""
    def row(record: str, message: str, file: str = "", line: int = 0) -> tuple[str, ...]:
        return ("", "", "", "", "", "", "", file, str(line) if line else "", " ".join(message.split()), "", "",
                "", "", record)

    out = [row(SCOPE, f"{item}: {value}") for item, value in scope_items(result)]
    out += [row(NOTICE, n) for n in result.notices]
    out += [row(PROBLEM, p.message, p.file, p.line)
            for p in sorted(result.problems, key=lambda p: (p.file, p.line, p.message))]
    return out


def render(result: ScanResult, *, fail_on: str = "high", **_: Any) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for row in [*rows(result), *scope_rows(result)]:
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue()
