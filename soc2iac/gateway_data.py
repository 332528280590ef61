"""Gateway product knowledge (``soc2iac/data/gateways.yaml``), loaded once on first use, as typed values.

Nothing here decides anything: the gateway graph asks which kinds are routes, which labels mark
a controller, which namespaces are gateways' defaults and which annotations make a load
balancer internal; the policy loader asks which Terraform types manage which Kubernetes kinds.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

_NAME = {"type": "string", "minLength": 1}
_NAMES = {"type": "array", "minItems": 1, "items": _NAME}


def _entry(required: list[str], **optional: Any) -> dict[str, Any]:
    props = {key: _NAME for key in required} | optional
    return {"type": "object", "additionalProperties": False, "required": required,
            "properties": {k: v if isinstance(v, Mapping) else _NAME for k, v in props.items()}}


SCHEMA: Mapping[str, Any] = {  # the file's shape, checked by tests/test_gateway_data.py
    "type": "object",
    "additionalProperties": False,
    "required": ["terraform_kinds", "routes", "selector_gateways", "controller_labels", "gateway_namespaces",
                 "internal_lb_annotations", "gateway_classes"],
    "properties": {
        "terraform_kinds": {"type": "object", "minProperties": 1, "propertyNames": {"pattern": "^kubernetes_"},
                            "additionalProperties": _NAME},
        "routes": {"type": "array", "items": _entry(
            ["reader", "kinds"], kinds=_NAMES, api_version_contains=_NAME, via_node_ports={"type": "boolean"})},
        "selector_gateways": {"type": "array", "items": _entry(["kind", "product"], api_version_contains=_NAME)},
        "controller_labels": {"type": "array", "items": _entry(
            ["label", "product"], value=_NAME, contains=_NAME, namespace=_NAME)},
        "gateway_namespaces": {"type": "object", "additionalProperties": _NAME},
        "gateway_classes": {"type": "object", "additionalProperties": _NAME},
        "internal_lb_annotations": {"type": "array", "items": _entry(
            ["annotation"], values={"type": "array", "minItems": 1, "items": {"type": "string"}})},
    },
}


@dataclass(frozen=True)
class ControllerLabel:
    """A label a gateway product puts on its Services and pods."""

    label: str
    product: str
    value: str | None = None  # None: any value
    contains: str | None = None
    namespace: str | None = None

    def recognises(self, labels: Mapping[str, str], ns: str) -> str | None:
        """Why ``labels`` (in namespace ``ns``) are this product's, or None."""
        found = labels.get(self.label)
        if found is None or (self.value is not None and found != self.value):
            return None
        if (self.contains is not None and self.contains not in found) or (
                self.namespace is not None and ns != self.namespace):
            return None
        where = f" in namespace {self.namespace}" if self.namespace else ""
        return f"{self.product}, label {self.label}={found}{where}"


@dataclass(frozen=True)
class RouteKind:
    reader: str  # the route reader in soc2iac/gateway_routes.py
    api_version_contains: str = ""
    via_node_ports: bool = False  # cloud load balancers may reach its backends through node ports


@dataclass(frozen=True)
class SelectorGateway:
    """A kind whose ``spec.selector`` picks a gateway's pods (an Istio Gateway)."""

    kind: str
    product: str
    api_version_contains: str = ""


@dataclass(frozen=True)
class GatewayData:
    terraform_kinds: Mapping[str, str]  # kubernetes_* type -> kind
    routes: Mapping[str, RouteKind]  # kind -> how to read it
    selector_gateways: tuple[SelectorGateway, ...]
    controller_labels: tuple[ControllerLabel, ...]
    gateway_namespaces: Mapping[str, str]  # namespace -> product installed there by default
    internal_lb_annotations: tuple[tuple[str, tuple[str, ...] | None], ...]  # (annotation, internal values)
    gateway_classes: Mapping[str, str] = dataclasses.field(default_factory=dict)  # gatewayClassName -> product

    def controller(self, labels: Mapping[str, str], ns: str) -> str | None:
        """Why ``labels`` mark a known gateway product's Service or pods, or None."""
        for entry in self.controller_labels:
            why = entry.recognises(labels, ns)
            if why:
                return why
        return None


def _text() -> str:
    return resources.files("soc2iac.data").joinpath("gateways.yaml").read_text(encoding="utf-8")


def read(doc: Mapping[str, Any]) -> GatewayData:
    """The typed view of a document of :data:`SCHEMA`'s shape."""
    return GatewayData(
        terraform_kinds={str(k): str(v) for k, v in doc["terraform_kinds"].items()},
        routes={kind: RouteKind(r["reader"], r.get("api_version_contains", ""), bool(r.get("via_node_ports")))
                for r in doc["routes"] for kind in r["kinds"]},
        selector_gateways=tuple(SelectorGateway(**g) for g in doc["selector_gateways"]),
        controller_labels=tuple(ControllerLabel(**c) for c in doc["controller_labels"]),
        gateway_namespaces={str(k): str(v) for k, v in doc["gateway_namespaces"].items()},
        internal_lb_annotations=tuple((a["annotation"], tuple(a["values"]) if "values" in a else None)
                                      for a in doc["internal_lb_annotations"]),
        gateway_classes={str(k): str(v) for k, v in doc["gateway_classes"].items()},
    )


@functools.lru_cache(maxsize=1)
def gateway_data() -> GatewayData:
    from soc2iac import yaml_load

    return read(yaml_load.safe_load(_text()))


def terraform_types_of(kinds: Iterable[str]) -> list[str]:
    """The Terraform kubernetes_* types that manage any of ``kinds``, in the data file's order."""
    wanted = set(kinds)
    return [t for t, kind in gateway_data().terraform_kinds.items() if kind in wanted]
