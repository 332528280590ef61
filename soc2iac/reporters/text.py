"""Plain-text report: failing checks grouped by SOC 2 criterion, then a summary per criterion.

With ``explain`` (``--explain``) each failing check also says, per criterion, its role (primary or
supporting) and why it bears on the criterion, and each criterion of the summary what soc2iac's
checks cover and leave to other evidence."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from soc2iac.policy import criteria_catalog
from soc2iac.result import CriterionEntry, Finding, ScanResult, criterion_sort_key, unknowns_by_cause


def render(result: ScanResult, *, fail_on: str = "high", show_passes: bool = False, explain: bool = False,
           **_: Any) -> str:
    titles = criteria_catalog()
    entries = {p.id: p.mappings for p in result.policies} if explain else {}
    out: list[str] = []
    out.append(
        f"soc2iac {result.tool_version}: {len(result.inputs)} file(s), {result.resources_scanned} resource(s), "
        f"{len(result.policies)} polic{'y' if len(result.policies) == 1 else 'ies'}"
    )
    shown = ("fail", "excepted", "pass") if show_passes else ("fail",)
    # each finding is listed once, under its policy's first (primary) criterion
    changes = [f for f in result.findings if f.change]
    if changes:
        out.append("")
        out.append("Plan changes to controls (CC8.1)")
        for f in changes:
            out.extend(_finding(f, entries))
    groups: dict[str, list[Finding]] = {}
    for f in result.findings:
        if f.verdict in shown and not f.change:
            groups.setdefault(f.criteria[0], []).append(f)
    for cid in sorted(groups, key=criterion_sort_key):
        out.append("")
        out.append(f"{cid}  {titles.get(cid, '')}")
        for f in groups[cid]:
            out.extend(_finding(f, entries))
    for heading, unknown in unknowns_by_cause(result.findings):
        out.append("")
        out.append(f"Unknown ({len(unknown)}): {heading}")
        for f in unknown:
            out.append(f"  UNKNOWN {f.policy_id}  {f.resource}  {f.location}")
            out.append(f"          {f.message}")
    if result.findings:
        from soc2iac.summary import evidence, supporting_cell

        out.append("")
        out.append("Summary by criterion (each policy counts toward every criterion it maps to; a plan's "
                   "weakened or fixed controls under CC8.1; criteria without checks are left out)")
        out.append("  (counts of primary checks, which decide the verdict; supporting checks apart)")
        out.append(f"  {'criterion':<9} {'verdict':<14} {'pass':>6} {'fail':>6} {'unknown':>8} {'excepted':>9}"
                   "  supporting")
        for s in evidence(result, fail_on).sections:
            row = s.counts
            if sum(row.values()) or supporting_cell(s):
                out.append(f"  {s.id:<9} {s.verdict:<14} {row['pass']:>6} {row['fail']:>6} {row['unknown']:>8} "
                           f"{row['excepted']:>9}  {supporting_cell(s)}".rstrip())
                if explain and s.coverage:
                    out.extend(f"            {part}" for part in textwrap.wrap(s.coverage, 96))
    if result.waivers:
        out.append("")
        out.append(f"Waivers ({len(result.waivers)})")
        for w in result.waivers:
            until = f", expires {w.expires}" if w.expires else ""
            out.append(f"  {w.status.upper():<8} {w.policy} on {', '.join(w.resources)}: {w.reason}"
                       f"{' (approved by ' + w.approved_by + ')' if w.approved_by else ''}{until} [{w.origin}]"
                       + (f", matched {w.matched}" if w.matched else ""))
    if result.baseline_fixed:
        out.append("")
        out.append(f"Fixed since the baseline ({len(result.baseline_fixed)})")
        out.extend(f"  {pid}  {res}" for pid, res in result.baseline_fixed)
    if result.problems:
        out.append("")
        out.append(f"Input problems ({len(result.problems)}): these files were not scanned")
        out.extend(f"  {p}" for p in result.problems)
    if result.scope.unread_modules:
        out.append("")
        out.append(f"Module calls not read ({len(result.scope.unread_modules)}): their resources were not scanned")
        out.extend(f"  {at}  {source}" for at, source in result.scope.unread_modules)
    if result.notices:
        out.append("")
        out.append(f"Notices ({len(result.notices)})")
        out.extend(f"  {n}" for n in result.notices)
    summary = result.change_summary()
    if summary is not None:
        out.append("")
        out.append(f"This plan changes {summary['changed_resources']} resource(s): it weakens {summary['weakened']} "
                   f"control(s), removes {summary['removed']}, fixes {summary['fixed']}.")
    out.append("")
    out.append(_verdict_line(result, fail_on))
    return "\n".join(out) + "\n"


def _finding(f: Finding, entries: Mapping[str, tuple[CriterionEntry, ...]] | None = None) -> list[str]:
    label = {"regression": "WEAKENED", "control-removed": "REMOVED", "improvement": "FIXED"}.get(
        f.change, {"fail": "FAIL", "pass": "PASS", "excepted": "EXCEPTED", "unknown": "UNKNOWN"}[f.verdict])
    lines = [
        f"  {label:<8} {f.severity:<8} {f.policy_id}",
        f"           {f.resource}  ({f.location}{'; set at ' + ', '.join(f.set_at) if f.set_at else ''})",
        f"           {f.message}",
    ]
    if f.verdict == "fail":
        lines.append(f"           criteria: {', '.join(f.criteria)}")
        for m in (entries or {}).get(f.policy_id, ()):
            why = textwrap.wrap(f"{m.id} ({m.role}, {m.focus}): {m.reason}", 96)
            lines.extend(f"           {'why: ' if i == 0 else '     '}{part}" for i, part in enumerate(why))
        fix = textwrap.wrap(" ".join(f.remediation.split()), 100)  # in full: it is the action to take
        lines.extend(f"           {'fix: ' if i == 0 else '     '}{part}" for i, part in enumerate(fix))
    if f.exception:
        lines.append(f"           waived: {f.exception}")
    if f.baseline:
        lines[0] += f"  [{f.baseline.upper()}]"
    return lines


def _verdict_line(result: ScanResult, fail_on: str) -> str:
    counts = {v: 0 for v in ("pass", "fail", "unknown", "excepted")}
    for f in result.findings:
        if not f.change:
            counts[f.verdict] += 1
    failing = len(result.failing(fail_on))
    head = ", ".join(f"{n} {v}" for v, n in counts.items())
    changes = result.change_summary()
    if changes is not None:  # the failing count below includes them: say so, so the numbers add up
        head += (f"; plan changes: {changes['weakened']} weakened, {changes['removed']} removed, "
                 f"{changes['fixed']} fixed")
    status = (
        f"{failing} failing at or above '{fail_on}'" if failing else f"nothing failing at or above '{fail_on}'"
    )
    problems = f"; {len(result.problems)} input problem(s)" if result.problems else ""
    return f"Result: {head}. {status}{problems}."
