"""``soc2iac policies new``: the files a new policy needs, ready to edit.

A policy is three files (STYLE 9): ``policies/<id>.yaml`` and a pass and a fail fixture in the
fixture folder of its source family. The policy is written so that it validates; its check comes
from the kind's ``EXAMPLE`` (or, for a kind without one, a skeleton of its required parameters),
and its fixtures are stubs that say what to write, the fail stub with no line marked yet
(``soc2iac-expect: fail`` goes on each line the policy must report): the fixture test fails until
both are filled in, so a policy never lands without proof that it fires.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from soc2iac.errors import Soc2iacError

# fixture folder and file ending per source family (what tests/test_fixtures.py reads)
FIXTURE_ROOTS = {"terraform": ("terraform_fixtures", ".tf"), "kubernetes": ("k8s_fixtures", ".yaml")}
GATEWAY_ROOT = ("gateway_fixtures", ".yaml")

_STUBS = {
    ".tf": ('# TODO: the configuration that {does}.{marker}\nresource "{type}" "{kind}" {{\n}}\n'),
    ".yaml": ("# TODO: the configuration that {does}.{marker}\napiVersion: v1\nkind: {type}\nmetadata:\n"
              "  name: {kind}\n"),
}


def files_for(policy_id: str, *, kind: str, source: str, types: Sequence[str], family: str,
              area: str, severity: str = "medium", policy_dir: Path, root: Path) -> dict[Path, str]:
    """The new files by path (none exists yet; :class:`Soc2iacError` otherwise)."""
    from soc2iac.checks import KINDS
    from soc2iac.parsers.registry import ENTRIES, sources_of
    from soc2iac.policy import families, validate_document

    if kind not in KINDS:
        raise Soc2iacError(f"unknown check kind {kind!r} (choose from {', '.join(sorted(KINDS))})")
    if sources_of(source) is not None and not sources_of(source):
        raise Soc2iacError(f"unknown source {source!r}")
    if family not in families():
        raise Soc2iacError(f"unknown control family {family!r} (choose from {', '.join(sorted(families()))}; "
                           "soc2iac/data/families.yaml)")
    source_family = next((e.family for e in ENTRIES if source in (e.name, e.family)), source)
    folder, ending = FIXTURE_ROOTS.get(source_family, GATEWAY_ROOT)
    doc: dict[str, Any] = {
        "id": policy_id,
        "title": f"TODO: the compliant state, e.g. {types[0]} resources are ...",
        "severity": severity,
        "family": family,
        # the family's criteria with their reasons: adapt them to the policy; a criterion added,
        # dropped or given another role needs a `deviation` saying why
        "criteria": [{"id": m.id, "role": m.role, "focus": m.focus, "reason": m.reason}
                     for m in families()[family].criteria],
        "area": area,
        "applies_to": {"source": source, "types": list(types)},
        "check": dict(getattr(KINDS[kind], "EXAMPLE", None) or _skeleton(KINDS[kind].SCHEMA)),
        "description": "TODO: what the control protects, which SOC 2 criterion it evidences and why, "
                       "and the product default when the setting is absent.",
        "remediation": "TODO: the change that makes a failing resource pass.",
    }
    problems = validate_document(doc, f"{policy_id}.yaml", expected_id=policy_id)
    if problems:
        raise Soc2iacError("; ".join(str(p) for p in problems))
    out = {policy_dir / f"{policy_id}.yaml": yaml.safe_dump(doc, sort_keys=False, width=100)}
    mark = "\n# Then mark each line the policy must report with the fail marker (README: Writing policies)."
    for name, marker, does in (("fail", mark, "breaks the control"),
                               ("pass", "", "meets the control")):
        out[root / folder / policy_id / f"{name}{ending}"] = _STUBS[ending].format(
            type=types[0], kind=name, marker=marker, does=does)
    taken = [str(p) for p in out if p.exists()]
    if taken:
        raise Soc2iacError(f"already exists, not overwritten: {', '.join(taken)}")
    return out


def _skeleton(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The required parameters of a kind's schema, each with a placeholder of its type."""
    props = schema.get("properties", {})
    out: dict[str, Any] = {}
    for name in schema.get("required", []):
        spec = props.get(name, {})
        if "const" in spec:
            out[name] = spec["const"]
        elif "enum" in spec:
            out[name] = spec["enum"][0]
        else:
            out[name] = {"string": "TODO", "number": 0, "integer": 0, "boolean": False, "array": ["TODO"],
                         "object": {}}.get(spec.get("type", "string"), "TODO")
    return out


def write(files: Mapping[Path, str]) -> None:
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
