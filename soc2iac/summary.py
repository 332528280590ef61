"""The one summary model every reporter renders: a verdict for every SOC 2 criterion, with the
checks behind it, and the counts that go with it. JSON, text, SARIF, JUnit, CSV, Markdown and HTML
all read it, so they cannot disagree.

Verdict rules, per criterion of the catalog (2017 TSC, in catalog order), over the checks whose
policy maps the criterion as **primary** (a supporting check is evidence toward the criterion but
does not decide it: its results are counted and shown apart; roles come from each policy's
criteria entries, soc2iac/data/families.yaml):

* **FAIL**: at least one primary check attributed to the criterion failed.
* **NOT EVALUATED**: nothing failed, but at least one check could not be decided (a value known
  only at plan or apply time, beyond what the evaluator decides, or a kind not collected), so the
  criterion is not shown to hold.
* **PASS**: every check attributed to it passed or is excepted under a recorded waiver (the waivers
  are listed with their reasons).
* **NO RESOURCES IN SCOPE**: policies test the criterion, but no scanned resource is of a type
  they check: the scan is no evidence for or against it.
* **NOT TESTED**: no automated check of soc2iac tests it as primary (organisational or manual
  controls, or only supporting checks): other evidence must show it. (In SOC 2, "not applicable" is a scoping claim management makes; soc2iac
  never makes it.)

Attribution: a check counts under every criterion its policy maps to, in the role its policy gives
it (a finding of a policy the result does not describe counts as primary). A Terraform plan's change
findings are change-management evidence: a weakened or fixed control counts under the criteria of
the change-regression family only, CC8.1 (primary) and CC7.1 (supporting) (the
after-change state of the same resource is already judged under the policy's own criteria); a
removed control counts under the criteria of its verdict (CC8.1 and those of the control removed),
since no after-change finding stands for a deleted resource.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from soc2iac.policy import coverage_line, criteria_catalog, families
from soc2iac.result import VERDICTS, CriterionEntry, Finding, ScanResult, criterion_sort_key
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
CHANGE_FAMILY = "change-regression"  # whose criteria a plan's weakened or fixed control counts under
CHANGE_LABELS = {"regression": "weakened", "control-removed": "removed", "improvement": "fixed"}


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class PolicyRow:
    id: str
    title: str
    severity: str
    counts: dict[str, int]
    resources: int
    role: str = "primary"
    focus: str = ""
    reason: str = ""  # why the policy bears on the criterion (its criteria entry)

    @property
    def primary(self) -> bool:
        return self.role != "supporting"


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
    supporting: tuple[Finding, ...] = ()  # supporting checks, every verdict: shown apart, not deciding
    supporting_counts: dict[str, int] | None = None
    coverage: str = ""  # what soc2iac's checks cover for it and what they leave to other evidence

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


@dataclass(frozen=True)
class CriterionVerdict:
    """A criterion's verdict with the figures behind it, without the findings (JSON, SARIF)."""

    verdict: str
    counts: dict[str, int]  # primary checks
    supporting: dict[str, int]  # supporting checks: shown apart, not deciding
    policies: int  # policies testing it, either role
    rows: tuple[PolicyRow, ...]  # every policy testing it, with role, focus and reason (counts left empty)
    coverage: str


def _change_entries() -> tuple[CriterionEntry, ...]:
    fam = families().get(CHANGE_FAMILY)
    return fam.criteria if fam else (CriterionEntry(CHANGE_CRITERION, "primary", "", ""),)


def attributed_criteria(f: Finding) -> tuple[str, ...]:
    """The criteria a finding counts under in the evidence report (see the module docstring)."""
    if f.change in ("regression", "improvement"):
        return tuple(e.id for e in _change_entries())
    return f.criteria


def criterion_entries(result: ScanResult) -> dict[tuple[str, str], CriterionEntry]:
    """(policy id, criterion) -> the policy's entry for it: role, point of focus and reason."""
    return {(p.id, m.id): m for p in result.policies for m in p.mappings}


def change_entry(f: Finding, criterion: str) -> CriterionEntry | None:
    """For a plan's weakened or fixed control: the change-regression family's entry it counts under."""
    if f.change not in ("regression", "improvement"):
        return None
    return next((e for e in _change_entries() if e.id == criterion), None)


def role_of(f: Finding, criterion: str, known: dict[tuple[str, str], CriterionEntry]) -> str:
    """primary or supporting: the role the finding's check plays for the criterion."""
    entry = change_entry(f, criterion) if f.change else None
    entry = entry or (None if f.change in ("regression", "improvement") else known.get((f.policy_id, criterion)))
    return entry.role if entry is not None else "primary"


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


def _policy_rows(result: ScanResult, cid: str, found: Sequence[Finding],
                 known: dict[tuple[str, str], CriterionEntry], *, counted: bool) -> list[PolicyRow]:
    """Every policy testing the criterion (mapping it, or with a finding under it), primary first,
    then by severity and id; with ``counted`` its checks' counts and resources."""
    testing = {p.id: (p.title, p.severity) for p in result.policies if cid in p.criteria}
    for f in found:
        testing.setdefault(f.policy_id, (f.title, f.severity))
    by_policy: dict[str, list[Finding]] = {}
    if counted:
        for f in found:
            by_policy.setdefault(f.policy_id, []).append(f)
    roles = {pid: known.get((pid, cid)) for pid in testing}
    for f in found:  # a change finding's role is its family's, not its policy's
        if roles.get(f.policy_id) is None:
            roles[f.policy_id] = change_entry(f, cid)
    rows = []
    for pid, (title, severity) in testing.items():
        entry = roles.get(pid)
        mine = by_policy.get(pid, [])
        rows.append(PolicyRow(pid, title, severity, _count(mine), len({(f.file, f.resource) for f in mine}),
                              entry.role if entry else "primary", entry.focus if entry else "",
                              entry.reason if entry else ""))
    return sorted(rows, key=lambda r: (not r.primary, SEVERITIES.index(r.severity) if r.severity in SEVERITIES
                                       else 99, r.id))


def _families_of(result: ScanResult) -> list[str]:
    return [p.family for p in result.policies if p.family]


def verdicts_by_criterion(result: ScanResult) -> dict[str, CriterionVerdict]:
    """Per criterion the sections' own figures without their findings (what JSON and SARIF carry;
    cheap on 100,000 findings)."""
    ids, by_criterion = _attributed(result)
    known = criterion_entries(result)
    fams = _families_of(result)
    out = {}
    for cid in ids:
        found = by_criterion.get(cid, [])
        rows = _policy_rows(result, cid, found, known, counted=False)
        primary = [f for f in found if role_of(f, cid, known) == "primary"]
        counts, supporting = _count(primary), _count(f for f in found if role_of(f, cid, known) != "primary")
        verdict = _verdict(counts, sum(r.primary for r in rows), supporting)[0]
        out[cid] = CriterionVerdict(verdict, counts, supporting, len(rows), tuple(rows),
                                    coverage_line(cid, fams))
    return out


def evidence(result: ScanResult, fail_on: str = "high") -> Evidence:
    catalog = criteria_catalog()
    ids, by_criterion = _attributed(result)
    known = criterion_entries(result)
    fams = _families_of(result)
    policy_by_id = {p.id: p for p in result.policies}
    sections = []
    for cid in ids:
        found = sorted(by_criterion.get(cid, []), key=finding_key)
        rows = [r if r.id not in policy_by_id else
                PolicyRow(r.id, policy_by_id[r.id].title, policy_by_id[r.id].severity, r.counts, r.resources,
                          r.role, r.focus, r.reason)
                for r in _policy_rows(result, cid, found, known, counted=True)]
        primary = [f for f in found if role_of(f, cid, known) == "primary"]
        supporting = tuple(f for f in found if role_of(f, cid, known) != "primary")
        counts, supporting_counts = _count(primary), _count(supporting)
        verdict, reason, basis = _verdict(counts, sum(r.primary for r in rows), supporting_counts)
        sections.append(Section(
            id=cid, title=catalog.get(cid, "(not in the criteria catalog)"), verdict=verdict, reason=reason, basis=basis,
            counts=counts, policies=tuple(rows), resources=tuple(_resources(primary)),
            failing=tuple(f for f in primary if f.verdict == "fail"),
            unknown=tuple(f for f in primary if f.verdict == "unknown"),
            excepted=tuple(f for f in primary if f.verdict == "excepted"),
            passed=tuple(f for f in primary if f.verdict == "pass"),
            supporting=supporting, supporting_counts=supporting_counts,
            coverage=coverage_line(cid, fams) if rows else "",
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


def _verdict(counts: dict[str, int], policies: int, supporting: dict[str, int] | None = None
             ) -> tuple[str, str, str]:
    """(verdict, reason for the criterion's section, short basis for the summary table), from the
    primary checks' counts and the number of policies testing it as primary; supporting checks
    are named in the reason, never decide."""
    total = sum(counts.values())
    aside = _supporting_note(supporting or _zero())
    if counts["fail"]:
        return FAIL, f"{counts['fail']} of {total} check(s) failed{aside}", f"{counts['fail']} of {total} failed"
    if counts["unknown"]:
        return (NOT_EVALUATED, f"nothing failed, but {counts['unknown']} of {total} check(s) could not be decided "
                f"(see each check's reason){aside}",
                f"{counts['unknown']} of {total} undecided, none failed")
    if total:
        waived = f"; {counts['excepted']} excepted under a recorded waiver" if counts["excepted"] else ""
        return (PASS, f"{counts['pass']} of {total} check(s) passed{waived}{aside}",
                f"{counts['pass']} of {total} passed" + (f", {counts['excepted']} waived" if counts["excepted"] else ""))
    if policies:
        return (NO_RESOURCES, f"{plural(policies, 'policy tests', 'policies test')} it, but no scanned resource "
                f"is of a type {'it checks' if policies == 1 else 'they check'}{aside}", "no resource in scope")
    if sum((supporting or {}).values()):
        return (NOT_TESTED, f"no automated check tests it as primary evidence: other evidence must show it{aside}",
                "supporting checks only")
    return NOT_TESTED, "no automated check tests it: other evidence must show it", "no automated check"


def _supporting_note(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    if not total:
        return ""
    shown = ", ".join(f"{counts[v]} {w}" for v, w in (("fail", "failed"), ("unknown", "undecided"),
                                                        ("excepted", "excepted"), ("pass", "passed")) if counts[v])
    return f"; {plural(total, 'supporting check', 'supporting checks')} ({shown}) shown apart: they do not decide it"


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


def supporting_text(s: Section) -> str:
    """The supporting checks' counts, as every evidence report words them ("" when none)."""
    c = s.supporting_counts
    if not c or not sum(c.values()):
        return ""
    return (f"Supporting checks: {c['pass']} pass, {c['fail']} fail, {c['unknown']} unknown, {c['excepted']} "
            "excepted (shown apart; they do not decide the verdict).")


def supporting_cell(s: Section) -> str:
    """A short summary-table cell for the supporting checks (empty when none)."""
    c = s.supporting_counts
    if not c or not sum(c.values()):
        return ""
    return ", ".join(f"{c[k]} {k}" for k in ("fail", "unknown", "excepted", "pass") if c[k])


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
