"""The merged evidence report (``soc2iac merge``): JSON, Markdown and HTML, pure functions of the
merged model (soc2iac/merge.py). Markdown and HTML render the same tables (built once here as
plain text, escaped for each medium); the JSON document is versioned and its schema ships as
soc2iac/schemas/merged.schema.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from soc2iac.merge import MERGED_SCHEMA_VERSION, Episode, Merged
from soc2iac.text import printable

FORMATS = ("json", "markdown", "html")
INTRO = ("Combined from saved soc2iac results. Current verdicts come from each source's latest run; "
         "the timeline follows every failing check across all runs of its source.")


def render(merged: Merged, fmt: str) -> str:
    renderers: dict[str, Callable[[Merged], str]] = {"json": to_json, "markdown": to_markdown, "html": to_html}
    return renderers[fmt](merged)


# --------------------------------------------------------------------------- JSON


def to_document(m: Merged) -> dict[str, Any]:
    from soc2iac import __version__

    return {
        "schema_version": MERGED_SCHEMA_VERSION,
        "kind": "merged-evidence",
        "tool": {"name": "soc2iac", "version": __version__},
        "period": {"from": m.period[0], "to": m.period[1]},
        "runs": m.runs,
        "sources": [{
            "label": s.label,
            "runs": [{"file": r.file, "finished_at": r.finished_at, "sha256": r.sha256, "tool_version": r.tool_version,
                      "fail_on": r.fail_on, "failing": r.failing, "by_verdict": r.by_verdict} for r in s.runs],
            "latest": {
                "finished_at": s.runs[-1].finished_at, "resources_scanned": s.resources_scanned,
                "policy_set_sha256": s.policy_set_sha256, "git_commit": s.git_commit, "git_dirty": s.git_dirty,
                "cluster": dict(s.cluster), "problems": s.problems, "inputs_sha256": s.inputs_sha256,
                "input_digests": dict(s.inputs),
            },
        } for s in m.sources],
        "criteria": [{"id": c.id, "title": c.title, "verdict": c.verdict, **c.counts, "runs": c.runs,
                      "runs_failing": c.runs_failing, "sources": dict(c.by_source)} for c in m.criteria],
        "waivers": [{"policy": w.policy, "resources": list(w.resources), "reason": w.reason,
                     "approved_by": w.approved_by, "ticket": w.ticket, "expires": w.expires, "status": w.status,
                     "sources": list(row.sources), "matched": w.matched}
                    for row in m.waivers for w in (row.waiver,)],
        "timeline": [{"source": t.source, "policy_id": t.policy_id, "resource": t.resource, "title": t.title,
                      "severity": t.severity, "first_seen": t.first_seen, "since_first_run": t.since_first_run,
                      "last_seen": t.last_seen, "fixed_at": t.fixed_at or None, "fixed_by": t.fixed_by or None,
                      "open": t.open, "days_open": t.days_open} for t in m.timeline],
        "notices": list(m.notices),
        "problems": list(m.problems),
    }


def to_json(m: Merged) -> str:
    return json.dumps(to_document(m), indent=2) + "\n"


# --------------------------------------------------------------------------- tables (plain text)


Table = tuple[str, list[str], list[list[str]]]  # caption, head, rows


def _first_seen(t: Episode) -> str:
    return f"at or before {t.first_seen}" if t.since_first_run else t.first_seen


def tables(m: Merged) -> list[Table]:
    from soc2iac.reporters.markdown import WAIVER_HEAD, waiver_row

    failing_sources = {c.id: sum(1 for _, v in c.by_source if v == "FAIL") for c in m.criteria}
    out: list[Table] = [
        ("Criteria across sources (latest run of each)",
         ["Criterion", "Title", "Verdict", "Sources failing", "Pass", "Fail", "Unknown", "Excepted", "Runs failing"],
         [[c.id, c.title, c.verdict, f"{failing_sources[c.id]} of {len(c.by_source)}", str(c.counts["pass"]),
           str(c.counts["fail"]), str(c.counts["unknown"]), str(c.counts["excepted"]),
           f"{c.runs_failing} of {c.runs}"] for c in m.criteria]),
        ("Failing checks over time",
         ["State", "Source", "Policy", "Resource", "Severity", "First seen failing", "Fixed", "How", "Days open"],
         [["OPEN" if t.open else "FIXED", t.source, t.policy_id, t.resource, t.severity, _first_seen(t),
           t.fixed_at or "-", t.fixed_by or "-", f"{t.days_open:g}"] for t in m.timeline]),
        ("Sources (scope of the latest run)",
         ["Source", "Runs", "Latest run", "Failing", "Inputs", "Inputs SHA-256", "Git commit", "Cluster",
          "Policy set SHA-256"],
         [[s.label, str(len(s.runs)), s.runs[-1].finished_at, str(s.runs[-1].failing),
           f"{len(s.inputs)} file(s), {s.resources_scanned} resource(s)" + (f", {s.problems} unreadable" if s.problems
                                                                           else ""),
           s.inputs_sha256, (s.git_commit + (" (dirty)" if s.git_dirty else "")) or "-",
           ", ".join(f"{k}={v}" for k, v in s.cluster if k in ("context", "server", "version")) or "-",
           s.policy_set_sha256 or "-"] for s in m.sources]),
        ("Waivers across sources", [*WAIVER_HEAD[:-2], "Sources", "Matched"],
         [[*waiver_row(row.waiver)[:-2], ", ".join(row.sources), str(row.waiver.matched)] for row in m.waivers]),
    ]
    return out


def _headline(m: Merged) -> list[str]:
    verdicts: dict[str, int] = {}
    for c in m.criteria:
        verdicts[c.verdict] = verdicts.get(c.verdict, 0) + 1
    still = sum(1 for t in m.timeline if t.open)
    return [f"Sources: {len(m.sources)}; runs: {m.runs}; period: {m.period[0]} to {m.period[1]}.",
            "Criteria: " + ", ".join(f"{n} {v}" for v, n in verdicts.items()) + ".",
            f"Failing checks over the period: {len(m.timeline)} episode(s), {still} still open."]


# --------------------------------------------------------------------------- Markdown


def to_markdown(m: Merged) -> str:
    from soc2iac.reporters.markdown import _table, text

    out = ["# SOC 2 evidence across sources", "", text(printable(INTRO)), ""]
    out += [f"- {text(printable(line))}" for line in _headline(m)] + [""]
    for caption, head, rows in tables(m):
        out += [f"## {text(caption)}", ""]
        if rows:
            out += _table(head, ([text(printable(cell)) for cell in row] for row in rows))
        else:
            out.append("None.")
        out.append("")
    if m.problems:
        out += [f"## Not read ({len(m.problems)}): not merged", ""] + [f"- {text(printable(n))}" for n in m.problems] + [""]
    if m.notices:
        out += ["## Notices", ""] + [f"- {text(printable(n))}" for n in m.notices] + [""]
    return "\n".join(out)


# --------------------------------------------------------------------------- HTML


def to_html(m: Merged) -> str:
    from soc2iac.reporters.html import CSS, _badge, _table, e

    verdict_col = {"Verdict"}

    def cell(h: str, value: str) -> str:
        return _badge(value) if h in verdict_col else e(printable(value))

    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>SOC 2 evidence across sources</title>", f"<style>{CSS}</style>", "</head>", "<body>",
           "<header>", "<h1>SOC 2 evidence across sources</h1>", f'<p class="lede">{e(INTRO)}</p>', "</header>",
           "<main>", "<ul>"] + [f"<li>{e(printable(line))}</li>" for line in _headline(m)] + ["</ul>"]
    for caption, head, rows in tables(m):
        out += [f"<section><h2>{e(caption)}</h2>"]
        if rows:
            widths = _widths(len(head))
            out += _table(caption, head, widths, ([cell(h, v) for h, v in zip(head, row)] for row in rows))
        else:
            out.append("<p>None.</p>")
        out.append("</section>")
    if m.problems:
        out += [f"<section><h2>Not read ({len(m.problems)}): not merged</h2><ul>"] + \
            [f"<li>{e(printable(n))}</li>" for n in m.problems] + ["</ul></section>"]
    if m.notices:
        out += ["<section><h2>Notices</h2><ul>"] + [f"<li>{e(printable(n))}</li>" for n in m.notices] + \
            ["</ul></section>"]
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _widths(n: int) -> Sequence[int]:
    base = 100 // n
    return [base] * (n - 1) + [100 - base * (n - 1)]
