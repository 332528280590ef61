"""The ``.soc2iac.yaml`` config file, validated by soc2iac/schemas/config.schema.json.

Found upward from the first scanned path (or given with ``--config``). Unknown
keys, and policy ids that no loaded policy has, are errors naming the file and key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from soc2iac import yaml_load
from soc2iac.errors import Soc2iacError
from soc2iac.policy import Policy

CONFIG_NAME = ".soc2iac.yaml"


@dataclass(frozen=True)
class Config:
    fail_on: str | None = None
    enable: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    waivers: str = ""
    inline_waivers: bool = True
    policy_dirs: tuple[str, ...] = ()
    var_files: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    show_passes: bool = False
    gateways: tuple[Mapping[str, Any], ...] = ()  # the user's own gateway Services (namespace, name/selector)
    environments: str = "folders"  # gateway graph scope: "folders" (variant folders apart) or "one"
    file: str = ""

    def select(self, policies: Sequence[Policy]) -> list[Policy]:
        """The policies to run, with severity overrides; unknown ids named here are errors."""
        known = {p.id for p in policies}
        for key, ids in (("enable", self.enable), ("disable", self.disabled), ("severity", self.severity),
                         ("parameters", self.parameters)):
            unknown = sorted(set(ids) - known)
            if unknown:
                raise Soc2iacError(f"{self.file or 'config'}: {key}: unknown policy id(s): {', '.join(unknown)}")
        chosen = [p for p in policies if (not self.enable or p.id in self.enable) and p.id not in self.disabled]
        if self.gateways:  # the default of every policy parameter named `gateways`
            chosen = [replace(p, parameters={**p.parameters, "gateways": {
                **p.parameters["gateways"], "default": [dict(g) for g in self.gateways]}})
                if "gateways" in p.parameters else p for p in chosen]
        return [replace(p, severity=self.severity[p.id]) if p.id in self.severity else p for p in chosen]


def find_config(explicit: Path | None, start: Path | None = None) -> Path | None:
    """``--config``, else the nearest ``.soc2iac.yaml`` upward from ``start`` (the scanned path)."""
    if explicit is not None:
        return explicit
    here = (start or Path.cwd()).resolve()
    for folder in (here if here.is_dir() else here.parent, *(here if here.is_dir() else here.parent).parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    from jsonschema import Draft202012Validator

    try:
        text = path.read_text(encoding="utf-8")
        doc = yaml_load.safe_load(text) or {}
    except OSError as exc:
        raise Soc2iacError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise Soc2iacError(f"{path}{':' + str(mark.line + 1) if mark else ''}: invalid YAML in config") from None
    schema = json.loads(resources.files("soc2iac.schemas").joinpath("config.schema.json").read_text())
    errors = sorted(Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        where = ".".join(str(p) for p in e.absolute_path) or "top level"
        raise Soc2iacError(f"{path}: {where}: {e.message}")
    base = path.parent
    output = doc.get("output") or {}
    return Config(
        fail_on=doc.get("fail_on"),
        enable=tuple(doc.get("enable") or ()),
        disabled=tuple(doc.get("disable") or ()),
        severity=dict(doc.get("severity") or {}),
        parameters={str(k): dict(v) for k, v in (doc.get("parameters") or {}).items()},
        waivers=str(base / doc["waivers"]) if doc.get("waivers") else "",
        inline_waivers=bool(doc.get("inline_waivers", True)),
        policy_dirs=tuple(str(base / p) for p in doc.get("policies") or ()),
        var_files=tuple(str(base / p) for p in doc.get("var_files") or ()),
        formats=tuple(output.get("format") or ()),
        show_passes=bool(output.get("show_passes", False)),
        gateways=tuple(dict(g) for g in doc.get("gateways") or ()),
        environments=str(doc.get("environments", "folders")),
        file=str(path),
    )


def first_path(paths: Iterable[str]) -> Path | None:
    return next((Path(p) for p in paths if p != "-"), None)
