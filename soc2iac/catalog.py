"""Docs generated from data: the policy catalog and criteria coverage (from the policy files) and
the table of check kinds (from the kinds' docstrings).

README.md holds each generated section between markers; a test regenerates them and fails when
one is stale (`python -m soc2iac.catalog --write README.md`).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from soc2iac.policy import Policy, criteria_catalog
from soc2iac.result import criterion_sort_key

BEGIN = "<!-- BEGIN GENERATED: policy catalog -->"
END = "<!-- END GENERATED: policy catalog -->"
KINDS_BEGIN = "<!-- BEGIN GENERATED: check kinds -->"
KINDS_END = "<!-- END GENERATED: check kinds -->"


def kinds_markdown() -> str:
    """One row per registered check kind: its name and the first two paragraphs of its docstring
    (the summary line and what it reads)."""
    from soc2iac.checks import KINDS

    lines = ["| kind | what it does |", "|---|---|"]
    for name, kind in sorted(KINDS.items()):
        doc = (getattr(kind, "__doc__", None) or "").strip()
        first = " ".join(" ".join(doc.split("\n\n")[:2]).split())
        prefix = f"Check kind ``{name}``:"
        summary = first[len(prefix):].strip() if first.startswith(prefix) else first
        lines.append(f"| `{name}` | {summary.replace('``', '`').replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def catalog_text(policies: Sequence[Policy]) -> str:
    width = max((len(p.id) for p in policies), default=10)
    lines = [f"{'id':<{width}}  {'severity':<8}  {'criteria':<18}  title"]
    for p in sorted(policies, key=lambda p: p.id):
        lines.append(f"{p.id:<{width}}  {p.severity:<8}  {', '.join(p.criteria):<18}  {p.title}")
    lines.append(f"{len(policies)} policies")
    return "\n".join(lines) + "\n"


def catalog_markdown(policies: Sequence[Policy]) -> str:
    areas: dict[str, list[Policy]] = {}
    for p in sorted(policies, key=lambda p: (p.area, p.id)):
        areas.setdefault(p.area, []).append(p)
    lines = [f"{len(policies)} policies. Generated from `policies/` by `python -m soc2iac.catalog --write README.md`.", ""]
    for area, items in areas.items():
        lines.append(f"**{area}**")
        lines.append("")
        lines.append("| id | severity | criteria | applies to | title |")
        lines.append("|---|---|---|---|---|")
        for p in items:
            types = ", ".join(f"`{t}`" for t in p.types)
            lines.append(f"| `{p.id}` | {p.severity} | {', '.join(p.criteria)} | {types} | {p.title} |")
        lines.append("")
    lines.append("**Criteria coverage**")
    lines.append("")
    lines.append("| criterion | policies |")
    lines.append("|---|---|")
    for cid, ids in coverage(policies).items():
        lines.append(f"| {cid} | {len(ids)} |")
    return "\n".join(lines) + "\n"


def coverage(policies: Sequence[Policy]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in policies:
        for c in p.criteria:
            out.setdefault(c, []).append(p.id)
    return {c: sorted(out[c]) for c in sorted(out, key=criterion_sort_key)}


def criteria_text(policies: Sequence[Policy], *, include_untested: bool = False,
                  checkov: Mapping[str, Sequence[str]] | None = None) -> str:
    """Per criterion the policies testing it; with ``checkov`` (check id -> criteria) also the
    mapped checkov checks (``criteria --with-checkov``)."""
    titles = criteria_catalog()
    cov = coverage(policies)
    extra: dict[str, list[str]] = {}
    for check_id, criteria in (checkov or {}).items():
        for c in criteria:
            extra.setdefault(c, []).append(check_id)
    tested_ids = set(cov) | set(extra)
    ids = sorted(titles, key=criterion_sort_key) if include_untested else sorted(tested_ids, key=criterion_sort_key)
    lines = []
    for cid in ids:
        tested = cov.get(cid, [])
        count = f"{len(tested)} polic{'y' if len(tested) == 1 else 'ies'}"
        if checkov is not None:
            count += f", {len(extra.get(cid, []))} checkov check{'' if len(extra.get(cid, [])) == 1 else 's'}"
        lines.append(f"{cid}  {titles[cid]}  ({count})")
        lines.extend(f"    {pid}" for pid in tested)
        lines.extend(f"    checkov {check_id}" for check_id in sorted(extra.get(cid, []), key=_check_order))
    return "\n".join(lines) + "\n"


def _check_order(check_id: str) -> tuple[str, int]:
    head, _, number = check_id.rpartition("_")
    return head, int(number) if number.isdigit() else 0


def policy_detail(p: Policy) -> str:
    titles = criteria_catalog()
    lines = [
        f"{p.id}: {p.title}",
        f"severity: {p.severity}",
        "criteria: " + "; ".join(f"{c} ({titles.get(c, '?')})" for c in p.criteria),
        f"applies to: {p.applies_to['source']} {', '.join(p.types)}",
        f"check kind: {p.kind}",
        "",
        p.description,
        "",
        "Remediation: " + p.remediation,
    ]
    for name, spec in p.parameters.items():
        lines.append(f"parameter {name} (default {spec['default']!r}): {spec['description']}")
    lines.extend(f"see: {r}" for r in p.references)
    lines.append(f"file: {p.file}")
    return "\n".join(lines) + "\n"


def readme_with_catalog(readme: str, policies: Sequence[Policy]) -> str:
    """``readme`` with every generated section (check kinds, policy catalog) made anew."""
    readme = _replace_section(readme, KINDS_BEGIN, KINDS_END, kinds_markdown())
    return _replace_section(readme, BEGIN, END, catalog_markdown(policies))


def _replace_section(text: str, begin: str, end: str, body: str) -> str:
    if begin not in text or end not in text:
        raise ValueError(f"README.md lacks the markers {begin} ... {end}")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}{end}{tail}"


def main(argv: Sequence[str]) -> int:
    from soc2iac.policy import load_policies

    if len(argv) != 2 or argv[0] != "--write":
        print("usage: python -m soc2iac.catalog --write README.md", file=sys.stderr)
        return 2
    from soc2iac.policy import compile_pack, compiled_path

    path = Path(argv[1])
    path.write_text(readme_with_catalog(path.read_text(encoding="utf-8"), load_policies()), encoding="utf-8")
    compiled_path().write_text(compile_pack(), encoding="utf-8")  # the pack as it ships: validated now
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
