"""Any resource that describes a Kubernetes object, in the Kubernetes object shape.

Manifests and live objects already have that shape; ``kubernetes_manifest`` holds it under
``manifest``; a Terraform ``kubernetes_*`` resource (``kubernetes_deployment_v1`` ...) has it
in HCL form, converted here: blocks are lists (``metadata[0]``), names are snake_case
(``match_labels``) and repeated blocks are singular (``container``), so the converter unwraps
single blocks, camelCases names and pluralises repeated blocks, and keeps a map from each
converted path back to the resource's own attribute path (for line numbers). Terraform
objects default to namespace ``default``, as the provider does.

The pod-template table (which kinds carry a pod template, and where) lives here once: the
manifest parser's ``podSpec`` view and the gateway graph both read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from soc2iac.model import Resource, join_path

SOURCES = frozenset({"kubernetes", "cluster", "terraform", "terraform-plan"})

# kind -> path of its pod template ("": the object is the pod itself)
POD_TEMPLATES: Mapping[str, str] = {
    "Pod": "",
    "Deployment": "spec.template",
    "StatefulSet": "spec.template",
    "DaemonSet": "spec.template",
    "ReplicaSet": "spec.template",
    "ReplicationController": "spec.template",
    "Job": "spec.template",
    "CronJob": "spec.jobTemplate.spec.template",
}


def _under(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


POD_SPEC_PATHS: Mapping[str, str] = {kind: _under(p, "spec") for kind, p in POD_TEMPLATES.items()}
POD_META_PATHS: Mapping[str, str] = {kind: _under(p, "metadata") for kind, p in POD_TEMPLATES.items()}

# The Terraform kubernetes provider's block shapes.
_SINGULAR_BLOCKS = {"metadata", "spec", "template", "selector", "backend", "service", "http", "default_backend",
                    "pod_selector", "namespace_selector", "ip_block", "job_template"}
_PLURAL = {"container": "containers", "init_container": "initContainers", "port": "ports", "rule": "rules",
           "path": "paths", "external_ips": "externalIPs"}
_MAP_ATTRS = {"labels", "annotations", "match_labels"}


@dataclass(eq=False)
class K8sObject:
    """One Kubernetes object of a resource: kind, namespace, name and body in the Kubernetes shape.

    ``name``/``ns`` are "?" when they cannot be known statically (see :attr:`known`)."""

    res: Resource
    kind: str
    ns: str
    name: str
    body: Mapping[str, Any]
    prefix: str = ""  # kubernetes_manifest: "manifest"
    paths: Mapping[str, str] | None = None  # Terraform blocks: converted path -> attribute path

    def attr(self, path: str) -> str:
        """The resource attribute path of a Kubernetes-shaped path (for line numbers)."""
        if self.paths is not None:
            probe = path
            while probe:
                if probe in self.paths:
                    return self.paths[probe]
                cut = max(probe.rfind("."), probe.rfind("["))
                probe = probe[:cut] if cut > 0 else ""
            return ""
        return f"{self.prefix}.{path}" if self.prefix and path else (self.prefix or path)

    @property
    def known(self) -> bool:
        return self.name != "?" or self.ns != "?"

    @property
    def ref(self) -> str:
        return f"{self.kind} {self.name}"

    def ref_from(self, ns: str) -> str:
        return self.ref if self.ns == ns else f"{self.kind} {self.ns}/{self.name}"


def get_path(node: Any, path: str) -> Any:
    """The value at a dotted path of plain mappings, or None."""
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def from_terraform(value: Any, orig: str = "", new: str = "", paths: dict[str, str] | None = None) -> Any:
    """Terraform kubernetes_* attributes -> the Kubernetes shape, recording in ``paths`` where
    each converted path came from."""
    if paths is None:
        paths = {}
    paths.setdefault(new, orig)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            k = str(key)
            o = join_path(orig, k)
            if k in _MAP_ATTRS or (k == "selector" and isinstance(item, Mapping)):
                nk = _camel(k)
                paths.setdefault(join_path(new, nk), o)
                out[nk] = item
                continue
            if k in _SINGULAR_BLOCKS and isinstance(item, list):
                if len(item) == 1 and isinstance(item[0], Mapping):
                    nk = _camel(k)
                    out[nk] = from_terraform(item[0], join_path(o, 0), join_path(new, nk), paths)
                    continue
                if not item:
                    continue
            nk = _PLURAL.get(k, _camel(k)) if isinstance(item, list) else _camel(k)
            out[nk] = from_terraform(item, o, join_path(new, nk), paths)
        return out
    if isinstance(value, list):
        return [from_terraform(v, join_path(orig, i), join_path(new, i), paths) for i, v in enumerate(value)]
    return value


def to_k8s(res: Resource, terraform_kinds: Mapping[str, str]) -> K8sObject | None:
    """The Kubernetes object ``res`` describes, or None when it describes none.

    ``terraform_kinds`` maps Terraform ``kubernetes_*`` types to the kinds they manage."""
    if res.source not in SOURCES:
        return None
    attrs = res.attributes
    if res.source in ("kubernetes", "cluster"):
        body: Mapping[str, Any] = attrs
        prefix, paths, default_ns = "", None, ""
        kind = res.type
    elif res.type == "kubernetes_manifest":
        manifest = attrs.get("manifest")
        if not isinstance(manifest, Mapping) or not isinstance(manifest.get("kind"), str):
            return None
        body, prefix, paths, default_ns = manifest, "manifest", None, "default"
        kind = str(manifest["kind"])
    elif res.type in terraform_kinds:
        p: dict[str, str] = {}
        body = from_terraform(attrs, "", "", p)
        prefix, paths, default_ns = "", p, "default"
        kind = terraform_kinds[res.type]
    else:
        return None
    meta = body.get("metadata")
    meta = meta if isinstance(meta, Mapping) else {}
    name, ns = meta.get("name"), meta.get("namespace")
    if name is None and res.source in ("kubernetes", "cluster"):
        name = res.name
    if ns is None:
        ns = default_ns
    if kind == "Namespace":
        ns = ""
    if not isinstance(name, str) or not isinstance(ns, str):
        return K8sObject(res, kind, "?", "?", body, prefix, paths)  # not statically known
    return K8sObject(res, kind, ns, name, body, prefix, paths)
