"""The one summary model every reporter renders: a verdict for every SOC 2 criterion, with the
checks behind it, and the counts that go with it. JSON, text, SARIF, JUnit, CSV, Markdown and HTML
all read it, so they cannot disagree.

Verdict rules, per criterion of the catalog (2017 TSC, in catalog order):

* **FAIL**: at least one check attributed to the criterion failed.
* **NOT EVALUATED**: nothing failed, but at least one check could not be decided (a value known
  only at plan or apply time, beyond what the evaluator decides, or a kind not collected), so the
  criterion is not shown to hold.
* **PASS**: every check attributed to it passed or is excepted under a recorded waiver (the waivers
  are listed with their reasons).
* **NO RESOURCES IN SCOPE**: policies test the criterion, but no scanned resource is of a type
  they check: the scan is no evidence for or against it.
* **NOT TESTED**: no automated check of soc2iac tests it (organisational or manual controls): other
  evidence must show it. (In SOC 2, "not applicable" is a scoping claim management makes; soc2iac
  never makes it.)

Attribution: a check counts under every criterion its policy maps to. A Terraform plan's change
findings are change-management evidence: a weakened or fixed control counts under CC8.1 only (the
after-change state of the same resource is already judged under the policy's own criteria); a
removed control counts under the criteria of its verdict (CC8.1 and those of the control removed),
since no after-change finding stands for a deleted resource.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from soc2iac.policy import criteria_catalog
from soc2iac.result import VERDICTS, Finding, ScanResult, criterion_sort_key
from soc2iac.severity import SEVERITIES

FAIL, NOT_EVALUATED, PASS = "FAIL", "NOT EVALUATED", "PASS"
NO_RESOURCES, NOT_TESTED = "NO RESOURCES IN SCOPE", "NOT TESTED"
CRITERION_VERDICTS = (FAIL, NOT_EVALUATED, PASS, NO_RESOURCES, NOT_TESTED)
VERDICT_RULES = (
    (FAIL, "a check failed"),
    (NOT_EVALUATED, "none failed, but some could not be decided (each says why)"),
    (PASS, "every check passed or is excepted under a recorded waiver"),
    (NO_RESOURCES, "policies test the criterion, but no scanned resource is of a type they check"),
    (NOT_TESTED, "no automated check tests it; other evidence must show it"),
)
COUNTED = ("pass", "fail", "unknown", "excepted")
CHANGE_CRITERION = "CC8.1"
CHANGE_LABELS = {"regression": "weakened", "control-removed": "removed", "improvement": "fixed"}


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class PolicyRow:
    id: str
    title: str
    severity: str
    counts: dict[str, int]
    resources: int


@dataclass(frozen=True)
class ResourceRow:
    resource: str
    resource_type: str
    location: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    verdict: str
    reason: str
    basis: str
    counts: dict[str, int]
    policies: tuple[PolicyRow, ...]
    resources: tuple[ResourceRow, ...]
    failing: tuple[Finding, ...]
    unknown: tuple[Finding, ...]
    excepted: tuple[Finding, ...]
    passed: tuple[Finding, ...]

    @property
    def detailed(self) -> bool:
        """Worth a section of its own: some policy tests it."""
        return bool(self.policies)


@dataclass(frozen=True)
class Evidence:
    sections: tuple[Section, ...]
    verdicts: dict[str, int]  # criterion verdict -> number of criteria
    checks: dict[str, int]  # finding verdict -> number of findings (plan change findings excluded)
    fail_on: str
    failing: int
    changes: tuple[Finding, ...]


def attributed_criteria(f: Finding) -> tuple[str, ...]:
    """The criteria a finding counts under in the evidence report (see the module docstring)."""
    if f.change in ("regression", "improvement"):
        return (CHANGE_CRITERION,)
    return f.criteria


def finding_key(f: Finding) -> tuple[Any, ...]:
    """A total, input-order independent order for findings."""
    return (SEVERITIES.index(f.severity) if f.severity in SEVERITIES else 99, f.policy_id, f.file, f.line,
            f.resource, f.resource_type, f.verdict, f.change, f.message, f.exception)


def _zero() -> dict[str, int]:
    return {v: 0 for v in COUNTED}


def _count(findings: Iterable[Finding]) -> dict[str, int]:
    out = _zero()
    for f in findings:
        out[f.verdict] += 1
    return out


def checks(findings: Iterable[Finding]) -> list[Finding]:
    """The checks findings stand for: one per (policy, resource, location, change), the worst verdict
    kept (the same check reported twice, e.g. from two sources, is one piece of evidence), in order."""
    kept: dict[tuple[str, str, str, int, str], Finding] = {}
    for f in findings:
        key = (f.policy_id, f.resource, f.file, f.line, f.change)
        seen = kept.get(key)
        if seen is None or VERDICTS.index(f.verdict) < VERDICTS.index(seen.verdict):
            kept[key] = f
    return list(kept.values())


def _attributed(result: ScanResult) -> tuple[list[str], dict[str, list[Finding]]]:
    """Every criterion id (the catalog's, in order, then any other a finding names) and the checks
    attributed to each."""
    catalog = criteria_catalog()
    by_criterion: dict[str, list[Finding]] = {}
    for f in checks(result.findings):
        for c in dict.fromkeys(attributed_criteria(f)):
            by_criterion.setdefault(c, []).append(f)
    return list(catalog) + sorted((c for c in by_criterion if c not in catalog), key=criterion_sort_key), by_criterion


def verdicts_by_criterion(result: ScanResult) -> dict[str, tuple[str, dict[str, int], int]]:
    """Per criterion: (verdict, counts, policies testing it), the sections' own figures without
    their detail (what JSON and SARIF carry; cheap on 100,000 findings)."""
    ids, by_criterion = _attributed(result)
    testing: dict[str, set[str]] = {}
    for p in result.policies:
        for c in p.criteria:
            testing.setdefault(c, set()).add(p.id)
    out = {}
    for cid in ids:
        found = by_criterion.get(cid, [])
        policies = testing.get(cid, set()) | {f.policy_id for f in found}
        counts = _count(found)
        out[cid] = (_verdict(counts, len(policies))[0], counts, len(policies))
    return out


def evidence(result: ScanResult, fail_on: str = "high") -> Evidence:
    catalog = criteria_catalog()
    ids, by_criterion = _attributed(result)
    policy_by_id = {p.id: p for p in result.policies}
    sections = []
    for cid in ids:
        found = sorted(by_criterion.get(cid, []), key=finding_key)
        testing = {p.id: (p.title, p.severity) for p in result.policies if cid in p.criteria}
        for f in found:
            testing.setdefault(f.policy_id, (f.title, f.severity))
        policies = []
        by_policy: dict[str, list[Finding]] = {}
        for f in found:
            by_policy.setdefault(f.policy_id, []).append(f)
        for pid in sorted(testing, key=lambda i: (SEVERITIES.index(testing[i][1])
                                                  if testing[i][1] in SEVERITIES else 99, i)):
            mine = by_policy.get(pid, [])
            title, severity = testing[pid]
            if pid in policy_by_id:
                title, severity = policy_by_id[pid].title, policy_by_id[pid].severity
            policies.append(PolicyRow(pid, title, severity, _count(mine),
                                      len({(f.file, f.resource) for f in mine})))
        counts = _count(found)
        verdict, reason, basis = _verdict(counts, len(policies))
        sections.append(Section(
            id=cid, title=catalog.get(cid, "(not in the criteria catalog)"), verdict=verdict, reason=reason, basis=basis,
            counts=counts, policies=tuple(policies), resources=tuple(_resources(found)),
            failing=tuple(f for f in found if f.verdict == "fail"),
            unknown=tuple(f for f in found if f.verdict == "unknown"),
            excepted=tuple(f for f in found if f.verdict == "excepted"),
            passed=tuple(f for f in found if f.verdict == "pass"),
        ))
    verdicts = {v: 0 for v in CRITERION_VERDICTS}
    for s in sections:
        verdicts[s.verdict] += 1
    return Evidence(
        sections=tuple(sections), verdicts=verdicts,
        checks=_count(f for f in checks(result.findings) if not f.change),
        fail_on=fail_on, failing=len(result.failing(fail_on)),
        changes=tuple(sorted((f for f in result.findings if f.change), key=finding_key)),
    )


def _verdict(counts: dict[str, int], policies: int) -> tuple[str, str, str]:
    """(verdict, reason for the criterion's section, short basis for the summary table)."""
    total = sum(counts.values())
    if counts["fail"]:
        return FAIL, f"{counts['fail']} of {total} check(s) failed", f"{counts['fail']} of {total} failed"
    if counts["unknown"]:
        return (NOT_EVALUATED, f"nothing failed, but {counts['unknown']} of {total} check(s) could not be decided "
                "(see each check's reason)",
                f"{counts['unknown']} of {total} undecided, none failed")
    if total:
        waived = f"; {counts['excepted']} excepted under a recorded waiver" if counts["excepted"] else ""
        return (PASS, f"{counts['pass']} of {total} check(s) passed{waived}",
                f"{counts['pass']} of {total} passed" + (f", {counts['excepted']} waived" if counts["excepted"] else ""))
    if policies:
        return (NO_RESOURCES, f"{plural(policies, 'policy tests', 'policies test')} it, but no scanned resource "
                f"is of a type {'it checks' if policies == 1 else 'they check'}", "no resource in scope")
    return NOT_TESTED, "no automated check tests it: other evidence must show it", "no automated check"


def _resources(found: Sequence[Finding]) -> list[ResourceRow]:
    rows: dict[tuple[str, str, str], tuple[int, dict[str, int]]] = {}
    for f in found:
        key = (f.file, f.resource, f.resource_type)
        line, counts = rows.get(key, (0, _zero()))
        counts[f.verdict] += 1
        rows[key] = (min(line, f.line) if line and f.line else (line or f.line), counts)
    out = []
    for (file, resource, rtype), (line, counts) in sorted(rows.items(), key=lambda kv: (kv[0], kv[1][0])):
        out.append(ResourceRow(resource, rtype, f"{file}:{line}" if line else file, counts))
    return out


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
