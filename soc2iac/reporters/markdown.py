"""Evidence report (Markdown): a verdict for every SOC 2 criterion, with the checks behind it,
rendered from the summary model (:mod:`soc2iac.summary`) that every reporter shares."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from soc2iac.result import Finding, ScanResult, WaiverInfo, unknowns_by_cause
from soc2iac.summary import (  # noqa: F401 - the HTML and CSV reports import the model from here too
    CHANGE_LABELS,
    COUNTED,
    CRITERION_VERDICTS,
    FAIL,
    NO_RESOURCES,
    NOT_EVALUATED,
    NOT_TESTED,
    PASS,
    Section,
    attributed_criteria,
    VERDICT_RULES,
    evidence,
    finding_key,
    plural,
    supporting_cell,
    supporting_text,
)


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


def scope_items(result: ScanResult) -> list[tuple[str, str]]:
    """The scope as (item, value) pairs, for formats without a scope section of their own (CSV,
    JUnit): tool, scan time, policy set, git commit, resources, every input with its digest,
    the live cluster's properties."""
    items = [("tool", f"soc2iac {result.tool_version or 'version not recorded'}"),
             ("scan time", scan_window(result)),
             ("policy set sha256", f"{result.scope.policy_set_sha256 or 'not recorded'} "
                                   f"({plural(len(result.policies), 'policy', 'policies')})"),
             ("git commit", git_text(result)),
             ("resources scanned", str(result.resources_scanned))]
    items += [("input", f"{path} sha256:{digest}" if " " not in digest else f"{path} ({digest})")
              for path, digest in input_rows(result)]
    items += [(f"cluster {key}", value) for key, value in result.scope.cluster]
    return items


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


def roles_label(criteria: Sequence[str], supporting: Iterable[str]) -> str:
    """``CC6.1, C1.1 (supporting)``: a policy's criteria with the supporting ones marked."""
    weak = set(supporting)
    return ", ".join(c + (" (supporting)" if c in weak else "") for c in criteria)


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
    out.append(f"- **Criteria** ({len(ev.sections)}): " + ", ".join(f"{v[label]} {label.lower()}"
                                                                    for label, _ in VERDICT_RULES))
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
    out += ["", "Verdict rules: " + "; ".join(f"{label}, {rule}" for label, rule in VERDICT_RULES) + ".", ""]
    out += ["Counts are of primary checks, which decide the verdict; supporting checks are evidence toward a "
            "criterion that does not decide it and are counted apart.", ""]
    out += _table(
        ["Criterion", "Title", "Verdict", "Pass", "Fail", "Unknown", "Excepted", "Supporting", "Basis"],
        ([f"[{text(s.id)}](#{anchor(s.id)})" if s.detailed else text(s.id), text(s.title), f"**{s.verdict}**",
          *(str(s.counts[k]) for k in COUNTED), text(supporting_cell(s)), text(s.basis)] for s in ev.sections),
    )

    out += ["", "## Scope", ""]
    out.append(f"- **Tool**: soc2iac {text(result.tool_version or 'version not recorded')}")
    out.append(f"- **Scan time**: {text(scan_window(result))}")
    out.append(f"- **Policy set SHA-256**: {code(result.scope.policy_set_sha256) or 'not recorded'} "
               f"({plural(len(result.policies), 'policy', 'policies')})")
    commit = result.scope.git_commit
    out.append("- **Git commit**: " + (code(commit) + (" (uncommitted changes)" if result.scope.git_dirty else "")
                                       if commit else git_text(result)))
    out.append(f"- **Inputs**: {len(input_rows(result))} file(s), {result.resources_scanned} resource(s) "
               "scanned (digests in Appendix A)")
    if result.scope.cluster:
        out += ["", "Live cluster scanned:", ""]
        out += _table(["Property", "Value"], ([text(k), code(val)] for k, val in result.scope.cluster))
    if result.scope.unread_modules:
        out += ["", "Terraform module calls not read (their resources were not scanned):", ""]
        out += _table(["Called at", "Source"], ([code(at), code(src)] for at, src in result.scope.unread_modules))
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
        out += [f"No policy in the policy set tests {len(untested)} criteria (NOT TESTED: other evidence must "
                f"show them; not detailed below): {text(', '.join(untested))}.", ""]
    for s in ev.sections:
        if s.detailed:
            out += _section_md(s)

    out += ["## Appendix A: Inputs", ""]
    out += _table(["Input", "SHA-256"], ([code(p), code(d) if len(d) == 64 else text(d)]
                                        for p, d in input_rows(result)))
    out += ["", "## Appendix B: Policies", ""]
    out += _table(["Policy", "Severity", "Family", "Criteria", "Title"],
                  ([code(p.id), text(p.severity), text(p.family), text(roles_label(p.criteria, (
                      m.id for m in p.mappings if not m.primary))), text(p.title)]
                   for p in sorted(result.policies, key=lambda p: p.id)))
    lines: list[str] = []
    for line in out:  # no runs of blank lines
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).rstrip("\n") + "\n"


def _section_md(s: Section) -> list[str]:
    out = [f'<a id="{anchor(s.id)}"></a>', "", f"### {text(s.id)} {text(s.title)}", ""]
    out += [f"**Verdict: {s.verdict}**: {text(s.reason)}.", ""]
    if s.coverage:
        out += [f"Coverage: {text(s.coverage)}", ""]
    out.append(f"{'Primary checks' if s.supporting else 'Checks'}: {s.counts['pass']} pass, {s.counts['fail']} fail, "
               f"{s.counts['unknown']} unknown, {s.counts['excepted']} excepted, on "
               f"{plural(len(s.resources), 'resource', 'resources')}.")
    if supporting_text(s):
        out += ["", supporting_text(s)]
    why = {p.id: p for p in s.policies}
    for label, rows in (("Primary checks (decide the verdict)", [p for p in s.policies if p.primary]),
                        ("Supporting checks (shown apart; they do not decide the verdict)",
                         [p for p in s.policies if not p.primary])):
        if not rows:
            continue
        out += ["", f"#### {label}", ""]
        out += _table(["Policy", "Severity", "Title", f"Why it bears on {text(s.id)}", "Pass", "Fail", "Unknown",
                       "Excepted", "Resources"],
                      ([code(p.id), text(p.severity), text(p.title), _why(p.focus, p.reason),
                        *(str(p.counts[k]) for k in COUNTED),
                        str(p.resources) if p.resources else "none in scope"] for p in rows))
    if s.failing:
        out += ["", "#### Failing checks", ""]
        for group in failing_groups(s.failing):
            f = group[0]
            row = why.get(f.policy_id)
            out += [f"{code(f.policy_id)} ({text(f.severity)}, primary): {text(f.title)}", ""]
            if row is not None and row.reason:
                out += [f"Why it matters for {text(s.id)}: {_why(row.focus, row.reason)}", ""]
            out += [f"Fix: {text(f.remediation) or 'not recorded'}", ""]
            out += _table(["Resource", "Location", "Finding"],
                          ([code(g.resource), code(g.location),
                            (f"**{CHANGE_LABELS[g.change]}**: " if g.change else "") + text(g.message)]
                           for g in group))
            out.append("")
    for heading, unknown in unknowns_by_cause(s.unknown):
        out += ["", f"#### Unknown: {text(heading)}", ""]
        out += _table(["Policy", "Resource", "Location", "Why"],
                      ([code(f.policy_id), code(f.resource), code(f.location), text(f.message)] for f in unknown))
    if s.excepted:
        out += ["", "#### Excepted (waived)", ""]
        out += _table(["Policy", "Resource", "Location", "Waiver reason", "Finding"],
                      ([code(f.policy_id), code(f.resource), code(f.location), text(f.exception or "not recorded"),
                        text(f.message)] for f in s.excepted))
    weak = [f for f in s.supporting if f.verdict in ("fail", "unknown")]
    if weak:
        out += ["", "#### Supporting checks that failed or were not decided (they do not decide the verdict)", ""]
        out += _table(["Policy", "Verdict", "Resource", "Location", "Finding"],
                      ([code(f.policy_id), f.verdict.upper(), code(f.resource), code(f.location), text(f.message)]
                       for f in weak))
    if s.resources:
        out += ["", "#### Resources checked", ""]
        out += _table(["Resource", "Type", "Location", "Pass", "Fail", "Unknown", "Excepted"],
                      ([code(r.resource), code(r.resource_type), code(r.location),
                        *(str(r.counts[k]) for k in COUNTED)] for r in s.resources))
    return out + [""]


def _why(focus: str, reason: str) -> str:
    if not reason:
        return "not recorded"
    return (f"*{text(focus)}*: " if focus else "") + text(reason)
