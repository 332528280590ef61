"""Snapshot mode: the collected objects as YAML a reviewer can rescan or hand over.

Every string that could be a secret (under a secret-looking key, or in a known
secret format anywhere) is replaced by ``soc2iac-redacted:<kind>:<length>``
before it touches the disk. The marker stays a literal where the value was a
literal, and carries its format, so ``soc2iac scan DIR`` gives the same
verdicts as the live scan; no secret value is ever written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from soc2iac.errors import Soc2iacError
from soc2iac.model import VIEW_KEYS, Resource
from soc2iac.redact import is_secret_key, secret_patterns

MARKER = "soc2iac-redacted"
_NAME_VALUE = ("name", "value")


def redact_object(value: Any, key: str = "") -> Any:
    """A copy of an object with secret-capable strings replaced by markers."""
    if isinstance(value, Mapping):
        out = {k: redact_object(v, str(k)) for k, v in value.items() if k not in VIEW_KEYS}
        name = out.get("name")
        if set(_NAME_VALUE) <= set(out) and isinstance(name, str) and is_secret_key(name) \
                and isinstance(out["value"], str) and not out["value"].startswith(MARKER):
            out["value"] = f"{MARKER}:secret:{len(value['value'])}"  # env-style name/value pair
        return out
    if isinstance(value, list):
        return [redact_object(v, key) for v in value]
    if isinstance(value, str):
        for fmt, rx in secret_patterns()["value_patterns"].items():
            if re.search(rx, value):
                return f"{MARKER}:{fmt}:{len(value)}"
        if key and is_secret_key(key) and value.strip():
            return f"{MARKER}:secret:{len(value)}"
    return value


def write_snapshot(resources: Iterable[Resource], directory: Path, *, context: str) -> list[Path]:
    """One multi-document YAML file per namespace (``_cluster`` for cluster-scoped kinds)."""
    by_namespace: dict[str, list[dict[str, Any]]] = {}
    for res in resources:
        meta = res.attributes.get("metadata")
        namespace = meta.get("namespace") if isinstance(meta, Mapping) else None
        by_namespace.setdefault(str(namespace or "_cluster"), []).append(redact_object(dict(res.attributes)))
    written = []
    root = directory / (context or "cluster")
    try:
        root.mkdir(parents=True, exist_ok=True)
        for namespace, objects in sorted(by_namespace.items()):
            objects.sort(key=lambda o: (str(o.get("kind")), str((o.get("metadata") or {}).get("name"))))
            path = root / f"{namespace}.yaml"
            path.write_text(
                f"# soc2iac snapshot of {context or 'the cluster'}, namespace {namespace}; secrets redacted\n"
                + yaml.safe_dump_all(objects, sort_keys=False, allow_unicode=True), encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise Soc2iacError(f"{directory}: cannot write snapshot: {exc.strerror or exc}") from None
    return written
