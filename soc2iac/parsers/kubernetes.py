"""Kubernetes manifests (YAML or JSON, multi-document, ``List`` kinds) -> resources.

YAML is composed into nodes first so every attribute path keeps its line.
Documents that are not Kubernetes objects (no ``apiVersion``/``kind``) are
skipped. Workload kinds get a ``podSpec`` attribute: the pod template of a
Deployment, CronJob, ... under one name, so policies need one path for all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from soc2iac.errors import InputError
from soc2iac.model import Location, Resource, join_path
from soc2iac.waivers import annotation_waivers

SOURCE = "kubernetes"
MAX_NODES = 2_000_000  # bound on constructed values, against alias bombs

POD_SPEC_PATHS = {
    "Pod": "spec",
    "Deployment": "spec.template.spec",
    "StatefulSet": "spec.template.spec",
    "DaemonSet": "spec.template.spec",
    "ReplicaSet": "spec.template.spec",
    "ReplicationController": "spec.template.spec",
    "Job": "spec.template.spec",
    "CronJob": "spec.jobTemplate.spec.template.spec",
}

CLUSTER_SCOPED = {
    "Namespace", "Node", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding",
    "CustomResourceDefinition", "IngressClass", "GatewayClass", "PriorityClass", "CSIDriver",
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService", "RuntimeClass",
}

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Builder:
    """Turns composed YAML nodes into plain values and a path -> line map."""

    def __init__(self, loader: Any, shown: str) -> None:
        self.loader = loader
        self.shown = shown
        self.count = 0

    def build(self, node: yaml.Node, path: str, lines: dict[str, int]) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise InputError(self.shown, f"YAML expands to more than {MAX_NODES} values (alias bomb?)",
                             line=node.start_mark.line + 1)
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
                out[key] = self.build(value_node, child, lines)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, join_path(path, i), lines) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag.endswith(":str") or node.tag.endswith(":timestamp") or node.tag.endswith(":binary"):
            return str(node.value)
        try:
            return self.loader.construct_object(node)
        except yaml.YAMLError:
            return str(node.value)


def parse_documents(text: str, shown: str) -> Iterator[tuple[Any, dict[str, int]]]:
    """Yield ``(value, lines)`` per YAML document; :class:`InputError` on bad YAML."""
    if "\x00" in text:
        raise InputError(shown, "binary file (contains NUL bytes)")
    loader = _Loader(text)
    builder = _Builder(loader, shown)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            lines: dict[str, int] = {}
            yield builder.build(node, "", lines), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise InputError(shown, f"invalid YAML: {exc.problem or exc.context}", line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(shown, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError(shown, "invalid YAML: nested too deeply") from None
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
        spec = _get(obj, spec_path)
        if isinstance(spec, Mapping):
            attrs["podSpec"] = spec
            for p, ln in lines.items():
                if p == spec_path or p.startswith(spec_path + ".") or p.startswith(spec_path + "["):
                    all_lines["podSpec" + p[len(spec_path):]] = ln
    if kind in CLUSTER_SCOPED or not namespace:
        address = f"{kind}/{name}"
    else:
        address = f"{namespace}/{kind}/{name}"
    return Resource(
        source=source, type=kind, name=name, address=address, attributes=attrs,
        location=location, lines=all_lines, waivers=annotation_waivers(obj),
    )


def _get(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(part)
    return obj


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


def parse_text(text: str, shown: str) -> list[Resource]:
    return list(resources_from_documents(parse_documents(text, shown), shown))
