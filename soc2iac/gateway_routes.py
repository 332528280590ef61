"""Per-product route readers: which Services a gateway route sends traffic to, and for which hosts.

Which kinds each reader reads (and the apiVersion they must carry) is data
(``routes`` in ``soc2iac/data/gateways.yaml``); how each product spells its backends is here:

* ``ingress``: ``spec.rules[].http.paths[].backend.service.name`` and ``spec.defaultBackend``
  (v1beta1 ``serviceName`` and ``spec.backend``);
* ``gateway_api``: HTTPRoute/GRPCRoute/TLSRoute/TCPRoute/UDPRoute ``backendRefs`` (same namespace
  unless ``namespace`` is given); a route whose parents are all Services is a mesh (GAMMA) route,
  not a gateway route;
* ``istio``: VirtualService ``destination.host`` (``web``, ``web.ns``, ``web.ns.svc.cluster.local``)
  when bound to a gateway (``mesh`` alone is sidecar routing);
* ``service_list``: Traefik IngressRoute and Contour HTTPProxy ``routes[].services``.

A backend name may still be a Terraform reference (:class:`~soc2iac.model.Ref`): the graph
resolves it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from soc2iac.gateway_data import gateway_data
from soc2iac.model import Ref
from soc2iac.parsers.k8s_shape import K8sObject, get_path

Backend = tuple[str, Any, str]  # (namespace, Service name or a Ref to it, hosts shown)


def hosts_text(hosts: Iterable[Any]) -> str:
    shown = [str(h) for h in dict.fromkeys(hosts) if isinstance(h, str) and h]
    return ", ".join(shown) if shown else "any host"


def route_backends(route: K8sObject) -> Iterator[Backend]:
    """Each Service backend of a gateway route (nothing for an object that is not one)."""
    body = route.body
    spec = body.get("spec")
    if not isinstance(spec, Mapping):
        return
    how = gateway_data().routes.get(route.kind)
    if how is None or how.api_version_contains not in str(body.get("apiVersion", "")):
        return
    yield from READERS[how.reader](spec, route.ns)


def _ingress(spec: Mapping[str, Any], ns: str) -> Iterator[Backend]:
    for key in ("defaultBackend", "backend"):
        b = spec.get(key)
        if isinstance(b, Mapping):
            name = get_path(b, "service.name") or b.get("serviceName")
            if isinstance(name, (str, Ref)):
                yield ns, name, "default backend"
    by_service: dict[Any, list[Any]] = defaultdict(list)
    for rule in spec.get("rules") or []:
        if not isinstance(rule, Mapping):
            continue
        for p in get_path(rule, "http.paths") or []:
            if not isinstance(p, Mapping) or not isinstance(p.get("backend"), Mapping):
                continue
            name = get_path(p["backend"], "service.name") or p["backend"].get("serviceName")
            if isinstance(name, (str, Ref)):
                by_service[name].append(rule.get("host") or "*")
    for name, rule_hosts in by_service.items():
        yield ns, name, hosts_text(rule_hosts)


def _gateway_api(spec: Mapping[str, Any], ns: str) -> Iterator[Backend]:
    parents = spec.get("parentRefs") or []
    if parents and all(is_mesh_parent(p) for p in parents):
        return  # GAMMA: a mesh route attached to a Service (or a multi-cluster ServiceImport), not to a gateway
    names = hosts_text(spec.get("hostnames") or [])
    if names == "any host" and parents:
        names = "via " + ", ".join(f"Gateway {p.get('name')}" for p in parents if isinstance(p, Mapping))
    for rule in spec.get("rules") or []:
        for ref in (rule.get("backendRefs") or []) if isinstance(rule, Mapping) else []:
            if not isinstance(ref, Mapping) or ref.get("kind", "Service") != "Service" or ref.get("group", "") not in ("", "core"):
                continue
            if isinstance(ref.get("name"), (str, Ref)):
                yield str(ref.get("namespace") or ns), ref["name"], names


def is_mesh_parent(parent: Any) -> bool:
    """Whether a Gateway API parentRef is a Service or ServiceImport (GAMMA: mesh routing), not a gateway."""
    return isinstance(parent, Mapping) and parent.get("kind") in ("Service", "ServiceImport")


def _istio(spec: Mapping[str, Any], ns: str) -> Iterator[Backend]:
    gateways = spec.get("gateways") or []
    if not isinstance(gateways, list) or not [g for g in gateways if g != "mesh"]:
        return  # bound only to the mesh (sidecars), not to a gateway
    vs_hosts = hosts_text(spec.get("hosts") or [])
    for section in ("http", "tcp", "tls"):
        for entry in spec.get(section) or []:
            for dest in (entry.get("route") or []) if isinstance(entry, Mapping) else []:
                host = get_path(dest, "destination.host")
                if isinstance(host, str):
                    target = _istio_host(host, ns)
                    if target:
                        yield target[0], target[1], vs_hosts


def _service_list(spec: Mapping[str, Any], ns: str) -> Iterator[Backend]:
    found = [get_path(spec, "virtualhost.fqdn")]
    for r in spec.get("routes") or []:
        if isinstance(r, Mapping) and isinstance(r.get("match"), str):
            found.extend(_TRAEFIK_HOST.findall(r["match"]))
    crd_hosts = hosts_text(found)
    for r in spec.get("routes") or []:
        for target in (r.get("services") or []) if isinstance(r, Mapping) else []:
            if isinstance(target, Mapping) and isinstance(target.get("name"), (str, Ref)) and \
                    target.get("kind", "Service") == "Service":
                yield str(target.get("namespace") or ns), target["name"], crd_hosts


_TRAEFIK_HOST = re.compile(r"Host(?:SNI)?\(\s*`([^`]+)`")


def _istio_host(host: str, ns: str) -> tuple[str, str] | None:
    if "*" in host:
        return None
    parts = host.split(".")
    if len(parts) == 1:
        return ns, parts[0]
    if len(parts) == 2 or (len(parts) >= 3 and parts[2] == "svc"):
        return parts[1], parts[0]
    return None


READERS: Mapping[str, Callable[[Mapping[str, Any], str], Iterator[Backend]]] = {
    "ingress": _ingress,
    "gateway_api": _gateway_api,
    "istio": _istio,
    "service_list": _service_list,
}
