"""Waivers: accepted risks that turn a failing (or unknown) check into *excepted*.

Three sources, one rule set:

- the register ``.soc2iac-exceptions.yaml`` (validated by
  ``soc2iac/schemas/exceptions.schema.json``): policy, resources (address or
  glob, file glob, or a cluster object ``context/namespace/Kind/name``),
  reason, approved_by, ticket, expires;

  an address may name its Terraform root module folder (or plan file) first,
  ``examples/complete:module.s3_bucket.*``: it then matches in that root only (a bare address
  matches in every root); an address without an instance key matches every instance of the
  block (``aws_s3_bucket.b`` waives ``aws_s3_bucket.b[0]`` and ``module.m["a"].aws_s3_bucket.b``);
- a Terraform comment inside or right above a resource block:
  ``# soc2iac:ignore=<policy-id> reason="..."``;
- a Kubernetes annotation ``soc2iac.io/ignore.<policy-id>: "reason"``.

A reason is mandatory. An expired waiver no longer applies and the finding says
so; a waiver that matched nothing is reported as unused. Every scan result
lists all waivers with their status.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from soc2iac import yaml_load
from soc2iac.errors import InputProblem, Soc2iacError
from soc2iac.model import Resource, qualified, without_instance_keys
from soc2iac.result import Finding, WaiverInfo

REGISTER_NAME = ".soc2iac-exceptions.yaml"
ANNOTATION_PREFIX = "soc2iac.io/ignore."
_TF_COMMENT = re.compile(r"""(?:#|//)\s*soc2iac:ignore=([a-z0-9*?-]+)(?:\s+reason=(?:"([^"]*)"|'([^']*)'))?""")


def _matches(name: str, pattern: str) -> bool:
    """``pattern`` names ``name`` exactly, or as a glob. Exact first: addresses hold brackets
    (``aws_s3_bucket.b[0]``, ``module.m["a"]``, nginx regex locations) that a glob reads as
    character classes, so they could otherwise never be waived by their own address."""
    return name == pattern or fnmatch.fnmatchcase(name, pattern)


def _names(finding: Finding) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a waiver's resource pattern is matched against: the address with and without its root;
    and the same without instance keys (matched only by patterns without a ``[``)."""
    def both(address: str) -> tuple[str, ...]:
        return (address, qualified(finding.scope, address)) if finding.scope else (address,)

    address = finding.address
    block = without_instance_keys(address)
    return both(address), both(block) if block != address else ()


@dataclass(frozen=True)
class Waiver:
    policy: str
    resources: tuple[str, ...]
    reason: str
    approved_by: str = ""
    ticket: str = ""
    expires: dt.date | None = None
    origin: str = ""  # where it is declared: register file:line, or the resource for inline ones
    inline: bool = False

    def matches(self, finding: Finding) -> bool:
        if not _matches(finding.policy_id, self.policy):
            return False
        names, blocks = _names(finding)
        return any(any(_matches(n, pat) for n in names) or _matches(finding.file, pat)
                   or ("[" not in pat and any(_matches(b, pat) for b in blocks)) for pat in self.resources)

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    def describe(self) -> str:
        parts = [self.reason]
        if self.approved_by:
            parts.append(f"approved by {self.approved_by}")
        if self.ticket:
            parts.append(f"ticket {self.ticket}")
        if self.expires:
            parts.append(f"until {self.expires}")
        return "; ".join(parts) + f" [{self.origin}]"


@dataclass(frozen=True)
class WaiverStatus:
    waiver: Waiver
    status: str  # applied, expired, unused
    matched: int = 0


# -- the register --------------------------------------------------------------
def find_register(explicit: Path | None, start: Path | None) -> Path | None:
    if explicit is not None:
        if not explicit.is_file():
            raise Soc2iacError(f"{explicit}: waiver register not found")
        return explicit
    for folder in _upward(start or Path.cwd()):
        candidate = folder / REGISTER_NAME
        if candidate.is_file():
            return candidate
    return None


def _upward(start: Path) -> Iterable[Path]:
    here = start.resolve()
    here = here if here.is_dir() else here.parent
    yield from (here, *here.parents)


def load_register(path: Path | None) -> list[Waiver]:
    if path is None:
        return []
    from jsonschema import Draft202012Validator

    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
        doc = yaml_load.safe_load(text)
    except OSError as exc:
        raise Soc2iacError(f"{path}: cannot read waiver register: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise Soc2iacError(f"{path}{':' + str(mark.line + 1) if mark else ''}: invalid YAML in waiver register") from None
    doc = doc if doc is not None else {"waivers": []}
    schema = json.loads(resources.files("soc2iac.schemas").joinpath("exceptions.schema.json").read_text())
    errors = sorted(Draft202012Validator(schema).iter_errors(_jsonable(doc)), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path).lstrip(".")
        raise Soc2iacError(f"{path}:{_line(node, list(e.absolute_path))}: {where or 'top level'}: {e.message}")
    out = []
    for i, entry in enumerate(doc["waivers"]):
        res = entry["resources"]
        expires = entry.get("expires")
        out.append(Waiver(
            policy=entry["policy"], resources=tuple([res] if isinstance(res, str) else res),
            reason=entry["reason"], approved_by=entry.get("approved_by", ""), ticket=str(entry.get("ticket", "")),
            expires=dt.date.fromisoformat(str(expires)) if expires else None,
            origin=f"{path.name}:{_line(node, ['waivers', i])}",
        ))
    return out


def _jsonable(doc: Any) -> Any:
    if isinstance(doc, Mapping):
        return {str(k): _jsonable(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_jsonable(v) for v in doc]
    if isinstance(doc, (dt.date, dt.datetime)):
        return doc.isoformat()
    return doc


def _line(node: Any, path: Sequence[Any]) -> int:
    """Line of ``path`` in a composed YAML node (best effort)."""
    for part in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), node)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
    return int(node.start_mark.line) + 1 if node is not None else 0


# -- inline waivers ----------------------------------------------------------------
def comment_waivers(comments: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """``(policy, reason)`` from ``# soc2iac:ignore=<id> reason="..."`` in a resource's marker comments."""
    return tuple((m.group(1), m.group(2) or m.group(3) or "") for line in comments
                 for m in _TF_COMMENT.finditer(line))


def annotation_waivers(obj: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """``(policy, reason)`` from ``soc2iac.io/ignore.<id>: reason`` annotations of a Kubernetes object."""
    if not isinstance(obj, Mapping):  # a plan's resource may hold no values at all
        return ()
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, Mapping) else None
    if not isinstance(annotations, Mapping):
        return ()
    return tuple((str(k)[len(ANNOTATION_PREFIX):], str(v or "")) for k, v in annotations.items()
                 if str(k).startswith(ANNOTATION_PREFIX))


def declared(res: Resource) -> tuple[tuple[str, str], ...]:
    """``(policy, reason)`` of every inline waiver declared on ``res`` (comments, annotations)."""
    return comment_waivers(res.comments) + annotation_waivers(res.attributes)


def inline_waivers(resources: Iterable[Resource]) -> tuple[list[Waiver], list[str]]:
    """Waivers declared on resources, and notices for those without a reason (not applied)."""
    waivers, notices = [], []
    for res in resources:
        for policy, reason in declared(res):
            where = f"{res.location}" if res.location.start_line else res.address
            if not reason.strip():
                notices.append(f"{where}: inline waiver of {policy} on {res.address} has no reason; not applied")
                continue
            waivers.append(Waiver(policy=policy, resources=(qualified(res.scope, res.address),), reason=reason.strip(),
                                  origin=f"inline {where}", inline=True))
    return waivers, notices


# -- applying -----------------------------------------------------------------------
def apply(findings: Sequence[Finding], waivers: Sequence[Waiver], today: dt.date
          ) -> tuple[list[Finding], list[WaiverStatus]]:
    """Findings with waivers applied, and the status of every waiver."""
    used = {id(w): 0 for w in waivers}
    out = []
    for f in findings:
        if f.verdict not in ("fail", "unknown"):
            out.append(f)
            continue
        matching = [w for w in waivers if w.matches(f)]
        active = [w for w in matching if not w.expired(today)]
        if active:
            used[id(active[0])] += 1
            out.append(replace(f, verdict="excepted", exception=active[0].describe()))
        elif matching:
            stale = matching[0]
            used[id(stale)] += 1
            out.append(replace(f, message=f"{f.message} (waiver expired on {stale.expires}: {stale.reason} "
                                          f"[{stale.origin}])"))
        else:
            out.append(f)
    status = [WaiverStatus(w, "expired" if w.expired(today) else ("applied" if used[id(w)] else "unused"),
                           used[id(w)]) for w in waivers]
    return out, status


def unknown_policy(waivers: Iterable[Waiver], known: set[str]) -> list[InputProblem]:
    """One problem per waiver whose policy id (or glob) names no known policy: a typo would leave
    the risk it records unwaived without a word."""
    out = []
    for w in waivers:
        if not any(_matches(pid, w.policy) for pid in known):
            where, _, line = w.origin.removeprefix("inline ").rpartition(":")
            shown, at = (where, int(line)) if line.isdigit() else (w.origin.removeprefix("inline "), 0)
            out.append(InputProblem(shown, f"waiver of {w.policy!r} names no known policy "
                                           "(see `soc2iac policies list`)", at))
    return out


def apply_all(findings: Sequence[Finding], resources: Iterable[Resource], register: Sequence[Waiver], *,
              inline: bool, today: dt.date, known: set[str] | None = None
              ) -> tuple[list[Finding], list[WaiverInfo], list[str], list[InputProblem]]:
    """Register and inline waivers applied: findings, every waiver's status, notices, and the
    waivers naming no policy of ``known`` (all policy ids that exist; None: not checked)."""
    declared, notices = inline_waivers(resources) if inline else ([], [])
    problems = unknown_policy([*register, *declared], known) if known is not None else []
    applied, statuses = apply(findings, [*register, *declared], today)
    infos = [WaiverInfo(s.waiver.policy, s.waiver.resources, s.waiver.reason, s.waiver.approved_by,
                        s.waiver.ticket, str(s.waiver.expires or ""), s.waiver.origin, s.status, s.matched)
             for s in statuses]
    return applied, infos, notices, problems
