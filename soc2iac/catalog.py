"""Docs generated from data: the policy catalog and criteria coverage (from the policy files) and
the table of check kinds (from the kinds' docstrings).

README.md holds each generated section between markers; a test regenerates them and fails when
one is stale (`python -m soc2iac.catalog --write README.md`).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from soc2iac.policy import Policy, coverage_line, criteria_catalog, families, left_to_other_evidence
from soc2iac.result import CriterionEntry, criterion_sort_key

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


def roles_label(p: Policy) -> str:
    """The criteria with their roles, primary first: ``CC6.1, C1.1 (supporting)``."""
    primary = [m.id for m in p.mappings if m.primary]
    supporting = [m.id for m in p.mappings if not m.primary]
    return ", ".join(primary + [f"{c} (supporting)" for c in supporting]) or ", ".join(p.criteria)


def catalog_text(policies: Sequence[Policy]) -> str:
    width = max((len(p.id) for p in policies), default=10)
    lines = [f"{'id':<{width}}  {'severity':<8}  {'criteria':<18}  title"]
    for p in sorted(policies, key=lambda p: p.id):
        lines.append(f"{p.id:<{width}}  {p.severity:<8}  {roles_label(p):<18}  {p.title}")
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
        lines.append("| id | severity | family | criteria | applies to | title |")
        lines.append("|---|---|---|---|---|---|")
        for p in items:
            types = ", ".join(f"`{t}`" for t in p.types)
            lines.append(f"| `{p.id}` | {p.severity} | {p.family} | {roles_label(p)} | {types} | {p.title} |")
        lines.append("")
    lines += families_markdown(policies)
    lines.append("**Criteria coverage** (primary: a failure means the criterion does not hold; supporting: "
                 "evidence toward it that alone decides nothing)")
    lines.append("")
    lines.append("| criterion | primary policies | supporting policies | left to other evidence |")
    lines.append("|---|---|---|---|")
    notes = left_to_other_evidence()
    for cid, ids in coverage(policies).items():
        primary = sum(1 for p in policies for m in p.mappings if m.id == cid and m.primary)
        lines.append(f"| {cid} | {primary} | {len(ids) - primary} | {notes.get(cid, '')} |")
    return "\n".join(lines) + "\n"


def families_markdown(policies: Sequence[Policy]) -> list[str]:
    """The control families with their criteria, roles and reasons (soc2iac/data/families.yaml)."""
    lines = ["**Control families**: every policy and checkov mapping names one and shares its criteria, "
             "unless its `deviation` says why not (`soc2iac criteria --explain ID` shows them per criterion).", "",
             "| family | covers | criteria: role, point of focus, reason | policies |", "|---|---|---|---|"]
    count: dict[str, int] = {}
    for p in policies:
        count[p.family] = count.get(p.family, 0) + 1
    for fid, fam in families().items():
        why = "<br>".join(f"**{e.id}** {e.role}, {e.focus}: {e.reason}" for e in fam.criteria)
        lines.append(f"| `{fid}` | {fam.covers} | {why} | {count.get(fid, 0)} |")
    lines.append("")
    return lines


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
    role = {(p.id, m.id): "  (supporting)" for p in policies for m in p.mappings if not m.primary}
    change_family = families().get("change-regression")
    change = {e.id: "" if e.primary else "  (supporting)" for e in (change_family.criteria if change_family else ())}
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
        lines.extend(f"    {pid}{role.get((pid, cid), '')}" for pid in tested)
        if cid in change:  # plan regressions of any policy count here too (soc2iac.summary)
            lines.append(f"    + every policy's controls a Terraform plan weakens or fixes{change[cid]}")
        lines.extend(f"    checkov {check_id}" for check_id in sorted(extra.get(cid, []), key=_check_order))
    return "\n".join(lines) + "\n"


def explain_text(criterion: str, policies: Sequence[Policy], checkov: Mapping[str, Any] | None = None) -> str:
    """``soc2iac criteria --explain ID``: per family mapping the criterion, its role, point of focus
    and reason, the policies (with their own entries where they differ) and the checkov checks;
    then what the checks leave to other evidence."""
    titles = criteria_catalog()
    lines = [f"{criterion}  {titles[criterion]}", ""]
    by_family: dict[str, list[tuple[str, CriterionEntry]]] = {}
    for p in sorted(policies, key=lambda p: p.id):
        for m in p.mappings:
            if m.id == criterion:
                by_family.setdefault(p.family, []).append((p.id, m))
    checks: dict[str, list[tuple[str, CriterionEntry]]] = {}
    for cid, mapped in sorted((checkov or {}).items(), key=lambda kv: _check_order(kv[0])):
        for m in mapped.mappings:
            if m.id == criterion:
                checks.setdefault(mapped.family, []).append((cid, m))
    known = families()
    for fid in [f for f in known if f in by_family or f in checks] + sorted(set(by_family) - set(known)):
        fam = known.get(fid)
        entry = next((e for e in fam.criteria if e.id == criterion), None) if fam else None
        head = f"family {fid}" + (f" ({fam.title}: {fam.covers})" if fam else "")
        lines.append(head)
        if entry is not None:
            lines.append(f"  {entry.role}: {entry.focus}")
            lines.append(f"  why: {entry.reason}")
        else:
            lines.append("  (the family does not map this criterion: its entries below say why they do)")
        for pid, m in by_family.get(fid, []):
            lines.append(f"  policy {pid}" + ("" if m == entry else f"  {m.role}, {m.focus}: {m.reason}"))
        own = [(cid, m) for cid, m in checks.get(fid, []) if m != entry]
        same = len(checks.get(fid, [])) - len(own)
        if same:
            lines.append(f"  {same} checkov check(s) with the family's entry (soc2iac criteria --with-checkov lists them)")
        lines.extend(f"  checkov {cid}  {m.role}, {m.focus}: {m.reason}" for cid, m in own)
        lines.append("")
    if not by_family and not checks:
        lines += ["No policy or checkov check maps this criterion.", ""]
    fams = [*by_family, *checks]
    lines.append(coverage_line(criterion, fams))
    return "\n".join(lines) + "\n"


def _check_order(check_id: str) -> tuple[str, int]:
    head, _, number = check_id.rpartition("_")
    return head, int(number) if number.isdigit() else 0


def policy_detail(p: Policy) -> str:
    titles = criteria_catalog()
    lines = [
        f"{p.id}: {p.title}",
        f"severity: {p.severity}",
        f"family: {p.family}",
        "criteria: " + "; ".join(f"{c} ({titles.get(c, '?')})" for c in p.criteria),
        *(f"  {m.id} {m.role}, {m.focus}: {m.reason}" for m in p.mappings),
        *([f"deviation from the family: {p.deviation}"] if p.deviation else []),
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
