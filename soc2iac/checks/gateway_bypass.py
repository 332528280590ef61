"""Check kind ``gateway_bypass``: is a workload served through a gateway also reachable around it?

The verdicts only: the graph of routes, Services, workloads, gateways and NetworkPolicies is
the scan's :class:`soc2iac.gateway_graph.Graph` (built once, asked of the context).

``report: bypass`` judges Services that are reachable from outside the cluster directly
(NodePort; LoadBalancer, which also opens node ports unless
``allocateLoadBalancerNodePorts: false``; ``externalIPs``) and workloads with ``hostPort``
or ``hostNetwork`` (the finding sits on the workload: the Service is not involved, and the
pod template is what must change). A path from such an entry to a workload that a gateway
route also reaches fails, unless NetworkPolicies admit ingress to that workload only from
the gateway (its namespace or pods). NetworkPolicy does not govern host-network pods, so
``hostNetwork`` is never mitigated. A NodePort Service that is itself the backend of an
Ingress is the normal shape of cloud ingresses (GKE Ingress, AWS ALB instance targets) and is
not a bypass through itself; in-cluster proxies (Istio VirtualServices, Gateway API routes,
Traefik, Contour) reach the pods directly, so a NodePort backend of theirs is a bypass.

``report: exposure`` judges the same Services: one whose pods no gateway route reaches is
"exposed without a gateway"; an internal load balancer (cloud annotations, or
``loadBalancerSourceRanges`` that admit only private ranges) passes with that reason.

``report: node_port`` judges every Service's type: NodePort fails, unless the Service is the
gateway's own (the ingress controller's bare-metal NodePort Service is how the gateway is
published), which passes with that reason.

The gateway's own Service is never a bypass: recognised by the labels of common
controllers, by Istio Gateway selectors, or declared in ``.soc2iac.yaml`` ``gateways``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from soc2iac.checks.base import Context, Detail, Outcome, Verdict
from soc2iac.gateway_graph import Graph, Mitigation, Path, Svc, Wl, host_entries, internal_reason, service_entries
from soc2iac.label_selector import UnknownValue, show_labels
from soc2iac.model import Resource

GATEWAY_ITEM: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["namespace"],
    "anyOf": [{"required": ["name"]}, {"required": ["selector"]}],
    "properties": {
        "namespace": {"type": "string", "minLength": 1},
        "name": {"type": "string", "minLength": 1, "description": "Name of the gateway's Service."},
        "selector": {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"},
                     "description": "Labels of the gateway's pods."},
    },
}

SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "report"],
    "properties": {
        "kind": {"const": "gateway_bypass"},
        "report": {"enum": ["bypass", "exposure", "node_port"],
                   "description": "bypass: reachable around a gateway; exposure: exposed without any gateway; "
                                  "node_port: a NodePort Service that is not the gateway's own."},
        "gateways": {"type": "array", "items": GATEWAY_ITEM,
                     "description": "The user's own gateway Services (also settable as `gateways` in .soc2iac.yaml)."},
    },
}


def evaluate(resource: Resource, check: Mapping[str, Any], ctx: Context) -> Outcome | None:
    """None (not applicable: no verdict, never a pass) for what is neither a Service nor a workload."""
    graph = ctx.gateway_graph(check.get("gateways") or [], resource)
    return in_environment(graph, _evaluate(graph, resource, check["report"]))


def in_environment(graph: Graph, outcome: Outcome | None) -> Outcome | None:
    """The outcome, naming the environment when the scan has several (soc2iac.gateway_graph.environments)."""
    if outcome is None or not graph.environment:
        return outcome
    return replace(outcome, message=f"[environment {graph.environment}] {outcome.message}")


def _evaluate(graph: Graph, resource: Resource, report: str) -> Outcome | None:
    obj = graph.objs.get(id(resource))
    if obj is None:
        return None
    if not obj.known:
        return Outcome("unknown", f"the name or namespace of {resource.address} cannot be known statically")
    svc = graph.services.get(id(resource))
    if svc is not None:
        judge = {"bypass": _service_bypass, "exposure": _service_exposure, "node_port": _node_port}[report]
        return judge(graph, svc)
    wl = graph.workloads.get(id(resource))
    if wl is not None and report == "bypass":
        return _workload_bypass(graph, wl)
    return None


def _entry_text(svc: Svc, exposure: list[tuple[str, str]]) -> str:
    return f"Service {svc.obj.name} ({'; '.join(t for t, _ in exposure)})"


def _route_text(path: Path, ns: str) -> str:
    text = path.route.text(ns)
    if path.backend.obj.name != path.route.obj.name or path.backend.obj.ns != path.route.obj.ns:
        text += f" via Service {path.backend.obj.ref_from(ns)[len('Service '):]}"
    return text


def _wl_text(wl: Wl, ns: str) -> str:
    return f"pods {wl.obj.name}" if wl.pseudo else wl.obj.ref_from(ns)


def _pre(graph: Graph, svc: Svc) -> tuple[Outcome | None, list[tuple[str, str]]]:
    """The verdict shared by both reports before routes are looked at, or the exposure."""
    exposure = service_entries(svc)
    if isinstance(exposure, UnknownValue):
        return Outcome("unknown", f"the type of Service {svc.obj.name} cannot be known statically: "
                                  f"{exposure.reason}", (Detail(svc.obj.attr("spec.type"), exposure.reason),)), []
    if not exposure:
        kind = svc.type if isinstance(svc.type, str) else "ClusterIP"
        return Outcome("pass", f"Service {svc.obj.name} is not reachable from outside the cluster directly "
                               f"({kind}, no externalIPs)"), []
    why = graph.gw.svc.get(id(svc))
    if why:
        msg = f"{_entry_text(svc, exposure)} is the gateway's own Service ({why}): exposing it is the gateway's job"
        return Outcome("pass", msg), exposure
    if isinstance(svc.selector, UnknownValue):
        return Outcome("unknown", f"the selector of Service {svc.obj.name} cannot be known statically "
                                  f"({svc.selector.reason}), so which pods it exposes is unknown",
                       (Detail(svc.obj.attr("spec.selector"), svc.selector.reason),)), exposure
    if not svc.selector:
        return Outcome("pass", f"{_entry_text(svc, exposure)} has no selector: its endpoints are managed outside "
                               "Kubernetes, so no gateway route's pods are known to be behind it"), exposure
    return None, exposure


def _service_bypass(graph: Graph, svc: Svc) -> Outcome:
    early, exposure = _pre(graph, svc)
    if early is not None:
        return early
    ns = svc.obj.ns
    entry = _entry_text(svc, exposure)
    paths, own = graph.paths_through(svc)
    if not paths:
        msg = f"{entry}: no gateway route reaches the pods it selects, so it bypasses no gateway"
        if own:
            msg = (f"{entry} is itself the backend of {own[0].text(ns)}, whose cloud load balancer (GKE Ingress, "
                   "AWS ALB instance targets) reaches the pods through node ports; no other gateway route reaches "
                   "its pods")
        else:
            msg += " (its direct exposure is judged by the exposure check)"
        return Outcome("pass", msg)
    verdicts: list[tuple[Path, Mitigation]] = []
    cache: dict[int, Mitigation] = {}
    for p in paths:
        if id(p.wl) not in cache:
            cache[id(p.wl)] = graph.mitigation(p.wl)
        verdicts.append((p, cache[id(p.wl)]))
    return _judge(verdicts, lambda p: f"{entry} → {_wl_text(p.wl, ns)} ← {_route_text(p, ns)}",
                  exposure[0][1], ns)


def _judge(verdicts: list[tuple[Path, Mitigation]], show: Callable[[Path], str], where: str, ns: str) -> Outcome:
    unique: dict[tuple[str, str], tuple[Path, Mitigation]] = {}
    for p, m in verdicts:  # the same path through copies of an object in several files
        unique.setdefault((show(p), m.reason), (p, m))
    verdicts = list(unique.values())
    open_ = [(p, m) for p, m in verdicts if m.verdict is False]
    unsure = [(p, m) for p, m in verdicts if m.verdict is None]
    for group, verdict in ((open_, "fail"), (unsure, "unknown")):
        if group:
            details = tuple(Detail(where, f"{show(p)}: {m.reason}") for p, m in group)
            more = f" (+{len(group) - 1} more path{'s' if len(group) > 2 else ''})" if len(group) > 1 else ""
            p, m = group[0]
            if verdict == "fail":
                msg = (f"gateway bypass: {show(p)}{more}; {_wl_text(p.wl, ns)} is served through the gateway but "
                       f"reachable around it: {m.reason}")
            else:
                msg = f"possible gateway bypass: {show(p)}{more}; whether a NetworkPolicy mitigates it is unknown: {m.reason}"
            v: Verdict = "fail" if verdict == "fail" else "unknown"
            return Outcome(v, msg, details)
    p, m = verdicts[0]
    more = f" (+{len(verdicts) - 1} more)" if len(verdicts) > 1 else ""
    details = tuple(Detail("", f"{show(q)}: {n.reason}") for q, n in verdicts)
    return Outcome("pass", f"mitigated: {show(p)}{more}, but {m.reason}", details)


def _workload_bypass(graph: Graph, wl: Wl) -> Outcome:
    hosts = host_entries(wl)
    ref = wl.obj.ref
    if not hosts:
        return Outcome("pass", f"{ref} binds no host port and does not use the host network "
                               "(Services that expose it are judged on the Service)")
    shown = ", ".join(t for t, _ in hosts)
    why = graph.gw.wl.get(id(wl))
    if why:
        return Outcome("pass", f"{ref} ({shown}) is the gateway itself ({why})")
    reach = graph.reach.get(id(wl), [])
    ns = wl.obj.ns
    if not reach:
        return Outcome("pass", f"{ref} ({shown}): no gateway route reaches it, so it bypasses no gateway "
                               "(the host port itself is judged by k8s-pod-no-host-port / k8s-pod-no-host-network)")
    paths = [Path(wl, r, s) for r, s in reach]
    if any(t == "hostNetwork" for t, _ in hosts):
        m = Mitigation(False, "NetworkPolicy does not govern pods on the host network")
    else:
        m = graph.mitigation(wl)
    return _judge([(p, m) for p in paths], lambda p: f"{ref} ({shown}) ← {_route_text(p, ns)}", hosts[0][1], ns)


def _node_port(graph: Graph, svc: Svc) -> Outcome:
    where = svc.obj.attr("spec.type")
    if isinstance(svc.type, UnknownValue):
        msg = f"the type of Service {svc.obj.name} cannot be known statically: {svc.type.reason}"
        return Outcome("unknown", msg, (Detail(where, svc.type.reason),))
    if svc.type != "NodePort":
        msg = f"spec.type is {svc.type!r}" + (" (the Kubernetes default type)" if "type" not in _spec(svc) else "")
        return Outcome("pass", msg, (Detail(where, msg),))
    exposure = service_entries(svc)
    entry = _entry_text(svc, exposure if isinstance(exposure, list) else [])
    why = graph.gw.svc.get(id(svc))
    if why:
        msg = f"{entry} is the gateway's own Service ({why}): publishing the gateway on node ports is its job"
        return Outcome("pass", msg, (Detail(where, msg),))
    msg = f"{entry} opens its port on every node, around any ingress controller or gateway"
    return Outcome("fail", msg, (Detail(where, "spec.type is 'NodePort'"),))


def _spec(svc: Svc) -> Mapping[str, Any]:
    spec = svc.obj.body.get("spec")
    return spec if isinstance(spec, Mapping) else {}


def _service_exposure(graph: Graph, svc: Svc) -> Outcome:
    early, exposure = _pre(graph, svc)
    if early is not None:
        return early
    ns = svc.obj.ns
    entry = _entry_text(svc, exposure)
    paths, own = graph.paths_through(svc)
    if own:
        return Outcome("pass", f"{entry} is the backend of {own[0].text(ns)}: the cloud load balancer of that "
                               "Ingress reaches the pods through the node ports")
    if paths:
        p = paths[0]
        return Outcome("pass", f"not applicable: {entry} selects {_wl_text(p.wl, ns)}, which is served through "
                               f"{_route_text(p, ns)}; the direct path is judged by the gateway-bypass check")
    external = [t for t, _ in exposure if t.startswith("externalIPs")]
    internal = internal_reason(svc) if svc.type == "LoadBalancer" else None
    if internal and not external:
        return Outcome("pass", f"{entry} is an internal load balancer ({internal}): reachable from the private "
                               "network only, not from the internet (its node ports, if allocated, are reachable "
                               "wherever the nodes are)")
    wls = graph.select(svc)
    target = ", ".join(w.obj.ref for w in wls[:3]) + (f" (+{len(wls) - 3} more)" if len(wls) > 3 else "") if wls \
        else f"pods {show_labels(svc.selector) if isinstance(svc.selector, dict) else ''}"
    msg = (f"exposed without a gateway: {entry} → {target}; no Ingress, Gateway API route, Istio "
           "VirtualService or other gateway route reaches these pods, so requests skip the gateway's "
           "authentication, TLS, rate limiting and logging")
    return Outcome("fail", msg, tuple(Detail(path, text) for text, path in exposure))
