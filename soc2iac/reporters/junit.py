"""JUnit XML for CI test-report views (GitLab, Jenkins, ...).

One <testsuite> per SOC 2 criterion with checks, from the summary model every format
shares (soc2iac.summary: a finding counts toward every criterion it is attributed to, a
plan's weakened or fixed control under CC8.1), with the criterion's verdict as a
property; one <testcase> per finding: fail -> <failure>, unknown and excepted ->
<skipped>, pass -> a passing case. Input problems form one more
suite of <error> cases. A last suite, "scope", holds no test: its properties are the scope
(tool, scan time, policy set, git commit, resources scanned, each input with its SHA-256,
the live cluster's properties) and its <system-out> the notices, one a line (what was not
read and why), so CI views show what the verdicts rest on. A pure function of the scan result; messages are
already redacted and nothing else that could hold a value (evidence text) is
copied, only evidence paths and lines.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from soc2iac.errors import InputProblem
from soc2iac.policy import criteria_catalog
from soc2iac.reporters.markdown import scope_items
from soc2iac.reporters.sarif import split_location
from soc2iac.result import VERDICTS, Finding, ScanResult
from soc2iac.summary import evidence, supporting_cell

CHANGE_PREFIX = {"regression": "Weakened: ", "control-removed": "Removed: "}
CHANGE_SUFFIX = {"regression": " [weakened by plan]", "control-removed": " [removed by plan]",
                 "improvement": " [fixed by plan]"}
PROBLEMS_SUITE = "input problems"
SCOPE_SUITE = "scope"
WAIVERS_SUITE = "waivers"

# characters XML 1.0 cannot carry at all, even escaped
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(result: ScanResult, *, fail_on: str = "high", **_: Any) -> str:
    titles = criteria_catalog()
    root = ET.Element("testsuites", {"name": "soc2iac"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for section in evidence(result, fail_on).sections:
        findings = sorted((*section.failing, *section.unknown, *section.excepted, *section.passed), key=_order)
        if not findings:
            continue
        suite = _suite(root, f"{section.id} {titles.get(section.id, '')}".strip(), findings_count(findings))
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", {"name": "verdict", "value": section.verdict})
        if section.coverage:
            ET.SubElement(props, "property", {"name": "coverage", "value": _x(section.coverage)})
        if supporting_cell(section):  # supporting checks are not test cases here: they do not decide
            ET.SubElement(props, "property", {"name": "supporting", "value": supporting_cell(section)})
        for row in section.policies:  # why each policy bears on the criterion
            if row.reason:
                ET.SubElement(props, "property", {"name": f"{row.role}:{_x(row.id)}",
                                                  "value": _x(f"{row.focus}: {row.reason}")})
        for f in findings:
            _testcase(suite, f)
        _add(totals, suite)
    if result.problems:
        suite = _suite(root, PROBLEMS_SUITE, {"tests": len(result.problems), "failures": 0,
                                              "errors": len(result.problems), "skipped": 0})
        for p in sorted(result.problems, key=lambda p: (p.file, p.line, p.message)):
            _problem_case(suite, p)
        _add(totals, suite)
    if result.waivers:  # every waiver is listed: applied ones pass, expired and unused ones are skipped
        suite = _suite(root, WAIVERS_SUITE, {"tests": len(result.waivers), "failures": 0, "errors": 0,
                                             "skipped": sum(w.status != "applied" for w in result.waivers)})
        for w in result.waivers:
            case = ET.SubElement(suite, "testcase", {"classname": _x(w.policy),
                                                     "name": _x(f"{', '.join(w.resources)} [{w.origin}]")})
            detail = (f"{w.reason}; approved by {w.approved_by or '-'}; ticket {w.ticket or '-'}; "
                      f"expires {w.expires or '-'}; matched {w.matched}")
            if w.status == "applied":
                ET.SubElement(case, "system-out").text = _x(detail)
            else:
                ET.SubElement(case, "skipped", {"message": _x(f"waiver {w.status}: {detail}")})
        _add(totals, suite)
    scope = _suite(root, SCOPE_SUITE, {"tests": 0, "failures": 0, "errors": 0, "skipped": 0})
    props = ET.SubElement(scope, "properties")
    for item, value in scope_items(result):
        ET.SubElement(props, "property", {"name": _x(item), "value": _x(value)})
    ET.SubElement(scope, "system-out").text = _x("\n".join(result.notices) if result.notices else "no notices")
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _order(f: Finding) -> tuple[str, str, str, str, int]:
    return f.policy_id, f.resource, _where(f), f.change, VERDICTS.index(f.verdict)


def findings_count(findings: list[Finding]) -> dict[str, int]:
    return {"tests": len(findings), "failures": sum(f.verdict == "fail" for f in findings), "errors": 0,
            "skipped": sum(f.verdict in ("unknown", "excepted") for f in findings)}


def _suite(root: ET.Element, name: str, counts: dict[str, int]) -> ET.Element:
    return ET.SubElement(root, "testsuite", {"name": _x(name), **{k: str(v) for k, v in counts.items()}})


def _add(totals: dict[str, int], suite: ET.Element) -> None:
    for k in totals:
        totals[k] += int(suite.get(k, "0"))


def _where(f: Finding) -> str:
    path, _ = split_location(f.file)
    return f"{path}:{f.line}" if f.line > 0 and path else path


def _testcase(suite: ET.Element, f: Finding) -> None:
    path, _ = split_location(f.file)
    attrs = {"classname": _x(f.policy_id), "name": _x(f"{f.resource} ({_where(f)}){CHANGE_SUFFIX.get(f.change, '')}")}
    if path:
        attrs["file"] = _x(path)
    case = ET.SubElement(suite, "testcase", attrs)
    message = CHANGE_PREFIX.get(f.change, "") + f.message
    if f.verdict == "fail":
        failure = ET.SubElement(case, "failure", {"message": _x(message), "type": _x(f.severity)})
        failure.text = _x(_details(f, message))
    elif f.verdict == "excepted":
        skipped = ET.SubElement(case, "skipped", {"message": _x(f"excepted: {f.exception or 'no reason given'}")})
        skipped.text = _x(_details(f, message))
    elif f.verdict == "unknown":
        skipped = ET.SubElement(case, "skipped", {"message": _x(f"unknown: {message}")})
        skipped.text = _x(_details(f, message))


def _details(f: Finding, message: str) -> str:
    lines = [
        message,
        f"policy: {f.policy_id} ({f.title})",
        f"resource: {f.resource}" + (f" ({f.resource_type})" if f.resource_type else ""),
        f"location: {_where(f) or f.file}",
        f"severity: {f.severity}",
        f"criteria: {', '.join(f.criteria)}",
    ]
    if f.change:
        lines.append(f"plan change: {f.change}")
    if f.exception:
        lines.append(f"exception: {f.exception}")
    shown = [e.path + (f" (line {e.line})" if e.line > 0 else "") for e in f.evidence if e.path]
    if shown:
        lines.append(f"evidence: {'; '.join(dict.fromkeys(shown))}")
    fix = " ".join(f.remediation.split())
    if fix:
        lines.append(f"fix: {fix}")
    return "\n".join(lines)


def _problem_case(suite: ET.Element, p: InputProblem) -> None:
    where = f"{p.file}:{p.line}" if p.line > 0 else p.file
    case = ET.SubElement(suite, "testcase", {"classname": "soc2iac.input", "name": _x(where), "file": _x(p.file)})
    error = ET.SubElement(case, "error", {"message": _x(p.message), "type": "input-problem"})
    error.text = _x(f"{where}: {p.message}\nThis file was not scanned.")


def _x(text: str) -> str:
    """Text XML 1.0 can hold (ElementTree escapes &, <, > and quotes itself)."""
    return _NOT_XML.sub("\ufffd", text)
