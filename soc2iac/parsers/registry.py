"""Content-detected config parsers besides Terraform and Kubernetes (gateway configs).

Each entry names a module with:

- ``SOURCE``: the resources' ``source`` (policies select it with ``applies_to.source``);
- ``SUFFIXES``: file suffixes it may read (``.yaml``, ``.conf``, ``.toml``, ...);
- ``detect(path, text) -> bool``: whether this file is that product's config,
  decided by content (not by file name alone) and cheap;
- ``parse_text(text, shown, path) -> list[Resource]``: the resources, each with
  file and line; :class:`soc2iac.errors.InputError` (one line, with the line
  number where known) when the file is that product's config but malformed.

The scanner asks these in order before reading a YAML/JSON file as Kubernetes
manifests; a file no parser claims is read as manifests (YAML/JSON) or skipped.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# module paths, in detection order
PARSERS: list[str] = [
    "soc2iac.parsers.kong",
    "soc2iac.parsers.envoy",
    "soc2iac.parsers.nginx",
    "soc2iac.parsers.traefik",
]


def modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in PARSERS]


def suffixes() -> set[str]:
    return {s for m in modules() for s in m.SUFFIXES}
