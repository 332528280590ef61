"""The one normalized resource model every parser and collector produces.

Policies only ever see :class:`Resource` records; they never know whether a
resource came from HCL, a plan, a manifest or a live cluster.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from soc2iac.versions import ProviderVersions


# Why a verdict is unknown (``Finding.cause``), set where the unknown is produced:
CAUSE_APPLY = "after-apply"  # a value only known at plan or apply time (variables, resource attributes)
CAUSE_EVALUATOR = "evaluator"  # beyond what soc2iac's evaluator can decide (an expression or config it does not evaluate)
CAUSE_UNREAD = "not-collected"  # objects that could not be read (a live kind forbidden or cut short)
CAUSES = (CAUSE_APPLY, CAUSE_EVALUATOR, CAUSE_UNREAD)


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known statically (never guessed, never a pass).

    ``refs`` lists the resource addresses its expression mentions (e.g.
    ``try(aws_vpc.this[0].id, "")``): possible graph edges, never certain ones.
    ``cause``: :data:`CAUSE_EVALUATOR` where soc2iac does not evaluate the expression;
    '' (the default) for a value only known at plan or apply time.
    """

    reason: str
    refs: tuple[str, ...] = field(default=(), kw_only=True)
    literal: str = field(default="", kw_only=True, repr=False)  # literal text of a template, for secret scans
    cause: str = field(default="", kw_only=True)

    def __str__(self) -> str:
        return f"<unknown: {self.reason}>"


@dataclass(frozen=True)
class Ref(Unknown):
    """A reference to another resource's attribute.

    Its value is unknown until apply, but it is known to be set (non-null) and
    known to point at ``address``.
    """

    address: str = ""
    attribute: str = ""

    def __str__(self) -> str:
        return f"<ref {self.address}.{self.attribute}>" if self.attribute else f"<ref {self.address}>"


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


@dataclass(frozen=True)
class Unread:
    """Objects of ``type`` that may exist but could not be read (a live kind forbidden or cut
    short), everywhere or only in ``namespace``; ``reason`` says why, in a reader's words.
    A lookup that could find such objects has no definite answer."""

    type: str
    reason: str
    namespace: str = ""


@dataclass(frozen=True)
class Location:
    """Where a resource is defined: a file and line range, or a cluster object."""

    file: str
    start_line: int = 0
    end_line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.start_line}" if self.start_line else self.file


_NONE: Mapping[str, Any] = {}  # one shared empty mapping (never written): most resources have no origins
NO_ORIGINS: Mapping[str, tuple[str, ...]] = _NONE


@dataclass(frozen=True)
class Resource:
    """One configuration object, whatever its source.

    ``source``: terraform, terraform-plan, kubernetes, cluster, ... ;
    ``type``: the Terraform type (``aws_s3_bucket``, ``data.aws_iam_policy_document``,
    ``provider``, ``variable``) or Kubernetes kind;
    ``address``: unique within a scan (``module.logs.aws_s3_bucket.this``,
    ``prod/Deployment/web``); ``lines`` maps attribute paths to line numbers.
    """

    source: str
    type: str
    name: str
    address: str
    attributes: Mapping[str, Any]
    location: Location
    lines: Mapping[str, int] = field(default_factory=dict)
    comments: tuple[str, ...] = ()  # raw comment lines on the resource that carry a soc2iac marker
    # (read by soc2iac.waivers; Kubernetes annotations stay in ``attributes``)
    scope: str = ""  # where its references resolve: a Terraform root module folder, a plan file
    actions: tuple[str, ...] = ()  # for a plan's resources: what the plan does to it (create, delete, ...)
    # attribute path -> where its value was set outside the resource's own block ("file:line" of
    # the module arguments it comes from, the nearest caller first)
    origins: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _NONE)
    # Terraform source: what the configuration says of each provider's version (by provider type
    # name, ``aws``, ``azurerm``): required_providers constraints, the lock file's selection
    providers: Mapping[str, ProviderVersions] = field(default_factory=lambda: _NONE)

    def line_of(self, path: str) -> int:
        """The line of ``path`` or of its nearest enclosing attribute or block."""
        probe = path
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = _parent_path(probe)
        return self.location.start_line


    def origin_of(self, path: str) -> tuple[str, ...]:
        """Where the value at ``path`` (or its nearest enclosing attribute) was set by a caller."""
        probe = path
        while probe and self.origins:
            if probe in self.origins:
                return self.origins[probe]
            probe = _parent_path(probe)
        return ()


def qualified(scope: str, address: str) -> str:
    """``examples/complete:module.s3.aws_s3_bucket.this``: an address with the root module folder
    (or plan file) it belongs to, for scans where the bare address repeats across roots."""
    return f"{scope}:{address}" if scope else address


_INSTANCE_KEY = re.compile(r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]')


def without_instance_keys(address: str) -> str:
    """``module.m["a"].aws_x.y[0]`` -> ``module.m.aws_x.y``: the blocks an instance belongs to."""
    return _INSTANCE_KEY.sub("", address)


def pseudo(res: Resource, path: str) -> Any:
    """A pseudo-attribute of any resource: ``@type``, ``@name``, ``@address``, ``@namespace``,
    ``@actions`` (a plan's actions on it); :data:`MISSING` for any other ``@`` path."""
    if path == "@type":
        return res.type
    if path == "@name":
        return res.name
    if path == "@address":
        return res.address
    if path == "@namespace":
        meta = res.attributes.get("metadata")
        return meta.get("namespace") if isinstance(meta, Mapping) else None
    if path == "@actions":
        return list(res.actions)
    return MISSING


def _parent_path(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rfind("[")]
    cut = path.rfind(".")
    return path[:cut] if cut > 0 else ""


_PATH_TOKEN = re.compile(r'\["((?:[^"\\]|\\.)*)"\]|([^.\[\]]+)|\[(\d+|\*)\]')

# Attributes that are views of other attributes (Kubernetes podSpec is the pod
# template under one name; lastApplied is a Secret's kubectl last-applied-configuration
# annotation read as the object it holds); walkers over "every attribute" skip them.
VIEW_KEYS = frozenset({"podSpec", "lastApplied"})


@functools.lru_cache(maxsize=8192)
def split_path(path: str) -> tuple[str | int, ...]:
    """``a.b[0].c[*]`` -> ``('a', 'b', 0, 'c', '*')``; ``data[".dockerconfigjson"]`` quotes a key.
    (Memoised: policies ask the same few paths of every resource.)"""
    parts: list[str | int] = []
    for quoted, name, index in _PATH_TOKEN.findall(path):
        if quoted or (not name and not index):
            parts.append(quoted.replace('\\"', '"'))
        elif name:
            parts.append(name)
        elif index == "*":
            parts.append("*")
        else:
            parts.append(int(index))
    return tuple(parts)


def join_path(prefix: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    if not key or "." in key or "[" in key or "]" in key or '"' in key:
        escaped = str(key).replace('"', '\\"')
        return f'{prefix}["{escaped}"]'
    return f"{prefix}.{key}" if prefix else key


def _rest(here: str, parts: Sequence[str | int]) -> str:
    for part in parts:
        here = f"{here}[*]" if part == "*" else join_path(here, part)
    return here


MISSING = Unknown("missing")  # sentinel object for an absent attribute; compared by identity


def resolve(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Yield ``(concrete_path, value)`` for every match of ``path`` in ``value``.

    ``[*]`` and ``*`` fan out over list items or mapping values; a one-element
    list is looked through when a name is asked of it (Terraform blocks are
    lists). An absent key yields :data:`MISSING`; an unknown container yields
    the unknown itself, so callers can tell "absent" from "cannot know".
    """
    yield from _resolve(value, split_path(path), "")


def _resolve(value: Any, parts: Sequence[str | int], here: str) -> Iterator[tuple[str, Any]]:
    if not parts:
        yield here, value
        return
    head, rest = parts[0], parts[1:]
    if isinstance(value, Unknown):
        yield here, value
        return
    if head == "*":
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from _resolve(item, rest, join_path(here, i))
        elif isinstance(value, Mapping):
            for key, item in value.items():
                yield from _resolve(item, rest, join_path(here, str(key)))
        return
    if isinstance(head, int):
        if isinstance(value, list) and -len(value) <= head < len(value):
            yield from _resolve(value[head], rest, join_path(here, head))
        else:
            yield _rest(join_path(here, head), rest), MISSING
        return
    if isinstance(value, list):
        if len(value) == 1:  # a single nested block
            yield from _resolve(value[0], parts, join_path(here, 0))
        elif not value:
            yield _rest(join_path(here, head), rest), MISSING
        else:
            for i, item in enumerate(value):
                yield from _resolve(item, parts, join_path(here, i))
        return
    if isinstance(value, Mapping):
        if head in value:
            yield from _resolve(value[head], rest, join_path(here, head))
        else:
            yield _rest(join_path(here, head), rest), MISSING
        return
    yield _rest(join_path(here, head), rest), MISSING
