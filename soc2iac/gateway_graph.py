"""The gateway graph of one scan: gateway routes → Services → workloads, which Services and pods
are gateways, and which NetworkPolicies admit whom. Built once per scan (the engine's index
holds it) and queried by the ``gateway_bypass`` check kind, which makes the verdicts.

* **routes → Services**: each gateway route's Service backends, read per product by
  :mod:`soc2iac.gateway_routes` (Ingress, Gateway API routes, Istio VirtualServices bound to a
  gateway, Traefik IngressRoutes, Contour HTTPProxies);
* **Services → workloads**: the Service selector (a matchLabels-style map) against the pod
  template labels of workloads in the same namespace, through an index keyed by
  ``(namespace, label, value)``: every lookup starts from the smallest bucket of one
  selector pair, so no loop runs over all pairs of objects, and nothing crosses namespaces.

Objects come from manifests, live clusters, Terraform ``kubernetes_*`` resources and
``kubernetes_manifest``, all in the Kubernetes shape (:mod:`soc2iac.parsers.k8s_shape`).
Manifests without a namespace share the namespace "" (they are applied to one namespace
together). Terraform references to another resource's literal attribute are followed.

The gateway's own Services and pods are recognised by the labels of common controllers and by
the selectors of Istio Gateways (product knowledge in ``soc2iac/data/gateways.yaml``), or
declared by the user (``gateways`` in ``.soc2iac.yaml``). How a Service or workload is reachable
from outside the cluster (NodePort, LoadBalancer, externalIPs, hostPort, hostNetwork) is
described here too, as facts for the kind to judge.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from soc2iac.gateway_data import gateway_data
from soc2iac.gateway_routes import route_backends
from soc2iac.label_selector import Labels, UnknownValue, label_map, label_selector, scalar, show_labels, subset
from soc2iac.model import Ref, Resource, Unknown, resolve
from soc2iac.parsers.k8s_shape import POD_META_PATHS, POD_SPEC_PATHS, K8sObject, get_path, to_k8s


# ---------------------------------------------------------------------------------------------
# Environments: which manifests are deployed together


def environments(resources: Sequence[Resource], mode: str = "folders") -> dict[int, str]:
    """The environment of each manifest resource (``id(resource)`` -> name); empty when the scan
    is one environment.

    Rule (``mode`` "folders", the default; "one" keeps the scan together): manifests are grouped
    by their top folder under the folder all scanned manifests share (files directly in it form
    the folder "."). Folders that define the same object (kind, namespace, name) are deployment
    variants of one application (``kubernetes-manifests``, ``release``, ``kustomize`` of one
    repository) and are separate environments; folders that define different objects are
    applied together (Istio's samples keep the app in ``platform/`` and its routing in
    ``networking/``) and share one, taken in folder order: a folder joins the first environment
    none of whose objects it redefines. A kustomization that names another folder
    (``resources``, ``bases``, ``components``) always joins that folder to its own, since
    kustomize deploys them together. The environment is named by its folders joined with "+".
    Only manifests (source ``kubernetes``) are grouped: live clusters and Terraform stay in the
    unnamed environment, with everything else."""
    import os
    import posixpath

    if mode == "one":
        return {}
    files = {id(r): r.location.file.replace(os.sep, "/") for r in resources if r.source == "kubernetes"
             and r.location.file and not r.location.file.startswith("<")}
    dirs = {posixpath.dirname(f) for f in files.values()}
    if len(dirs) < 2:
        return {}
    try:
        common = posixpath.commonpath(list(dirs))
    except ValueError:  # absolute and relative paths mixed: no shared folder
        return {}

    def top(folder: str) -> str:
        rel = posixpath.relpath(folder, common) if folder != common else "."
        return "." if rel == "." or rel.startswith("..") else rel.split("/")[0]

    top_of = {rid: top(posixpath.dirname(f)) for rid, f in files.items()}
    parent: dict[str, str] = {t: t for t in top_of.values()}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    objects: dict[str, set[str]] = defaultdict(set)
    for r in resources:
        if id(r) not in files:
            continue
        if r.type not in ("Kustomization", "Component"):
            objects[top_of[id(r)]].add(r.address)
            continue
        here = posixpath.dirname(files[id(r)])
        for key in ("resources", "bases", "components"):
            entries = r.attributes.get(key)
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, str) and "://" not in entry and not entry.startswith("git@"):
                    target = posixpath.normpath(posixpath.join(here, entry))
                    folder = posixpath.dirname(target) if "." in posixpath.basename(target) else target
                    a, b = find(top_of[id(r)]), find(top(folder))
                    if a != b:
                        parent[max(a, b)] = min(a, b)
    groups: dict[str, set[str]] = defaultdict(set)  # joined by kustomizations
    for t in parent:
        groups[find(t)].add(t)
    envs: list[tuple[set[str], set[str]]] = []  # (folders, objects) of each environment
    for members in sorted(groups.values(), key=min):
        mine = set().union(*(objects[t] for t in members))
        env = next((e for e in envs if not (e[1] & mine)), None)
        if env is None:
            envs.append((set(members), mine))
        else:
            env[0].update(members)
            env[1].update(mine)
    if len(envs) < 2:
        return {}
    name = {t: "+".join(sorted(folders)) for folders, _ in envs for t in folders}
    return {rid: name[t] for rid, t in top_of.items()}


# ---------------------------------------------------------------------------------------------
# The graph's nodes


@dataclass(eq=False)
class Svc:
    """A Service: its type, selector (None: none), labels and annotations."""

    obj: K8sObject
    type: str | UnknownValue
    selector: Labels | None | UnknownValue
    labels: Labels
    annotations: Mapping[str, Any]


@dataclass(eq=False)
class Wl:
    """A workload (or a Pod): its pod labels, and whether a controller owns it (a ReplicaSet of a Deployment)."""

    obj: K8sObject
    labels: Labels | UnknownValue
    owned: bool
    pseudo: bool = False  # pods known only by the selectors that select them


@dataclass(frozen=True, eq=False)
class RouteRef:
    """A gateway route, with the hosts it serves a backend for."""

    obj: K8sObject
    hosts: str
    via_node_ports: bool = False  # a cloud load balancer may reach its NodePort backends through node ports

    def text(self, ns: str) -> str:
        return f"{self.obj.ref_from(ns)} ({self.hosts})"


@dataclass(eq=False)
class Path:
    """A workload that a gateway route reaches, through the route's backend Service."""

    wl: Wl
    route: RouteRef
    backend: Svc


@dataclass
class Mitigation:
    """Whether NetworkPolicies admit ingress to a workload only from the gateway, and why."""

    verdict: bool | None  # True: only the gateway is admitted
    reason: str


@dataclass
class Gateways:
    """The Services, workloads, pod label sets and namespaces that are gateways', each with why."""

    svc: dict[int, str] = field(default_factory=dict)  # id(Svc) -> why it is a gateway Service
    wl: dict[int, str] = field(default_factory=dict)
    pods: dict[str, list[tuple[Labels, str]]] = field(default_factory=lambda: defaultdict(list))  # ns -> label sets
    namespaces: dict[str, str] = field(default_factory=dict)


class Graph:
    """The service/route/workload graph of one scan, for one set of declared gateways.

    ``lookup`` finds a resource by address (to follow Terraform references)."""

    def __init__(self, resources: Sequence[Resource], gateways: Sequence[Mapping[str, Any]],
                 lookup: Callable[[str], Resource | None], *, environment: str = "") -> None:
        self.lookup = lookup
        self.environment = environment  # "": the scan's only environment
        self.objs: dict[int, K8sObject] = {}
        self.services: dict[int, Svc] = {}
        self.svc_by_key: dict[tuple[str, str], list[Svc]] = defaultdict(list)
        self.workloads: dict[int, Wl] = {}
        self.wl_index: dict[tuple[str, str, str], list[Wl]] = defaultdict(list)
        self.wl_global: dict[tuple[str, str], list[Wl]] = defaultdict(list)
        self.svc_global: dict[tuple[str, str], list[Svc]] = defaultdict(list)
        self.backends: dict[tuple[str, str], list[RouteRef]] = defaultdict(list)
        self.reach: dict[int, list[tuple[RouteRef, Svc]]] = defaultdict(list)
        self.routed_sel: dict[tuple[str, str, str], list[Svc]] = defaultdict(list)
        self.netpols: dict[str, list[K8sObject]] = defaultdict(list)
        self.namespaces: dict[str, Labels] = {}
        self.selector_gateways: list[tuple[K8sObject, Labels, str]] = []
        self.by_kind: dict[str, list[K8sObject]] = defaultdict(list)  # every object, for policies attached to routes
        data = gateway_data()
        routes: list[K8sObject] = []
        for res in resources:
            try:
                obj = to_k8s(res, data.terraform_kinds)
            except RecursionError:  # nested too deeply: left out of the graph
                continue
            if obj is None:
                continue
            self.objs[id(res)] = obj
            if not obj.known:
                continue
            kind = obj.kind
            self.by_kind[kind].append(obj)
            if kind == "Service":
                self._add_service(obj)
            elif kind in POD_META_PATHS:
                self._add_workload(obj)
            elif kind == "NetworkPolicy":
                self.netpols[obj.ns].append(obj)
            elif kind == "Namespace":
                labels = label_map(get_path(obj.body, "metadata.labels"))
                self.namespaces[obj.name] = labels if isinstance(labels, dict) else {}
            elif (product := _selector_gateway(obj)) is not None:
                sel = label_map(get_path(obj.body, "spec.selector"))
                if isinstance(sel, dict) and sel:
                    self.selector_gateways.append((obj, sel, product))
            elif kind in data.routes:
                routes.append(obj)
        for route in routes:
            for ns, name, hosts in self._backends(route):
                self.backends[(ns, name)].append(RouteRef(route, hosts, data.routes[route.kind].via_node_ports))
        for (ns, name), refs in self.backends.items():
            for svc in self.svc_by_key.get((ns, name), []):
                if isinstance(svc.selector, dict) and svc.selector:
                    for k, v in svc.selector.items():
                        self.routed_sel[(ns, k, v)].append(svc)
                for wl in self.select(svc):
                    for ref in refs:
                        self.reach[id(wl)].append((ref, svc))
        self.gw = self._gateways(gateways)

    # -- building

    def _deref(self, value: Any) -> Any:
        """A Terraform reference to another resource's literal attribute, replaced by that value
        (``kubernetes_service_v1.web.metadata[0].name``, ``...template[0].metadata[0].labels``)."""
        if isinstance(value, Ref) and value.attribute:
            target = self.lookup(value.address)
            if target is not None:
                found = [v for _, v in resolve(target.attributes, value.attribute)]
                if len(found) == 1 and not isinstance(found[0], Unknown):
                    return found[0]
        return value

    def _backends(self, route: K8sObject) -> Iterator[tuple[str, str, str]]:
        """(namespace, Service name, hosts) for each Service backend of a gateway route."""
        for ns, name, hosts in route_backends(route):
            name = self._deref(name)
            if isinstance(name, str):
                yield ns, name, hosts

    def _add_service(self, obj: K8sObject) -> None:
        spec = obj.body.get("spec")
        spec = spec if isinstance(spec, Mapping) else {}
        raw_type = spec.get("type", "ClusterIP")
        stype: str | UnknownValue = raw_type if isinstance(raw_type, str) else UnknownValue(f"spec.type is {raw_type}")
        labels = label_map(get_path(obj.body, "metadata.labels"))
        ann = get_path(obj.body, "metadata.annotations")
        svc = Svc(obj, stype, label_map(self._deref(spec.get("selector"))),
                  labels if isinstance(labels, dict) else {}, ann if isinstance(ann, Mapping) else {})
        self.services[id(obj.res)] = svc
        self.svc_by_key[(obj.ns, obj.name)].append(svc)
        if isinstance(svc.selector, dict):
            for kv in svc.selector.items():
                self.svc_global[kv].append(svc)

    def _add_workload(self, obj: K8sObject) -> None:
        labels = label_map(self._deref(get_path(obj.body, POD_META_PATHS[obj.kind] + ".labels")))
        owners = get_path(obj.body, "metadata.ownerReferences")
        owned = isinstance(owners, list) and any(isinstance(o, Mapping) and o.get("controller") for o in owners)
        wl = Wl(obj, labels if labels is not None else {}, owned)
        self.workloads[id(obj.res)] = wl
        if isinstance(wl.labels, dict):
            for k, v in wl.labels.items():
                self.wl_index[(obj.ns, k, v)].append(wl)
                self.wl_global[(k, v)].append(wl)

    def _gateways(self, declared: Sequence[Mapping[str, Any]]) -> Gateways:
        data = gateway_data()
        gw = Gateways()

        def mark_svc(svc: Svc, why: str) -> None:
            gw.svc.setdefault(id(svc), why)
            gw.namespaces.setdefault(svc.obj.ns, why)
            if isinstance(svc.selector, dict) and svc.selector:
                gw.pods[svc.obj.ns].append((svc.selector, why))

        def mark_wl(wl: Wl, why: str) -> None:
            gw.wl.setdefault(id(wl), why)
            gw.namespaces.setdefault(wl.obj.ns, why)
            if isinstance(wl.labels, dict) and wl.labels:
                gw.pods[wl.obj.ns].append((wl.labels, why))

        for entry in declared:
            ns = str(entry.get("namespace", ""))
            why = "declared under gateways in .soc2iac.yaml"
            gw.namespaces[ns] = why
            if entry.get("name"):
                for svc in self.svc_by_key.get((ns, str(entry["name"])), []):
                    mark_svc(svc, why)
            sel = entry.get("selector")
            if isinstance(sel, Mapping) and sel:
                labels = {str(k): str(v) for k, v in sel.items()}
                gw.pods[ns].append((labels, why))
                for svc in self.services.values():  # a few declared entries, each one pass over Services
                    if svc.obj.ns == ns and (subset(labels, svc.labels) or (
                            isinstance(svc.selector, dict) and svc.selector and subset(labels, svc.selector))):
                        mark_svc(svc, why)
                first = next(iter(labels.items()))
                for wl in self.wl_index.get((ns, *first), []):
                    if isinstance(wl.labels, dict) and subset(labels, wl.labels):
                        mark_wl(wl, why)
        for svc in self.services.values():
            sel = svc.selector if isinstance(svc.selector, dict) else {}
            known = data.controller(svc.labels, svc.obj.ns) or data.controller(sel, svc.obj.ns)
            if known:
                mark_svc(svc, known)
        for wl in self.workloads.values():
            meta = label_map(get_path(wl.obj.body, "metadata.labels"))
            known = (data.controller(wl.labels, wl.obj.ns) if isinstance(wl.labels, dict) else None) or (
                data.controller(meta, wl.obj.ns) if isinstance(meta, dict) else None)
            if known:
                mark_wl(wl, known)
        for gobj, sel, product in self.selector_gateways:  # the pods an Istio Gateway configures are gateway pods
            why = f"selected by {product} {gobj.kind} {gobj.ns}/{gobj.name}"
            pair = next(iter(sel.items()))
            for svc in self.svc_global.get(pair, []):
                if isinstance(svc.selector, dict) and subset(sel, svc.selector):
                    mark_svc(svc, why)
            for wl in self.wl_global.get(pair, []):
                if isinstance(wl.labels, dict) and subset(sel, wl.labels):
                    mark_wl(wl, why)
        for ns, product in data.gateway_namespaces.items():
            gw.namespaces.setdefault(ns, f"the default namespace of {product}")
        return gw

    # -- queries

    def select(self, svc: Svc) -> list[Wl]:
        """Workloads in the Service's namespace whose pod labels match its selector."""
        sel = svc.selector
        if not isinstance(sel, dict) or not sel:
            return []
        ns = svc.obj.ns
        buckets = [self.wl_index.get((ns, k, v), []) for k, v in sel.items()]
        smallest = min(buckets, key=len)
        found = [wl for wl in smallest if isinstance(wl.labels, dict) and subset(sel, wl.labels)]
        top = [wl for wl in found if not wl.owned]
        return top or found

    def paths_through(self, svc: Svc) -> tuple[list[Path], list[RouteRef]]:
        """Bypass paths from ``svc`` to workloads a gateway route reaches, and the routes for which
        ``svc`` is itself the (NodePort) backend."""
        own: list[RouteRef] = []
        paths: list[Path] = []
        nodeport_only = svc.type == "NodePort" and not _external_ips(svc.obj)
        wls = self.select(svc)
        for wl in wls:
            for ref, backend in self.reach.get(id(wl), []):
                if backend is svc and nodeport_only and ref.via_node_ports:
                    own.append(ref)
                else:
                    paths.append(Path(wl, ref, backend))
        if not wls and isinstance(svc.selector, dict) and svc.selector:
            # no workload in the scan: pods selected by a routed Service whose selector includes ours
            sel = svc.selector
            routed: list[list[Svc]] = [self.routed_sel.get((svc.obj.ns, k, v), []) for k, v in sel.items()]
            smallest: list[Svc] = min(routed, key=len)
            for other in dict.fromkeys(smallest):
                if not isinstance(other.selector, dict) or not subset(sel, other.selector):
                    continue
                labels = {**other.selector, **sel}
                pods = Wl(K8sObject(svc.obj.res, "pods", svc.obj.ns, show_labels(labels), {}), labels, False, pseudo=True)
                for ref in self.backends.get((other.obj.ns, other.obj.name), []):
                    if other is svc and nodeport_only and ref.via_node_ports:
                        own.append(ref)
                    else:
                        paths.append(Path(pods, ref, other))
        return paths, list(dict.fromkeys(own))

    def mitigation(self, wl: Wl) -> Mitigation:
        """Whether NetworkPolicies admit ingress to ``wl`` only from the gateway."""
        ns = wl.obj.ns
        if not isinstance(wl.labels, dict):
            return Mitigation(None, f"the pod labels of {wl.obj.ref} cannot be known statically")
        applying: list[K8sObject] = []
        for np in self.netpols.get(ns, []):
            sel = label_selector(get_path(np.body, "spec.podSelector"))
            if isinstance(sel, UnknownValue):
                return Mitigation(None, f"the podSelector of NetworkPolicy {np.name}: {sel.reason}")
            hit = sel.matches(wl.labels)
            if hit is None:
                return Mitigation(None, f"NetworkPolicy {np.name} uses an unsupported selector operator")
            if hit and _governs_ingress(np):
                applying.append(np)
        what = "its pods" if wl.pseudo else wl.obj.ref
        if not applying:
            return Mitigation(False, f"no NetworkPolicy in namespace {_ns(ns)} selects {what} for ingress, "
                                     "so every source is admitted")
        reasons: list[str] = []
        for np in applying:
            rules = get_path(np.body, "spec.ingress")
            if rules is None:
                rules = []
            if not isinstance(rules, list):
                return Mitigation(None, f"the ingress rules of NetworkPolicy {np.name} cannot be known statically")
            for i, rule in enumerate(rules):
                peers = rule.get("from") if isinstance(rule, Mapping) else None
                if isinstance(peers, (Unknown, UnknownValue)) or (peers is not None and not isinstance(peers, list)):
                    return Mitigation(None, f"NetworkPolicy {np.name} ingress[{i}].from cannot be known statically")
                if not peers:
                    return Mitigation(False, f"NetworkPolicy {np.name} admits ingress from any source "
                                             f"(ingress[{i}] has no from)")
                for peer in peers:
                    ok, why = self._peer_is_gateway(peer, ns)
                    if ok is not True:
                        return Mitigation(ok, f"NetworkPolicy {np.name} ingress[{i}] admits {why}")
                    reasons.append(why)
        names = ", ".join(np.name for np in applying)
        if not reasons:
            return Mitigation(True, f"NetworkPolicy {names} denies all ingress to {what}")
        shown = "; ".join(dict.fromkeys(reasons))
        return Mitigation(True, f"NetworkPolicy {names} admits ingress to {what} only from the gateway ({shown})")

    def _peer_is_gateway(self, peer: Any, ns: str) -> tuple[bool | None, str]:
        if not isinstance(peer, Mapping):
            return None, "a peer that cannot be known statically"
        if peer.get("ipBlock") is not None:
            cidr = get_path(peer, "ipBlock.cidr")
            return False, f"ipBlock {cidr}, addresses that are not the gateway's pods"
        raw_ns, raw_pod = peer.get("namespaceSelector"), peer.get("podSelector")
        pod = label_selector(raw_pod)
        if isinstance(pod, UnknownValue):
            return None, f"a peer whose podSelector cannot be known statically"
        if raw_ns is not None:
            nsel = label_selector(raw_ns)
            if isinstance(nsel, UnknownValue):
                return None, "a peer whose namespaceSelector cannot be known statically"
            pinned = nsel.pinned("kubernetes.io/metadata.name")
            if pinned is None:
                pinned = nsel.pinned("name")
            if pinned is not None:
                bad = sorted(n for n in pinned if n not in self.gw.namespaces)
                if bad:
                    return False, f"namespace {', '.join(bad)}, which is not a gateway namespace"
                return True, "namespace " + ", ".join(f"{n}: {self.gw.namespaces[n]}" for n in sorted(pinned))
            if nsel.empty:
                return False, "pods of every namespace" + (f" matching {pod}" if not pod.empty else "")
            matched = [n for n, labels in self.namespaces.items() if nsel.matches(labels)]
            if matched and all(n in self.gw.namespaces for n in matched):
                return True, f"namespaces matching {nsel} ({', '.join(sorted(matched))}, among the Namespaces scanned)"
            return False, f"namespaces matching {nsel}, not known to be only gateway namespaces"
        if pod.empty:
            return False, f"every pod of namespace {_ns(ns)}"
        for labels, why in self.gw.pods.get(ns, []):
            if pod.matches(labels):
                return True, f"gateway pods {pod} in namespace {_ns(ns)}: {why}"
        return False, f"pods matching {pod} in namespace {_ns(ns)}, which are not recognised gateway pods"


def _selector_gateway(obj: K8sObject) -> str | None:
    """The product whose gateway pods ``obj`` selects (an Istio Gateway), or None."""
    api = str(obj.body.get("apiVersion", ""))
    for g in gateway_data().selector_gateways:
        if obj.kind == g.kind and g.api_version_contains in api:
            return g.product
    return None


def _ns(ns: str) -> str:
    return ns or "(none given)"


def _governs_ingress(np: K8sObject) -> bool:
    types = get_path(np.body, "spec.policyTypes")
    if isinstance(types, list) and types:
        return "Ingress" in types
    return True  # without policyTypes, Ingress is always included


def _external_ips(obj: K8sObject) -> list[str]:
    ips = get_path(obj.body, "spec.externalIPs")
    return [str(ip) for ip in ips if scalar(ip) is not None] if isinstance(ips, list) else []


# ---------------------------------------------------------------------------------------------
# Exposure of a Service or a workload


def service_entries(svc: Svc) -> list[tuple[str, str]] | UnknownValue:
    """How a Service is reachable from outside the cluster: (text, attribute path) per way."""
    if isinstance(svc.type, UnknownValue):
        return svc.type
    obj = svc.obj
    ports = get_path(obj.body, "spec.ports")
    ports = [p for p in ports if isinstance(p, Mapping)] if isinstance(ports, list) else []
    node_ports = [str(p["nodePort"]) for p in ports if scalar(p.get("nodePort")) not in (None, "0")]
    service_ports = [str(p.get("port")) for p in ports if scalar(p.get("port")) is not None]
    out: list[tuple[str, str]] = []
    if svc.type == "NodePort":
        text = f"NodePort {', '.join(node_ports)}" if node_ports else (
            f"NodePort, node port allocated for port {', '.join(service_ports)}" if service_ports else "NodePort")
        out.append((text, obj.attr("spec.type")))
    elif svc.type == "LoadBalancer":
        alloc = get_path(obj.body, "spec.allocateLoadBalancerNodePorts")
        text = "LoadBalancer" + (f" port {', '.join(service_ports)}" if service_ports else "")
        if alloc is False or (isinstance(alloc, str) and alloc.lower() == "false"):
            text += ", no node ports"
        elif node_ports:
            text += f", node port {', '.join(node_ports)}"
        else:
            text += ", node ports allocated"
        internal = internal_reason(svc)
        if internal:
            text += ", internal"
        out.append((text, obj.attr("spec.type")))
    ips = _external_ips(obj)
    if ips:
        out.append((f"externalIPs {', '.join(ips)}", obj.attr("spec.externalIPs")))
    return out


def internal_reason(svc: Svc) -> str | None:
    """Why a LoadBalancer Service is internal (private network only), or None."""
    for key, values in gateway_data().internal_lb_annotations:
        raw = svc.annotations.get(key)
        v = scalar(raw)
        if v is None:
            continue
        if (values is None and v.strip().lower() not in ("", "false")) or (values and v.strip().lower() in values):
            return f"annotation {key}: {v}"
    ranges = get_path(svc.obj.body, "spec.loadBalancerSourceRanges")
    if isinstance(ranges, list) and ranges and all(isinstance(r, str) for r in ranges):
        try:
            if all(ipaddress.ip_network(r.strip(), strict=False).is_private for r in ranges):
                return f"loadBalancerSourceRanges admit only private ranges ({', '.join(ranges)})"
        except ValueError:
            return None
    return None


def host_entries(wl: Wl) -> list[tuple[str, str]]:
    """How a workload's pods are reachable on their nodes (hostNetwork, hostPort): (text, attribute path) per way."""
    spec_path = POD_SPEC_PATHS[wl.obj.kind]
    spec = get_path(wl.obj.body, spec_path)
    if not isinstance(spec, Mapping):
        return []
    out: list[tuple[str, str]] = []
    if spec.get("hostNetwork") is True or str(spec.get("hostNetwork")).lower() == "true":
        out.append(("hostNetwork", wl.obj.attr(f"{spec_path}.hostNetwork")))
    for group in ("containers", "initContainers"):
        for i, c in enumerate(spec.get(group) or []):
            for j, port in enumerate((c.get("ports") or []) if isinstance(c, Mapping) else []):
                if isinstance(port, Mapping) and scalar(port.get("hostPort")) not in (None, "0"):
                    out.append((f"hostPort {port['hostPort']}",
                                wl.obj.attr(f"{spec_path}.{group}[{i}].ports[{j}].hostPort")))
    return out
