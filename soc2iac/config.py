"""The ``.soc2iac.yaml`` config file: thresholds, policy parameters, exceptions."""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from soc2iac.errors import Soc2iacError
from soc2iac.policy import SEVERITIES

CONFIG_NAME = ".soc2iac.yaml"


@dataclass(frozen=True)
class ExceptionRule:
    """An accepted risk: fails and unknowns of ``policy`` on matching resources become *excepted*."""

    policy: str
    resources: tuple[str, ...]
    reason: str
    expires: dt.date | None = None
    approved_by: str = ""

    def matches(self, policy_id: str, address: str, file: str) -> bool:
        return fnmatch.fnmatchcase(policy_id, self.policy) and any(
            fnmatch.fnmatchcase(address, pat) or fnmatch.fnmatchcase(file, pat) for pat in self.resources
        )

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today


@dataclass(frozen=True)
class Config:
    fail_on: str | None = None
    parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    exceptions: tuple[ExceptionRule, ...] = ()
    disabled: tuple[str, ...] = ()
    policy_dirs: tuple[str, ...] = ()
    var_files: tuple[str, ...] = ()
    file: str = ""


def find_config(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    here = Path.cwd() / CONFIG_NAME
    return here if here.is_file() else None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise Soc2iacError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise Soc2iacError(f"{path}{where}: invalid YAML in config") from None
    if not isinstance(doc, Mapping):
        raise Soc2iacError(f"{path}: config must be a mapping")
    known = {"fail_on", "parameters", "exceptions", "disable", "policies", "var_files"}
    unknown = set(doc) - known
    if unknown:
        raise Soc2iacError(f"{path}: unknown config key(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))})")
    fail_on = doc.get("fail_on")
    if fail_on is not None and fail_on not in SEVERITIES:
        raise Soc2iacError(f"{path}: fail_on must be one of {', '.join(SEVERITIES)}")
    params = doc.get("parameters") or {}
    if not isinstance(params, Mapping) or not all(isinstance(v, Mapping) for v in params.values()):
        raise Soc2iacError(f"{path}: parameters must map policy ids to {{name: value}}")
    rules = []
    for i, entry in enumerate(doc.get("exceptions") or []):
        if not isinstance(entry, Mapping) or not entry.get("policy") or not entry.get("reason"):
            raise Soc2iacError(f"{path}: exceptions[{i}] needs policy, resources and reason")
        res = entry.get("resources", entry.get("resource", "*"))
        expires = entry.get("expires")
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                raise Soc2iacError(f"{path}: exceptions[{i}].expires must be YYYY-MM-DD") from None
        rules.append(ExceptionRule(
            policy=str(entry["policy"]), resources=tuple([res] if isinstance(res, str) else map(str, res)),
            reason=str(entry["reason"]), expires=expires, approved_by=str(entry.get("approved_by", "")),
        ))
    base = path.parent
    return Config(
        fail_on=fail_on, parameters={str(k): dict(v) for k, v in params.items()}, exceptions=tuple(rules),
        disabled=tuple(str(x) for x in doc.get("disable") or ()),
        policy_dirs=tuple(str(base / p) for p in doc.get("policies") or ()),
        var_files=tuple(str(base / p) for p in doc.get("var_files") or ()),
        file=str(path),
    )
