"""Kubernetes manifests (YAML or JSON, multi-document, ``List`` kinds) -> resources.

YAML is composed into nodes first so every attribute path keeps its line.
Documents that are not Kubernetes objects (no ``apiVersion``/``kind``) are
skipped. Workload kinds get a ``podSpec`` attribute: the pod template of a
Deployment, CronJob, ... under one name, so policies need one path for all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from soc2iac.cache import cached_parse
from soc2iac.errors import InputError
from soc2iac.model import Location, Resource, join_path
from soc2iac.parsers import MAX_DEPTH
from soc2iac.parsers.k8s_shape import POD_SPEC_PATHS, get_path
from soc2iac.text import squashed

SOURCE = "kubernetes"
MAX_NODES = 2_000_000  # bound on constructed values, against alias bombs

CLUSTER_SCOPED = {
    "Namespace", "Node", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding",
    "CustomResourceDefinition", "IngressClass", "GatewayClass", "PriorityClass", "CSIDriver",
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService", "RuntimeClass",
}

MAX_ALIAS_VALUES = 100_000  # bound on values re-expanded through aliases ("billion laughs")


class _Composer(yaml.composer.Composer):
    """PyYAML's composer with a nesting bound. libyaml's own composer recurses in C
    and crashes the interpreter (SIGSEGV) on some 20,000 nested ``[``; this one
    runs on libyaml's events in Python and stops at :data:`MAX_DEPTH` levels."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels",
                    self.peek_event().start_mark)  # type: ignore[attr-defined]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None  # type: ignore[assignment,misc]

if _CParser is not None:
    class _Loader(_Composer, _CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
else:  # pragma: no cover - PyYAML built without libyaml
    class _Loader(_Composer, yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,  # type: ignore[no-redef]
                  yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            _Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        def dispose(self) -> None:
            pass


_FastLoader: type = getattr(yaml, "CSafeLoader", _Loader)


class _Builder:
    """Turns composed YAML nodes into plain values and a path -> line map."""

    def __init__(self, loader: Any, shown: str) -> None:
        self.loader = loader
        self.shown = shown
        self.count = 0
        self.built: set[int] = set()  # collection nodes built once (a second time is an alias)
        self.building: set[int] = set()  # collection nodes being built (a cycle through an alias)
        self.in_alias = 0
        self.alias_count = 0

    def build(self, node: yaml.Node, path: str, lines: dict[str, int], depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise InputError(self.shown, f"YAML expands to more than {MAX_NODES} values (alias bomb?)",
                             line=node.start_mark.line + 1)
        if self.in_alias:
            self.alias_count += 1
            if self.alias_count > MAX_ALIAS_VALUES:
                raise InputError(self.shown, f"YAML aliases expand to more than {MAX_ALIAS_VALUES} values "
                                             "(alias bomb?)", line=node.start_mark.line + 1)
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            if path and path not in lines:
                lines[path] = node.start_mark.line + 1
            return self._scalar(node)
        if depth >= MAX_DEPTH:
            raise InputError(self.shown, f"invalid YAML: nested more than {MAX_DEPTH} levels",
                             line=node.start_mark.line + 1)
        key = id(node)
        if key in self.building:
            raise InputError(self.shown, "YAML alias refers to a node that contains it", line=node.start_mark.line + 1)
        repeated = key in self.built
        self.built.add(key)
        self.building.add(key)
        self.in_alias += repeated
        try:
            return self._collection(node, path, lines, depth + 1)
        finally:
            self.in_alias -= repeated
            self.building.discard(key)

    def _collection(self, node: yaml.Node, path: str, lines: dict[str, int], depth: int) -> Any:
        if path and path not in lines:
            lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(self.count)
                key = str(key)
                child = join_path(path, key)
                lines.setdefault(child, key_node.start_mark.line + 1)
                out[key] = self.build(value_node, child, lines, depth)
            return out
        return [self.build(item, join_path(path, i), lines, depth) for i, item in enumerate(node.value)]

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag.endswith(":str") or node.tag.endswith(":timestamp") or node.tag.endswith(":binary"):
            return str(node.value)
        try:
            return self.loader.construct_object(node)
        except (yaml.YAMLError, ValueError, TypeError, KeyError, IndexError, OverflowError):
            return str(node.value)  # e.g. ``!!int x``: PyYAML's constructor raises plain errors


_C_SAFE_DEPTH = 5_000  # libyaml's recursive composer is safe well past this (it crashes near 20,000)


def _shallow(text: str) -> bool:
    """Whether ``text`` surely nests less than :data:`_C_SAFE_DEPTH` levels, so libyaml's
    faster composer may build it. A sound over-estimate, per document (flow collections
    cannot cross a ``---``/``...`` line): every flow ``[``/``{`` so far, plus for each line
    twice its indentation and its block indicators."""
    if _FastLoader is _Loader:
        return False
    flow = 0
    for line in text.splitlines():
        if line.startswith(("---", "...")):
            flow = 0
        flow += line.count("[") + line.count("{")
        indent = len(line) - len(line.lstrip(" "))
        if flow + 2 * indent + 2 + line.count("-") + line.count("?") + line.count(":") >= _C_SAFE_DEPTH:
            return False
    return True


def parse_documents(text: str, shown: str) -> Iterator[tuple[Any, dict[str, int]]]:
    """Yield ``(value, lines)`` per YAML document; :class:`InputError` on bad YAML."""
    if "\x00" in text:
        raise InputError(shown, "binary file (contains NUL bytes)")
    loader = _FastLoader(text) if _shallow(text) else _Loader(text)
    builder = _Builder(loader, shown)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            lines: dict[str, int] = {}
            builder.built.clear()  # node ids of an earlier document may be reused
            yield builder.build(node, "", lines), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise InputError(shown, f"invalid YAML: {squashed(exc.problem or exc.context)}", line=line) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (control characters)
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else 0
        code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
        raise InputError(shown, f"invalid YAML: unacceptable character #x{code:04x} ({exc.reason})",
                         line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(shown, f"invalid YAML: {squashed(exc)}") from None
    except RecursionError:
        raise InputError(shown, f"invalid YAML: nested more than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()


def is_k8s_object(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and isinstance(value.get("apiVersion"), str)
        and isinstance(value.get("kind"), str)
    )


def resources_from_documents(
    docs: Iterator[tuple[Any, dict[str, int]]], shown: str, *, source: str = SOURCE
) -> Iterator[Resource]:
    for value, lines in docs:
        yield from objects_to_resources(value, lines, shown, source=source)


def objects_to_resources(
    value: Any, lines: Mapping[str, int], shown: str, *, source: str = SOURCE, prefix: str = ""
) -> Iterator[Resource]:
    """A document (object or ``*List``) -> resources; non-Kubernetes values yield nothing."""
    if not is_k8s_object(value):
        return
    kind = value["kind"]
    items = value.get("items")
    if kind.endswith("List") and isinstance(items, list):
        for i, item in enumerate(items):
            sub = join_path(join_path(prefix, "items"), i)
            yield from objects_to_resources(item, _sub_lines(lines, sub), shown, source=source, prefix="")
        return
    yield to_resource(value, Location(shown, lines.get("", 0) or lines.get("apiVersion", 0) or 1,
                                      _last_line(lines)), lines, source=source)


def to_resource(obj: Mapping[str, Any], location: Location, lines: Mapping[str, int], *,
                source: str = SOURCE) -> Resource:
    """One Kubernetes object in the normalized model (used by manifests and live clusters)."""
    kind = str(obj.get("kind"))
    raw_meta = obj.get("metadata")
    meta: Mapping[str, Any] = raw_meta if isinstance(raw_meta, Mapping) else {}
    name = str(meta.get("name") or meta.get("generateName") or "<unnamed>")
    namespace = meta.get("namespace")
    attrs = dict(obj)
    all_lines = dict(lines)
    spec_path = POD_SPEC_PATHS.get(kind)
    if spec_path is not None:
        spec = get_path(obj, spec_path)
        if isinstance(spec, Mapping):
            attrs["podSpec"] = spec
            for p, ln in lines.items():
                if p == spec_path or p.startswith(spec_path + ".") or p.startswith(spec_path + "["):
                    all_lines["podSpec" + p[len(spec_path):]] = ln
    applied = _last_applied(kind, meta)
    if applied is not None:
        attrs["lastApplied"] = applied
        where = join_path("metadata.annotations", LAST_APPLIED)
        if where in lines:
            all_lines["lastApplied"] = lines[where]
    if kind in CLUSTER_SCOPED or not namespace:
        address = f"{kind}/{name}"
    else:
        address = f"{namespace}/{kind}/{name}"
    return Resource(
        source=source, type=kind, name=name, address=address, attributes=attrs,
        location=location, lines=all_lines,
    )


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _last_applied(kind: str, meta: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """A Secret's ``last-applied-configuration`` annotation read as the object it holds (kubectl
    apply copies the object there, data included); None when absent or not a JSON object."""
    if kind != "Secret":
        return None
    annotations = meta.get("annotations")
    text = annotations.get(LAST_APPLIED) if isinstance(annotations, Mapping) else None
    if not isinstance(text, str) or len(text) > 1_000_000:
        return None
    try:
        applied = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return applied if isinstance(applied, dict) else None


def _sub_lines(lines: Mapping[str, int], prefix: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for p, ln in lines.items():
        if p == prefix:
            out[""] = ln
        elif p.startswith(prefix + ".") or p.startswith(prefix + "["):
            rest = p[len(prefix):]
            out[rest[1:] if rest.startswith(".") else rest] = ln
    return out


def _last_line(lines: Mapping[str, int]) -> int:
    return max(lines.values(), default=0)


def detect(path: Path, text: str) -> bool:
    """The fallback entry: any YAML or JSON file no other format claims is read as manifests."""
    return True


def skip_reason(text: str) -> str | None:
    """Why a YAML/JSON file that failed to parse is not a Kubernetes manifest (so a notice, not an
    input error: pre-commit passes every .yaml of a repository), or None when it looks like one."""
    if "{{" in text and "}}" in text:
        return "an unrendered Helm or Go template (scan `helm template` output instead)"
    if not (re.search(r"""(^|[{,])\s*["']?apiVersion["']?\s*:""", text, re.MULTILINE)
            and re.search(r"""(^|[{,])\s*["']?kind["']?\s*:""", text, re.MULTILINE)):  # block, flow or JSON
        return "not a Kubernetes manifest"
    return None


def parse_text(text: str, shown: str, path: Path | None = None) -> list[Resource]:
    return cached_parse(*cache_parts(text, shown), shown,
                        lambda: list(resources_from_documents(parse_documents(text, shown), shown)))


def warm(path: Path, text: str, shown: str) -> None:
    """Parse into the parse cache (a ``--jobs`` worker)."""
    parse_text(text, shown, path)


def cache_parts(text: str, shown: str) -> tuple[str, tuple[str, ...]]:
    """Cache namespace and key parts of a parse: resources name their file, so the shown path counts."""
    return "kubernetes", (shown, text)
