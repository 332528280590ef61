"""The one registry of input formats: which files each claims, which module parses them, and the
source family its resources belong to. The scanner walks files and asks this registry; the engine's
``applies_to.source`` selectors, the policy schema's allowed values and the parallel prefetch all
derive from it. Nothing else keeps a list of formats.

An entry's parser module provides (imported on first use, so start-up stays instant):

- ``detect(path, text) -> bool``: whether this file is that format's, decided by content and
  cheap (for a ``fallback`` entry, whether the file may be read as that format at all);
- ``parse_text(text, shown, path) -> list[Resource] | Parsed``: the resources, each with file and
  line; :class:`soc2iac.errors.InputError` (one line, the line number where known) when the file
  is that format's but malformed;
- optionally ``skip_reason(text) -> str | None``: when parsing failed, why the file was never this
  format's (a notice, not an input error: pre-commit passes every ``.yaml`` of a repository);
- optionally ``cache_parts(text, shown)``: the parse-cache key, which lets ``--jobs`` parse the
  file in a worker process.

A ``grouped`` entry (Terraform) reads its files together, a folder at a time; its module provides
``load_groups(...)`` instead (see :mod:`soc2iac.parsers.terraform_folders`). Entries with no
suffixes read no files (the live cluster collector).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from soc2iac.model import Resource


class Parsed(NamedTuple):
    """What one file gave: its resources, and for a Terraform plan its change record."""

    resources: list[Resource]
    plan: Any = None  # soc2iac.parsers.terraform_plan.Plan


@dataclass(frozen=True)
class Entry:
    name: str  # the format, as reports and ``applies_to.source`` name it
    family: str  # the source family: ``applies_to.source: <family>`` selects every entry of it
    source: str  # ``Resource.source`` of what it yields
    module: str  # the parser module
    suffixes: tuple[str, ...] = ()  # file name endings it may claim (lower case)
    grouped: bool = False  # files read together per folder, not one at a time
    fallback: bool = False  # asked last, after every content-detected entry declined
    context: tuple[str, ...] = ()  # endings of files it reads only as context of its groups
    unsupported: tuple[tuple[str, str], ...] = ()  # (ending, why): files named and not read
    stdin: bool = False  # reads ``-``

    def parser(self) -> ModuleType:
        return importlib.import_module(self.module)

    def claims_name(self, path: Path) -> bool:
        return _ends(path, self.suffixes)

    def parse(self, text: str, shown: str, path: Path) -> Parsed:
        out = self.parser().parse_text(text, shown, path)
        return out if isinstance(out, Parsed) else Parsed(list(out))

    def skip_reason(self, text: str) -> str | None:
        reason = getattr(self.parser(), "skip_reason", None)
        return reason(text) if reason is not None else None


# In detection order: content-detected formats first, the fallback last.
ENTRIES: tuple[Entry, ...] = (
    Entry("terraform", "terraform", "terraform", "soc2iac.parsers.terraform_folders", (".tf",), grouped=True,
          context=(".tfvars", ".tfvars.json"),
          unsupported=((".tf.json", "Terraform JSON syntax is not supported yet"),)),
    Entry("kong", "kong", "kong", "soc2iac.parsers.kong", (".yaml", ".yml", ".json", ".conf")),
    Entry("envoy", "envoy", "envoy", "soc2iac.parsers.envoy", (".yaml", ".yml", ".json")),
    Entry("nginx", "nginx", "nginx", "soc2iac.parsers.nginx", (".conf",)),
    Entry("traefik", "traefik", "traefik", "soc2iac.parsers.traefik", (".yaml", ".yml", ".toml")),
    Entry("terraform-plan", "terraform", "terraform-plan", "soc2iac.parsers.terraform_plan", (".json",)),
    Entry("kubernetes-manifests", "kubernetes", "kubernetes", "soc2iac.parsers.kubernetes",
          (".yaml", ".yml", ".json"), fallback=True, stdin=True),
    Entry("cluster", "kubernetes", "cluster", "soc2iac.cluster.collector"),
)

ANY = "any"


def _ends(path: Path, endings: Iterable[str]) -> bool:
    name = path.name.lower()
    return any(name.endswith(e) for e in endings)


def suffixes() -> set[str]:
    """Every file ending some entry may claim."""
    return {s for e in ENTRIES for s in e.suffixes}


def grouped() -> list[Entry]:
    return [e for e in ENTRIES if e.grouped]


def by_name(name: str) -> Entry:
    return next(e for e in ENTRIES if e.name == name)


STDIN = Path("<stdin>")


def stdin_formats() -> list[str]:
    """The formats ``--stdin-format`` may name: every entry that reads text (not the live cluster)."""
    return [e.name for e in ENTRIES if e.suffixes]


def detect_stdin(text: str) -> Entry:
    """The entry that reads standard input: the first whose parser claims the text under one of its
    file endings (a plan, a gateway config, ...), else the one that reads ``-`` (manifests)."""
    for entry in ENTRIES:
        if entry.grouped or entry.fallback or not entry.suffixes:
            continue
        if any(entry.parser().detect(STDIN.with_name(f"<stdin>{s}"), text) for s in entry.suffixes):
            return entry
    return next(e for e in ENTRIES if e.stdin)


def context_file(path: Path) -> bool:
    """A file some entry reads only as context of its groups (``terraform.tfvars``)."""
    return any(_ends(path, e.context) for e in ENTRIES)


def unsupported(path: Path) -> str | None:
    """Why a file that looks like some format's is not read, or None."""
    return next((why for e in ENTRIES for ending, why in e.unsupported if _ends(path, (ending,))), None)


def grouped_entry(path: Path) -> Entry | None:
    """The grouped entry (Terraform) that claims ``path`` by its name, or None."""
    return next((e for e in ENTRIES if e.grouped and e.claims_name(path)), None)


def may_claim(path: Path) -> bool:
    """Whether some file-at-a-time entry may claim ``path`` (by its name; content decides later)."""
    return any(not e.grouped and e.claims_name(path) for e in ENTRIES)


def detect(path: Path, text: str) -> Entry | None:
    """The entry whose parser claims this file's content, in registry order, or None."""
    for entry in ENTRIES:
        if entry.grouped or not entry.claims_name(path):
            continue
        if entry.fallback or entry.parser().detect(path, text):
            return entry
    return None


def sources_of(selector: str) -> frozenset[str] | None:
    """The ``Resource.source`` values an ``applies_to.source`` selector takes in; None for ``any``.
    A family name takes its every entry's source; an entry name, that entry's."""
    if selector == ANY:
        return None
    family = frozenset(e.source for e in ENTRIES if e.family == selector)
    return family or frozenset(e.source for e in ENTRIES if e.name == selector)


def selectors() -> list[str]:
    """Every value ``applies_to.source`` may take (the policy schema's enum is built from this)."""
    return list(dict.fromkeys([*(e.family for e in ENTRIES), *(e.name for e in ENTRIES), ANY]))
