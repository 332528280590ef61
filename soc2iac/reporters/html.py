"""Evidence report (HTML): one self-contained, printable page for a SOC 2 readiness review.

Same content and verdict rules as the Markdown report (soc2iac/reporters/markdown.py).
The page loads nothing: inline CSS, no scripts, fonts or images; links are only
in-page anchors and policy references. Every dynamic string is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from soc2iac.reporters.markdown import (
    CHANGE_LABELS,
    WAIVER_HEAD,
    waiver_row,
    COUNTED,
    FAIL,
    NO_RESOURCES,
    NOT_EVALUATED,
    NOT_TESTED,
    VERDICT_RULES,
    plural,
    PASS,
    Section,
    anchor,
    roles_label,
    supporting_cell,
    supporting_text,
    evidence,
    failing_groups,
    git_text,
    input_rows,
    scan_window,
)
from soc2iac.result import Finding, ScanResult, unknowns_by_cause

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
html { font-size: 14px; }
body { font: 1rem/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1b1b1b; background: #fff; margin: 0 auto; max-width: 78rem; padding: 1.5rem 2rem 3rem; }
h1 { font-size: 1.75rem; margin: 0 0 .3rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 2px solid #1b1b1b; }
h3 { font-size: 1.15rem; margin: 1.6rem 0 .4rem; }
h4 { font-size: 1rem; margin: 1.1rem 0 .3rem; }
p { margin: .4rem 0; }
.lede { color: #444; margin-bottom: 1rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .9em;
       overflow-wrap: anywhere; }
table { border-collapse: collapse; table-layout: fixed; width: 100%; margin: .4rem 0 1rem; font-size: .88rem; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: .2rem 0 .35rem; }
th, td { border: 1px solid #b9b9b9; padding: .28rem .45rem; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
thead th { background: #ececec; font-weight: 600; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
thead th { overflow-wrap: normal; }
thead th.num { font-size: .82rem; }
tr.group th { background: #f6f6f6; font-weight: 400; }
tr.group .sev { font-weight: 600; text-transform: uppercase; font-size: .78rem; margin: 0 .3rem; }
tr.group .fix { display: block; margin-top: .15rem; }
tr.na td { color: #5c5c5c; }
.v { display: inline-block; font-weight: 700; font-size: .78rem; letter-spacing: .02em; padding: .05rem .4rem;
     border: 1.5px solid currentColor; border-radius: 3px; white-space: nowrap; }
.v-fail { color: #a1000e; background: #fde9e9; }
.v-not-evaluated { color: #7a4600; background: #fff3d4; }
.v-pass { color: #0a5a1d; background: #e5f3e8; }
.v-not-applicable { color: #565656; background: #f2f2f2; }
.cards { display: flex; flex-wrap: wrap; gap: .6rem; margin: .6rem 0 1rem; padding: 0; list-style: none; }
.cards li { border: 1.5px solid #b9b9b9; border-radius: 4px; padding: .45rem .8rem; min-width: 9.5rem; }
.cards .n { display: block; font-size: 1.6rem; font-weight: 700; line-height: 1.1; }
.cards .card-fail { border-color: #a1000e; } .cards .card-fail .n { color: #a1000e; }
.cards .card-not-evaluated { border-color: #7a4600; } .cards .card-not-evaluated .n { color: #7a4600; }
.cards .card-pass { border-color: #0a5a1d; } .cards .card-pass .n { color: #0a5a1d; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .25rem 1.2rem; margin: .4rem 0 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.alert { border-left: 4px solid #a1000e; padding: .35rem .7rem; background: #fdf3f3; }
.note { color: #444; font-size: .9rem; }
section.criterion { border-top: 1px solid #b9b9b9; margin-top: 1.8rem; }
section.criterion h3, details.criterion h3 { display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; }
details.criterion { border-top: 1px solid #b9b9b9; margin-top: 1.2rem; }
details.criterion > summary { cursor: pointer; list-style-position: outside; }
details.criterion > summary h3 { display: inline-flex; margin: .8rem 0 .4rem; }
details.passed > summary { cursor: pointer; margin: .4rem 0; font-weight: 600; }
.why { color: #333; }
a { color: #0645ad; }
footer { margin-top: 2.5rem; color: #555; font-size: .85rem; border-top: 1px solid #b9b9b9; padding-top: .5rem; }
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  html { font-size: 9pt; }
  body { max-width: none; padding: 0; }
  td .v { white-space: normal; }
  .v, .cards li, thead th, .alert { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  thead { display: table-header-group; }
  tr, .cards li, dl.facts { break-inside: avoid; }
  h2, h3, h4, caption { break-after: avoid; }
  section.criterion.tested, section.appendix { break-before: page; border-top: none; margin-top: 0; }
  a { color: inherit; text-decoration: none; }
}
"""

_VERDICT_CLASS = {FAIL: "fail", NOT_EVALUATED: "not-evaluated", PASS: "pass", NO_RESOURCES: "not-applicable",
                  NOT_TESTED: "not-applicable"}


def e(value: object) -> str:
    return escape(str(value), quote=True)


def _code(value: object) -> str:
    return f"<code>{e(value)}</code>" if str(value) else ""


def _badge(verdict: str) -> str:
    return f'<span class="v v-{_VERDICT_CLASS[verdict]}">{e(verdict)}</span>'


def _table(caption: str, head: Sequence[str], widths: Sequence[int], rows: Iterable[Sequence[str]], *,
           numeric: Sequence[str] = (), row_class: Sequence[str] = ()) -> list[str]:
    """A fixed-layout table; ``widths`` in percent per column; cells in ``rows`` are already HTML."""
    return _open(caption, head, widths, numeric) + ["<tbody>"] + _rows(head, rows, numeric, row_class) + \
        ["</tbody>", "</table>"]


def _open(caption: str, head: Sequence[str], widths: Sequence[int], numeric: Sequence[str]) -> list[str]:
    assert len(widths) == len(head)
    cols = "".join(f'<col style="width:{w}%">' for w in widths)
    return ["<table>", f"<caption>{e(caption)}</caption>", f"<colgroup>{cols}</colgroup>",
            "<thead><tr>" + "".join(f'<th scope="col"{_num(h, numeric)}>{e(h)}</th>' for h in head) + "</tr></thead>"]


def _num(h: str, numeric: Sequence[str]) -> str:
    return ' class="num"' if h in numeric else ""


def _rows(head: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[str],
          row_class: Sequence[str] = ()) -> list[str]:
    out = []
    for i, row in enumerate(rows):
        rc = f' class="{row_class[i]}"' if i < len(row_class) and row_class[i] else ""
        out.append(f"<tr{rc}>" + "".join(f"<td{_num(h, numeric)}>{cell}</td>" for cell, h in zip(row, head))
                   + "</tr>")
    return out


def render(result: ScanResult, *, fail_on: str = "high", **_: Any) -> str:
    ev = evidence(result, fail_on)
    version = result.tool_version or "version not recorded"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="soc2iac {e(version)}">',
        f"<title>SOC 2 evidence report ({e(scan_window(result))})</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>SOC 2 evidence report</h1>",
        f'<p class="lede">Automated checks of infrastructure code by soc2iac {e(version)}, scan run '
        f"{e(scan_window(result))}. Each verdict covers only the inputs listed under Scope.</p>",
        "</header>",
        "<main>",
    ]
    out += _summary(result, ev)
    out += _scope(result, ev)
    out += ['<section aria-labelledby="criteria">', '<h2 id="criteria">Criteria</h2>']
    untested = [s.id for s in ev.sections if not s.detailed]
    if untested:
        out.append(f'<p class="note">No policy in the policy set tests {len(untested)} criteria; they are NOT '
                   f"TESTED (other evidence must show them) and not detailed below: {e(', '.join(untested))}.</p>")
    out.append('<p class="note">Criteria with no resource in scope or only supporting checks are collapsed; '
               "open one to see its policies.</p>")
    out.append("</section>")
    for s in ev.sections:
        if s.detailed:
            out += _section(s)
    out += _appendices(result)
    out += ["</main>",
            f"<footer>soc2iac {e(version)} &middot; policy set SHA-256 "
            f"{_code(result.scope.policy_set_sha256) or 'not recorded'} &middot; {e(git_text(result))}</footer>",
            "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _summary(result: ScanResult, ev: Any) -> list[str]:
    v, c = ev.verdicts, ev.checks
    out = ['<section aria-labelledby="summary">', '<h2 id="summary">Summary</h2>']
    if result.problems:
        out.append(f'<p class="alert"><strong>{plural(len(result.problems), "input", "inputs")} could not be read '
                   "and were not scanned</strong>; see Input problems under Scope.</p>")
    out.append('<ul class="cards" aria-label="Criteria by verdict">')
    for verdict, _ in VERDICT_RULES:
        out.append(f'<li class="card-{_VERDICT_CLASS[verdict]}"><span class="n">{v[verdict]}</span>'
                   f"criteria {e(verdict)}</li>")
    out.append("</ul>")
    total = sum(c.values())
    out.append(f"<p><strong>{plural(total, 'check', 'checks')}</strong> on {result.resources_scanned} resource(s)"
               f"{' (plan changes not included)' if ev.changes else ''}: "
               f"{c['fail']} fail, {c['unknown']} unknown, {c['excepted']} excepted, {c['pass']} pass. "
               f"<strong>{ev.failing} failing at or above severity <code>{e(ev.fail_on)}</code></strong>.</p>")
    changes = result.change_summary()
    if changes is not None:
        out.append(f"<p><strong>Plan changes:</strong> {changes['changed_resources']} resource(s) changed; "
                   f"{changes['weakened']} control(s) weakened, {changes['removed']} removed, "
                   f"{changes['fixed']} fixed (counted under CC8.1).</p>")
    out.append('<p class="note">Verdict rules: ' + "; ".join(f"<strong>{e(label)}</strong>, {e(rule)}"
                                                           for label, rule in VERDICT_RULES) + ".</p>")
    rows, classes = [], []
    for s in ev.sections:
        ident = f'<a href="#{anchor(s.id)}">{e(s.id)}</a>' if s.detailed else e(s.id)
        rows.append([ident, e(s.title), _badge(s.verdict), *(str(s.counts[k]) for k in COUNTED),
                     e(supporting_cell(s)), e(s.basis)])
        classes.append("na" if s.verdict in (NO_RESOURCES, NOT_TESTED) else "")
    head = ["Criterion", "Title", "Verdict", "Pass", "Fail", "Unknown", "Excepted", "Supporting", "Basis"]
    out.append('<p class="note">Counts are of primary checks, which decide the verdict; supporting checks are '
               "evidence toward a criterion that does not decide it and are counted apart.</p>")
    out += _table("Verdict per Trust Services Criterion (2017)", head, (8, 25, 12, 7, 7, 8, 8, 12, 13), rows,
                  numeric=("Pass", "Fail", "Unknown", "Excepted"), row_class=classes)
    out.append("</section>")
    return out


def _scope(result: ScanResult, ev: Any) -> list[str]:
    scope = result.scope
    commit = (_code(scope.git_commit) + (" <strong>(uncommitted changes)</strong>" if scope.git_dirty else "")
              if scope.git_commit else e(git_text(result)))
    out = ['<section aria-labelledby="scope">', '<h2 id="scope">Scope</h2>', '<dl class="facts">',
           f"<dt>Tool</dt><dd>soc2iac {e(result.tool_version or 'version not recorded')}</dd>",
           f"<dt>Scan time</dt><dd>{e(scan_window(result))}</dd>",
           f"<dt>Policy set SHA-256</dt><dd>{_code(scope.policy_set_sha256) or 'not recorded'} "
           f"({plural(len(result.policies), 'policy', 'policies')}, Appendix B)</dd>",
           f"<dt>Git commit</dt><dd>{commit}</dd>",
           f"<dt>Inputs</dt><dd>{plural(len(input_rows(result)), 'file', 'files')}, "
           f"{result.resources_scanned} resource(s) scanned; SHA-256 digests in Appendix A</dd>",
           "</dl>"]
    if scope.cluster:
        out += _table("Live cluster scanned", ["Property", "Value"], (25, 75),
                      ([e(k), _code(v)] for k, v in scope.cluster))
    if scope.unread_modules:
        out += _table("Terraform module calls not read (their resources were not scanned)", ["Called at", "Source"],
                      (40, 60), ([_code(at), _code(source)] for at, source in scope.unread_modules))
    if ev.changes:
        out.append('<h3 id="plan-changes">Plan changes to controls (CC8.1)</h3>')
        out += _table("Controls this Terraform plan weakens, removes or fixes",
                      ["Change", "Severity", "Policy", "Resource", "Location", "What changed"],
                      (10, 9, 18, 19, 19, 25),
                      ([e(CHANGE_LABELS.get(f.change, f.change)), e(f.severity), _code(f.policy_id), _code(f.resource),
                        _code(f.location), e(f.message)] for f in ev.changes))
    out.append('<h3 id="problems">Input problems</h3>')
    if result.problems:
        out += _table("Files that could not be read or parsed (not scanned)", ["File", "Line", "Problem"],
                      (40, 8, 52),
                      ([_code(p.file), str(p.line or ""), e(p.message)]
                       for p in sorted(result.problems, key=lambda p: (p.file, p.line, p.message))),
                      numeric=("Line",))
    else:
        out.append("<p>None: every input was read.</p>")
    if result.notices:
        out.append('<h3 id="notices">Notices</h3>')
        out.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in result.notices) + "</ul>")
    out.append('<h3 id="waivers">Waivers</h3>')
    if result.waivers:
        out += _table("Every declared waiver: applied, expired or unused", WAIVER_HEAD,
                      (8, 14, 14, 22, 10, 7, 8, 11, 6),
                      ([e(c) for c in waiver_row(w)] for w in result.waivers), numeric=("Matched",))
    else:
        out.append("<p>None: no accepted risk was declared.</p>")
    out.append("</section>")
    return out


def _where(f: Finding) -> str:
    return f"{_code(f.resource)}<br>{_code(f.location)}"


def _why(focus: str, reason: str) -> str:
    if not reason:
        return "not recorded"
    return (f"<em>{e(focus)}</em>: " if focus else "") + e(reason)


def _section(s: Section) -> list[str]:
    head = f"h-{anchor(s.id)}"
    collapsed = s.verdict in (NO_RESOURCES, NOT_TESTED)
    classes = "criterion tested" if s.counts != {k: 0 for k in COUNTED} else "criterion"
    title = f'<h3 id="{head}"><span>{e(s.id)} {e(s.title)}</span> {_badge(s.verdict)}</h3>'
    out = ([f'<details class="criterion" id="{anchor(s.id)}" aria-labelledby="{head}">', f"<summary>{title}</summary>"]
           if collapsed else [f'<section class="{classes}" id="{anchor(s.id)}" aria-labelledby="{head}">', title])
    out.append(f"<p>{e(s.reason[:1].upper() + s.reason[1:])}. {'Primary checks' if s.supporting else 'Checks'}: "
               f"{s.counts['pass']} pass, "
               f"{s.counts['fail']} fail, {s.counts['unknown']} unknown, {s.counts['excepted']} excepted, on "
               f"{plural(len(s.resources), 'resource', 'resources')}.</p>")
    if supporting_text(s):
        out.append(f'<p class="supporting">{e(supporting_text(s))}</p>')
    if s.coverage:
        out.append(f'<p class="note"><strong>Coverage:</strong> {e(s.coverage)}</p>')
    why = {p.id: p for p in s.policies}
    for label, rows in (("primary checks (decide the verdict)", [p for p in s.policies if p.primary]),
                        ("supporting checks (shown apart; they do not decide the verdict)",
                         [p for p in s.policies if not p.primary])):
        if rows:
            out += _table(f"{s.id}: {label}",
                          ["Policy", "Severity", "Title", f"Why it bears on {s.id}", "Pass", "Fail", "Unknown",
                           "Excepted", "Resources"],
                          (17, 8, 18, 25, 6, 6, 7, 7, 6),
                          ([_code(p.id), e(p.severity), e(p.title), f'<span class="why">{_why(p.focus, p.reason)}</span>',
                            *(str(p.counts[k]) for k in COUNTED),
                            str(p.resources) if p.resources else "none in scope"] for p in rows),
                          numeric=("Pass", "Fail", "Unknown", "Excepted", "Resources"))
    if s.failing:
        cols = ["Resource", "Location", "Finding"]
        out += _open(f"{s.id}: failing checks, by policy", cols, (30, 30, 40), ())
        for group in failing_groups(s.failing):
            f = group[0]
            row = why.get(f.policy_id)
            matters = (f'<span class="fix"><strong>Why it matters for {e(s.id)}:</strong> '
                       f"{_why(row.focus, row.reason)}</span>" if row is not None and row.reason else "")
            out += ["<tbody>",
                    f'<tr class="group"><th scope="rowgroup" colspan="3">{_code(f.policy_id)} '
                    f'<span class="sev">{e(f.severity)}</span> {e(f.title)}{matters}'
                    f'<span class="fix"><strong>Fix:</strong> {e(f.remediation) or "not recorded"}</span></th></tr>']
            out += _rows(cols, ([_code(g.resource), _code(g.location),
                                 (f"<strong>{e(CHANGE_LABELS[g.change])}:</strong> " if g.change else "")
                                 + e(g.message)] for g in group), ())
            out.append("</tbody>")
        out.append("</table>")
    for heading, unknown in unknowns_by_cause(s.unknown):
        out += _table(f"{s.id}: unknown: {heading}",
                      ["Policy", "Resource and location", "Why"], (24, 36, 40),
                      ([_code(f.policy_id), _where(f), e(f.message)] for f in unknown))
    if s.excepted:
        out += _table(f"{s.id}: excepted under a waiver", ["Policy", "Resource and location", "Waiver reason", "Finding"],
                      (22, 28, 25, 25),
                      ([_code(f.policy_id), _where(f), e(f.exception or "not recorded"), e(f.message)]
                       for f in s.excepted))
    weak = [f for f in s.supporting if f.verdict in ("fail", "unknown")]
    if weak:
        out += _table(f"{s.id}: supporting checks that failed or were not decided (they do not decide the verdict)",
                      ["Policy", "Verdict", "Resource and location", "Finding"], (24, 10, 30, 36),
                      ([_code(f.policy_id), e(f.verdict.upper()), _where(f), e(f.message)] for f in weak))
    if s.passed:
        out.append(f'<details class="passed"><summary>{plural(len(s.passed), "check", "checks")} passed: '
                   "the evidence, per policy and resource</summary>")
        out += _table(f"{s.id}: checks that passed", ["Policy", "Resource and location", "What was checked"],
                      (26, 34, 40),
                      ([_code(f.policy_id), _where(f), e(f.message)]
                       for f in sorted(s.passed, key=lambda f: (f.policy_id, f.file, f.line, f.resource))))
        out.append("</details>")
    if s.resources:
        out += _table(f"{s.id}: resources checked", ["Resource", "Type", "Location", "Pass", "Fail", "Unknown",
                                                     "Excepted"],
                      (26, 20, 18, 9, 9, 9, 9),
                      ([_code(r.resource), _code(r.resource_type), _code(r.location),
                        *(str(r.counts[k]) for k in COUNTED)] for r in s.resources),
                      numeric=("Pass", "Fail", "Unknown", "Excepted"))
    out.append("</details>" if collapsed else "</section>")
    return out


def _reference(ref: str) -> str:
    if ref.startswith(("https://", "http://")):
        return f'<a href="{e(ref)}">{e(ref)}</a>'
    return e(ref)


def _appendices(result: ScanResult) -> list[str]:
    out = ['<section class="appendix" aria-labelledby="appendix-a">',
           '<h2 id="appendix-a">Appendix A: Inputs</h2>']
    out += _table("Scanned inputs and their SHA-256 digests", ["Input", "SHA-256"], (52, 48),
                  ([_code(p), _code(d) if len(d) == 64 else e(d)] for p, d in input_rows(result)))
    out += ["</section>", '<section class="appendix" aria-labelledby="appendix-b">',
            '<h2 id="appendix-b">Appendix B: Policies</h2>']
    rows = []
    for p in sorted(result.policies, key=lambda p: p.id):
        about = e(p.title)
        if p.description:
            about += f'<br><span class="note">{e(" ".join(p.description.split()))}</span>'
        if p.references:
            about += '<br><span class="note">References: ' + "; ".join(_reference(r) for r in p.references) + "</span>"
        criteria = roles_label(p.criteria, (m.id for m in p.mappings if not m.primary))
        rows.append([_code(p.id), e(p.severity), e(criteria) + (f'<br><span class="note">{e(p.family)}</span>'
                                                                 if p.family else ""), about])
    out += _table("Policies in the policy set", ["Policy", "Severity", "Criteria (family)", "Title and description"],
                  (24, 10, 14, 52), rows)
    out.append("</section>")
    return out
