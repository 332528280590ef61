"""Evidence report (Markdown): a verdict for every SOC 2 criterion, with the checks behind it.

This module also holds the evidence model shared with the HTML and CSV reports
(:func:`evidence`), so the three always agree. Verdict rules, per criterion of
the catalog (2017 TSC, in catalog order):

* **FAIL**: at least one check attributed to the criterion failed.
* **NOT EVALUATED**: nothing failed, but at least one check could not be decided
  from the code (a value known only at plan or apply time), so the criterion is
  not shown to hold.
* **PASS**: every check attributed to it passed or is excepted under a recorded
  waiver (the waivers are listed with their reasons).
* **NOT APPLICABLE**: no policy in the policy set tests the criterion, or the
  policies that test it found no resource of a type they check in the scanned
  inputs. Either way the scan is no evidence for or against it.

Attribution: a check counts under every criterion its policy maps to. A Terraform
plan's change findings are change-management evidence: a weakened or fixed
control counts under CC8.1 only (the after-change state of the same resource is
already judged under the policy's own criteria); a removed control counts under
CC8.1 and under the criteria of the control it removes, since no after-change
finding stands for a deleted resource.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from soc2iac.policy import SEVERITIES, criteria_catalog
from soc2iac.result import Finding, ScanResult, criterion_sort_key, WaiverInfo

FAIL, NOT_EVALUATED, PASS, NOT_APPLICABLE = "FAIL", "NOT EVALUATED", "PASS", "NOT APPLICABLE"
CRITERION_VERDICTS = (FAIL, NOT_EVALUATED, PASS, NOT_APPLICABLE)
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


def evidence(result: ScanResult, fail_on: str = "high") -> Evidence:
    catalog = criteria_catalog()
    by_criterion: dict[str, list[Finding]] = {}
    for f in result.findings:
        for c in dict.fromkeys(attributed_criteria(f)):
            by_criterion.setdefault(c, []).append(f)
    policy_by_id = {p.id: p for p in result.policies}
    ids = list(catalog) + sorted((c for c in by_criterion if c not in catalog), key=criterion_sort_key)
    sections = []
    for cid in ids:
        found = sorted(by_criterion.get(cid, []), key=finding_key)
        testing = {p.id: (p.title, p.severity) for p in result.policies if cid in p.criteria}
        for f in found:
            testing.setdefault(f.policy_id, (f.title, f.severity))
        policies = []
        for pid in sorted(testing, key=lambda i: (SEVERITIES.index(testing[i][1])
                                                  if testing[i][1] in SEVERITIES else 99, i)):
            mine = [f for f in found if f.policy_id == pid]
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
        checks=_count(f for f in result.findings if not f.change),
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
                "from the code (values known only at plan or apply time)",
                f"{counts['unknown']} of {total} undecided, none failed")
    if total:
        waived = f"; {counts['excepted']} excepted under a recorded waiver" if counts["excepted"] else ""
        return (PASS, f"{counts['pass']} of {total} check(s) passed{waived}",
                f"{counts['pass']} of {total} passed" + (f", {counts['excepted']} waived" if counts["excepted"] else ""))
    if policies:
        return (NOT_APPLICABLE, f"{_plural(policies, 'policy tests', 'policies test')} it, but no scanned resource "
                f"is of a type {'it checks' if policies == 1 else 'they check'}", "no resource in scope")
    return NOT_APPLICABLE, "no policy tests it", "no policy tests it"


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


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def scan_window(result: ScanResult) -> str:
    if result.started_at and result.finished_at and result.started_at != result.finished_at:
        return f"{result.started_at} to {result.finished_at}"
    return result.started_at or result.finished_at or "not recorded"


def git_text(result: ScanResult) -> str:
    if not result.scope.git_commit:
        return "not recorded (inputs not in a git work tree)"
    return result.scope.git_commit + (" (uncommitted changes)" if result.scope.git_dirty else "")


def input_rows(result: ScanResult) -> list[tuple[str, str]]:
    """(path, sha256) for every input, digests from the scope; inputs without one show why."""
    digests = dict(result.scope.inputs)
    rows = [(path, digests.get(path, "")) for path in result.inputs]
    rows += [(path, digest) for path, digest in result.scope.inputs if path not in result.inputs]
    return [(path, digest or "not recorded (read from stdin or a stream)") for path, digest in rows]


def failing_groups(findings: Sequence[Finding]) -> list[list[Finding]]:
    """Findings grouped by (severity, policy, fix), in order, so each fix is shown once."""
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.severity, f.policy_id, f.remediation), []).append(f)
    return list(groups.values())


# --------------------------------------------------------------------------- markdown


def text(value: object) -> str:
    """Markdown-safe inline text: one line, Markdown and HTML specials backslash-escaped."""
    s = " ".join(str(value).split())
    out = []
    for i, ch in enumerate(s):
        intraword = ch == "_" and 0 < i < len(s) - 1 and s[i - 1].isalnum() and s[i + 1].isalnum()
        out.append("\\" + ch if ch in "\\`*_[]<>|~#!" and not intraword else ch)
    return "".join(out)


def code(value: object) -> str:
    """An inline code span (identifiers, paths, digests); pipes escaped for tables."""
    s = " ".join(str(value).split())
    if not s:
        return ""
    run = longest = 0
    for ch in s:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or (s.startswith(" ") and s.endswith(" ")) else ""
    return f"{fence}{pad}{s.replace('|', chr(92) + '|')}{pad}{fence}"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out.extend("| " + " | ".join(cell or " " for cell in row) + " |" for row in rows)
    return out


WAIVER_HEAD = ["Status", "Policy", "Resources", "Reason", "Approved by", "Ticket", "Expires", "Declared at", "Matched"]


def waiver_row(w: WaiverInfo) -> list[str]:
    """One waiver as the evidence reports list it (all of them: applied, expired, unused)."""
    return [w.status.upper(), w.policy, ", ".join(w.resources), w.reason, w.approved_by or "-",
            w.ticket or "-", w.expires or "-", w.origin, str(w.matched)]


def anchor(cid: str) -> str:
    """A safe fragment id for a criterion: lowercase letters, digits and hyphens only."""
    return "criterion-" + "".join(ch for ch in cid.lower() if ch.isascii() and (ch.isalnum() or ch == "-"))


def render(result: ScanResult, *, fail_on: str = "high", **_: Any) -> str:
    ev = evidence(result, fail_on)
    out: list[str] = ["# SOC 2 evidence report", ""]
    out += [f"Generated by soc2iac {text(result.tool_version)} from a scan run {text(scan_window(result))}. "
            "Automated checks of infrastructure code; each verdict covers only the scanned inputs.", ""]

    out += ["## Summary", ""]
    v = ev.verdicts
    out.append(f"- **Criteria** ({len(ev.sections)}): {v[FAIL]} fail, {v[NOT_EVALUATED]} not evaluated, "
               f"{v[PASS]} pass, {v[NOT_APPLICABLE]} not applicable")
    c = ev.checks
    out.append(f"- **Checks** ({sum(c.values())}, plan changes not included): {c['fail']} fail, {c['unknown']} unknown, "
               f"{c['excepted']} excepted, {c['pass']} pass")
    out.append(f"- **Failing at or above severity `{ev.fail_on}`**: {ev.failing}")
    changes = result.change_summary()
    if changes is not None:
        out.append(f"- **Plan changes**: {changes['changed_resources']} resource(s) changed; "
                   f"{changes['weakened']} control(s) weakened, {changes['removed']} removed, "
                   f"{changes['fixed']} fixed")
    if result.problems:
        out.append(f"- **Input problems**: {len(result.problems)} file(s) could not be read and were not "
                   "scanned (see Scope)")
    out += ["", "Verdict rules: FAIL, any check failed; NOT EVALUATED, none failed but some could not be decided "
            "from the code; PASS, all checks passed or are excepted under a recorded waiver; NOT APPLICABLE, no "
            "policy tests the criterion or no scanned resource is of a type its policies check.", ""]
    out += _table(
        ["Criterion", "Title", "Verdict", "Pass", "Fail", "Unknown", "Excepted", "Basis"],
        ([f"[{text(s.id)}](#{anchor(s.id)})" if s.detailed else text(s.id), text(s.title), f"**{s.verdict}**",
          *(str(s.counts[k]) for k in COUNTED), text(s.basis)] for s in ev.sections),
    )

    out += ["", "## Scope", ""]
    out.append(f"- **Tool**: soc2iac {text(result.tool_version or 'version not recorded')}")
    out.append(f"- **Scan time**: {text(scan_window(result))}")
    out.append(f"- **Policy set SHA-256**: {code(result.scope.policy_set_sha256) or 'not recorded'} "
               f"({_plural(len(result.policies), 'policy', 'policies')})")
    commit = result.scope.git_commit
    out.append("- **Git commit**: " + (code(commit) + (" (uncommitted changes)" if result.scope.git_dirty else "")
                                       if commit else git_text(result)))
    out.append(f"- **Inputs**: {len(input_rows(result))} file(s), {result.resources_scanned} resource(s) "
               "scanned (digests in Appendix A)")
    if result.scope.cluster:
        out += ["", "Live cluster scanned:", ""]
        out += _table(["Property", "Value"], ([text(k), code(val)] for k, val in result.scope.cluster))
    if ev.changes:
        out += ["", "### Plan changes to controls (CC8.1)", ""]
        out += _table(["Change", "Severity", "Policy", "Resource", "Location", "What changed"],
                      ([text(CHANGE_LABELS.get(f.change, f.change)), text(f.severity), code(f.policy_id), code(f.resource),
                        code(f.location), text(f.message)] for f in ev.changes))
    out += ["", "### Input problems", ""]
    if result.problems:
        out.append("These files could not be read or parsed and were not scanned:")
        out.append("")
        out += _table(["File", "Line", "Problem"],
                      ([code(p.file), str(p.line or ""), text(p.message)]
                       for p in sorted(result.problems, key=lambda p: (p.file, p.line, p.message))))
    else:
        out.append("None: every input was read.")
    if result.notices:
        out += ["", "### Notices", ""]
        out += [f"- {text(n)}" for n in result.notices]
    out += ["", "### Waivers", ""]
    if result.waivers:
        out += _table(WAIVER_HEAD, ([text(w) for w in waiver_row(v)] for v in result.waivers))
    else:
        out.append("None: no accepted risk was declared.")

    out += ["", "## Criteria", ""]
    untested = [s.id for s in ev.sections if not s.detailed]
    if untested:
        out += [f"No policy in the policy set tests {len(untested)} criteria (NOT APPLICABLE, not detailed "
                f"below): {text(', '.join(untested))}.", ""]
    for s in ev.sections:
        if s.detailed:
            out += _section_md(s)

    out += ["## Appendix A: Inputs", ""]
    out += _table(["Input", "SHA-256"], ([code(p), code(d) if len(d) == 64 else text(d)]
                                        for p, d in input_rows(result)))
    out += ["", "## Appendix B: Policies", ""]
    out += _table(["Policy", "Severity", "Criteria", "Title"],
                  ([code(p.id), text(p.severity), text(", ".join(p.criteria)), text(p.title)]
                   for p in sorted(result.policies, key=lambda p: p.id)))
    lines: list[str] = []
    for line in out:  # no runs of blank lines
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).rstrip("\n") + "\n"


def _section_md(s: Section) -> list[str]:
    out = [f'<a id="{anchor(s.id)}"></a>', "", f"### {text(s.id)} {text(s.title)}", ""]
    out += [f"**Verdict: {s.verdict}**: {text(s.reason)}.", ""]
    out.append(f"Checks: {s.counts['pass']} pass, {s.counts['fail']} fail, {s.counts['unknown']} unknown, "
               f"{s.counts['excepted']} excepted, on {_plural(len(s.resources), 'resource', 'resources')}.")
    out += ["", "#### Policies", ""]
    out += _table(["Policy", "Severity", "Title", "Pass", "Fail", "Unknown", "Excepted", "Resources"],
                  ([code(p.id), text(p.severity), text(p.title), *(str(p.counts[k]) for k in COUNTED),
                    str(p.resources) if p.resources else "none in scope"] for p in s.policies))
    if s.failing:
        out += ["", "#### Failing checks", ""]
        for group in failing_groups(s.failing):
            f = group[0]
            out += [f"{code(f.policy_id)} ({text(f.severity)}): {text(f.title)}", "",
                    f"Fix: {text(f.remediation) or 'not recorded'}", ""]
            out += _table(["Resource", "Location", "Finding"],
                          ([code(g.resource), code(g.location),
                            (f"**{CHANGE_LABELS[g.change]}**: " if g.change else "") + text(g.message)]
                           for g in group))
            out.append("")
    if s.unknown:
        out += ["", "#### Not evaluated", ""]
        out += _table(["Policy", "Resource", "Location", "Why"],
                      ([code(f.policy_id), code(f.resource), code(f.location), text(f.message)] for f in s.unknown))
    if s.excepted:
        out += ["", "#### Excepted (waived)", ""]
        out += _table(["Policy", "Resource", "Location", "Waiver reason", "Finding"],
                      ([code(f.policy_id), code(f.resource), code(f.location), text(f.exception or "not recorded"),
                        text(f.message)] for f in s.excepted))
    if s.resources:
        out += ["", "#### Resources checked", ""]
        out += _table(["Resource", "Type", "Location", "Pass", "Fail", "Unknown", "Excepted"],
                      ([code(r.resource), code(r.resource_type), code(r.location),
                        *(str(r.counts[k]) for k in COUNTED)] for r in s.resources))
    return out + [""]
