"""Check kind ``gateway_route_policy``: is an Istio or Gateway API route authenticated, or rate
limited, by the policy objects that attach to it?

Neither Istio's VirtualService nor Gateway API's HTTPRoute/GRPCRoute says anything about
authentication or rate limits: separate objects attach to the route, its gateway or its
backends. This kind finds them in the scan's gateway graph and decides, per product:

**Istio** (a VirtualService bound to a gateway; a Gateway API route too, since Istio also
implements Gateway API). An ``AuthorizationPolicy`` applies to a workload when it sits in the
root namespace (``istio_root_namespace``, default istio-system) without selector (mesh-wide),
in the workload's namespace without selector (namespace-wide), or in that namespace with a
``selector.matchLabels`` that the workload's labels include (in the root namespace, a
selector applies in every namespace); ``targetRef(s)`` name a Gateway or Service directly.
The route is authenticated when such a policy applies to the ingress gateway's pods (those an
Istio ``Gateway`` selects) or to the pods of every backend Service, and it requires an
authenticated caller: ``ALLOW`` whose every rule needs ``from.source.requestPrincipals`` or a
``request.auth.*`` condition, ``DENY`` for ``notRequestPrincipals: ["*"]``, or ``CUSTOM``
(an external authorizer). Rate limiting has no Istio API: an ``EnvoyFilter`` inserting
``local_ratelimit`` or ``ratelimit`` into the gateway's or a backend's proxies (same scoping
by ``workloadSelector``) counts; without one the verdict is unknown, since a limit may sit in
front of the mesh (cloud load balancer, WAF) where no manifest shows it.

**Gateway API**. Core Gateway API has neither field, so implementation policies decide:
Envoy Gateway ``SecurityPolicy`` (``jwt``, ``oidc``, ``basicAuth``, ``apiKeyAuth``,
``extAuth``) and ``BackendTrafficPolicy`` (``rateLimit``) targeting the route or its parent
Gateway; Kong plugins named by the route's ``konghq.com/plugins`` annotation (``KongPlugin``
in its namespace, ``KongClusterPlugin``) or global KongClusterPlugins
(label ``global: "true"``); Istio as above. When nothing attaches, the route fails if its
implementation is known (a parent Gateway of a known ``gatewayClassName``, or implementation
policies of that product elsewhere in the scan) and that product has a standard object for
what is required; otherwise it is unknown with the reason.

Objects whose namespace or name cannot be known statically are left out by the graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from soc2iac.checks.base import Context, Detail, Outcome
from soc2iac.checks.gateway_bypass import in_environment
from soc2iac.gateway_data import gateway_data
from soc2iac.gateway_graph import Graph
from soc2iac.gateway_routes import is_mesh_parent, route_backends
from soc2iac.label_selector import label_map, subset
from soc2iac.model import Resource
from soc2iac.parsers.k8s_shape import K8sObject, get_path

SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "require"],
    "properties": {
        "kind": {"const": "gateway_route_policy"},
        "require": {"enum": ["authentication", "rate_limit"]},
        "istio_root_namespace": {"type": "string", "minLength": 1,
                                 "description": "Istio's root namespace (mesh-wide policies); default istio-system."},
        "kong_plugins": {"type": "array", "items": {"type": "string"},
                         "description": "Kong plugins that provide what is required."},
    },
}

_ENVOY_GATEWAY_AUTH = ("jwt", "oidc", "basicAuth", "apiKeyAuth", "extAuth")
_ENVOY_RATE_LIMIT_FILTERS = ("local_ratelimit", "envoy.filters.http.ratelimit", "ratelimit.v3.RateLimit")
_GATEWAY_API = "gateway.networking.k8s.io"


@dataclass(frozen=True)
class Target:
    """Pods a policy must apply to: in namespace ``ns`` with pod labels ``labels`` (None: unknown)."""

    ns: str
    labels: Mapping[str, str] | None
    what: str  # "the gateway pods istio=ingressgateway", "pods of Service shop/web"
    services: tuple[str, ...] = ()  # Service names (targetRefs of kind Service)
    gateways: tuple[str, ...] = ()  # Gateway names (targetRefs of kind Gateway)


def evaluate(resource: Resource, check: Mapping[str, Any], ctx: Context) -> Outcome | None:
    graph = ctx.gateway_graph([], resource)
    return in_environment(graph, _evaluate(graph, resource, check))


def _evaluate(graph: Graph, resource: Resource, check: Mapping[str, Any]) -> Outcome | None:
    route = graph.objs.get(id(resource))
    if route is None or not route.known:
        return None
    require = check["require"]
    root = str(check.get("istio_root_namespace") or "istio-system")
    kong_plugins = frozenset(check.get("kong_plugins") or ())
    api = str(route.body.get("apiVersion", ""))
    if route.kind == "VirtualService" and "istio" in api:
        gws = _istio_gateways(route)
        if not gws:
            return None  # mesh-only routing (sidecars): not a gateway route
        targets = _istio_gateway_targets(graph, route, gws, root) + _backend_targets(graph, route)
        return _istio(graph, route, targets, root, require, product_known=True)
    if _GATEWAY_API in api and route.kind in ("HTTPRoute", "GRPCRoute"):
        parents = [p for p in _spec(route).get("parentRefs") or [] if isinstance(p, Mapping)]
        if not parents or all(is_mesh_parent(p) for p in parents):
            return None  # GAMMA mesh route (Service or ServiceImport parents), not a gateway route
        return _gateway_api(graph, route, parents, root, require, kong_plugins)
    return None


# -- Istio ---------------------------------------------------------------------------------------

def _istio_gateways(route: K8sObject) -> list[tuple[str, str]]:
    gws = get_path(route.body, "spec.gateways")
    out = []
    for g in gws if isinstance(gws, list) else []:
        if isinstance(g, str) and g != "mesh":
            ns, _, name = g.rpartition("/")
            out.append((ns or route.ns, name))
    return out


def _istio_gateway_targets(graph: Graph, route: K8sObject, gws: Sequence[tuple[str, str]], root: str) -> list[Target]:
    out = []
    for ns, name in gws:
        for gobj, sel, _product in graph.selector_gateways:
            if gobj.ns == ns and gobj.name == name:
                for pod_ns in _pod_namespaces(graph, sel, root):
                    out.append(Target(pod_ns, sel, f"the gateway pods of Gateway {ns or '(none given)'}/{name} "
                                                   f"({', '.join(f'{k}={v}' for k, v in sel.items())})"))
    return out


def _pod_namespaces(graph: Graph, sel: Mapping[str, str], default: str) -> list[str]:
    """Where pods with labels ``sel`` run: namespaces of scanned workloads or Services that match, else
    ``default`` (the root namespace, where Istio installs its ingress gateway: only root-namespace
    policies then count for them, which apply in every namespace)."""
    found = {wl.obj.ns for wl in graph.wl_global.get(next(iter(sel.items())), [])
             if isinstance(wl.labels, dict) and subset(sel, wl.labels)}
    found |= {svc.obj.ns for svc in graph.svc_global.get(next(iter(sel.items())), [])
              if isinstance(svc.selector, dict) and subset(sel, svc.selector)}
    return sorted(found) or [default]


def _backend_targets(graph: Graph, route: K8sObject) -> list[Target]:
    out = []
    for ns, name, _hosts in route_backends(route):
        if not isinstance(name, str):
            continue
        svcs = graph.svc_by_key.get((ns, name), [])
        sel = svcs[0].selector if svcs and isinstance(svcs[0].selector, dict) else None
        out.append(Target(ns, sel, f"the pods of Service {ns + '/' if ns else ''}{name}", services=(name,)))
    return out


def _applies(graph: Graph, pol: K8sObject, t: Target, root: str, selector_key: str) -> bool | None:
    """Whether an Istio policy (AuthorizationPolicy, EnvoyFilter) applies to ``t``'s pods (None: cannot tell)."""
    spec = _spec(pol)
    refs = [r for r in (spec.get("targetRefs") or []) if isinstance(r, Mapping)]
    if isinstance(spec.get("targetRef"), Mapping):
        refs.append(spec["targetRef"])
    if refs:
        return pol.ns == t.ns and any(
            (r.get("kind") == "Service" and r.get("name") in t.services)
            or (r.get("kind") == "Gateway" and r.get("name") in t.gateways) for r in refs)
    if pol.ns not in (root, t.ns):
        return False
    raw = get_path(spec, selector_key)
    if raw is None:
        return True  # mesh-wide (root namespace) or namespace-wide
    sel = label_map(raw)
    if not isinstance(sel, dict):
        return None
    if not sel:
        return True
    if t.labels is None:
        return None
    if subset(sel, t.labels):
        return True
    # the Service selector is a subset of the pod labels: look at the pods themselves
    pods = [wl.labels for wl in graph.wl_index.get((t.ns, *next(iter(t.labels.items()))), [])
            if isinstance(wl.labels, dict) and subset(t.labels, wl.labels)] if t.labels else []
    return any(subset(sel, labels) for labels in pods)


def _authz_requires_caller(pol: K8sObject) -> str | None:
    """Why an AuthorizationPolicy rejects requests without an authenticated caller, or None."""
    spec = _spec(pol)
    action = spec.get("action", "ALLOW")
    rules = [r for r in spec.get("rules") or [] if isinstance(r, Mapping)]
    if action == "CUSTOM":
        return f"CUSTOM action (external authorizer {get_path(spec, 'provider.name')!r})"
    if action == "ALLOW" and "rules" in spec and not rules:
        return "ALLOW with no rules (denies every request)"
    if action == "ALLOW" and rules and all(_rule_needs_principal(r) for r in rules):
        return "every ALLOW rule requires a request principal (a validated JWT)"
    if action == "DENY":
        for r in rules:
            for f in r.get("from") or []:
                if isinstance(f, Mapping) and "*" in (get_path(f, "source.notRequestPrincipals") or []):
                    return "DENY requests without a request principal"
    return None


def _rule_needs_principal(rule: Mapping[str, Any]) -> bool:
    froms = [f for f in rule.get("from") or [] if isinstance(f, Mapping)]
    if froms and all(get_path(f, "source.requestPrincipals") for f in froms):
        return True
    return any(isinstance(w, Mapping) and str(w.get("key", "")).startswith("request.auth.")
               for w in rule.get("when") or [])


def _envoyfilter_limits(pol: K8sObject) -> str | None:
    text = _strings(pol.body.get("spec"))
    return "inserts an Envoy rate limit filter" if any(m in text for m in _ENVOY_RATE_LIMIT_FILTERS) else None


def _strings(node: Any, depth: int = 0) -> str:
    if depth > 30:
        return ""
    if isinstance(node, Mapping):
        return " ".join(f"{k} {_strings(v, depth + 1)}" for k, v in node.items())
    if isinstance(node, list):
        return " ".join(_strings(v, depth + 1) for v in node)
    return str(node)


def _istio(graph: Graph, route: K8sObject, targets: Sequence[Target], root: str, require: str,
           product_known: bool) -> Outcome | None:
    if require == "authentication":
        kind, selector_key, judge = "AuthorizationPolicy", "selector.matchLabels", _authz_requires_caller
    else:
        kind, selector_key, judge = "EnvoyFilter", "workloadSelector.labels", _envoyfilter_limits
    policies = graph.by_kind.get(kind, [])
    gateway_side = [t for t in targets if not t.services]
    backends = [t for t in targets if t.services]
    unsure: list[str] = []

    def covering(t: Target) -> str | None:
        for pol in policies:
            why = judge(pol)
            if not why:
                continue
            hit = _applies(graph, pol, t, root, selector_key)
            if hit:
                return f"{kind} {pol.ns + '/' if pol.ns else ''}{pol.name} ({why}) applies to {t.what}"
            if hit is None:
                unsure.append(f"whether {kind} {pol.name} applies to {t.what} cannot be known statically")
        return None

    for t in gateway_side:
        found = covering(t)
        if found:
            return _pass(require, found)
    found_all = [covering(t) for t in backends]
    if backends and all(found_all):
        return _pass(require, "; ".join(dict.fromkeys(f for f in found_all if f)))
    places = ", ".join([t.what for t in gateway_side] + [t.what for t, f in zip(backends, found_all) if not f])
    places = places or "its gateway or backends (none found in the scan)"
    if unsure:
        return Outcome("unknown", unsure[0])
    if require == "authentication":
        return Outcome("fail", f"route without authentication: no AuthorizationPolicy requiring an authenticated "
                               f"caller (requestPrincipals, DENY notRequestPrincipals, or CUSTOM) applies mesh-wide "
                               f"({root}), to {places}", (Detail("spec", "no AuthorizationPolicy applies"),))
    if not product_known:
        return None
    return Outcome("unknown", f"Istio has no rate-limit API and no EnvoyFilter adding local_ratelimit or ratelimit "
                              f"applies mesh-wide ({root}) or to {places}; a limit in front of the mesh (cloud load "
                              "balancer, WAF) cannot be seen in manifests")


def _spec(obj: K8sObject) -> Mapping[str, Any]:
    spec = obj.body.get("spec")
    return spec if isinstance(spec, Mapping) else {}


def _pass(require: str, why: str) -> Outcome:
    word = "authenticated" if require == "authentication" else "rate limited"
    return Outcome("pass", f"{word}: {why}")


# -- Gateway API ---------------------------------------------------------------------------------

def _gateway_api(graph: Graph, route: K8sObject, parents: Sequence[Mapping[str, Any]], root: str, require: str,
                 kong_plugins: frozenset[str]) -> Outcome:
    parent_keys = [(str(p.get("namespace") or route.ns), str(p.get("name"))) for p in parents
                   if p.get("kind", "Gateway") == "Gateway"]
    found = _envoy_gateway(graph, route, parent_keys, require) or _kong(graph, route, require, kong_plugins)
    if found:
        return _pass(require, found)
    targets = [Target(ns, None, f"Gateway {ns + '/' if ns else ''}{name}", gateways=(name,)) for ns, name in parent_keys]
    targets += _backend_targets(graph, route)
    products = _implementations(graph, parent_keys)
    istio = _istio(graph, route, targets, root, require, product_known="Istio" in products)
    if istio is not None and istio.verdict == "pass":
        return istio
    what = "authentication" if require == "authentication" else "a rate limit"
    objects = ("Envoy Gateway SecurityPolicy, Kong authentication plugin or Istio AuthorizationPolicy"
               if require == "authentication" else
               "Envoy Gateway BackendTrafficPolicy rateLimit, Kong rate-limiting plugin or Istio EnvoyFilter")
    standard = {"Envoy Gateway", "Kong"} | ({"Istio"} if require == "authentication" else set())
    known = sorted(set(products) & standard)
    if known:
        return Outcome("fail", f"route without {what}: its implementation is {', '.join(known)} "
                               f"({'; '.join(products[p] for p in known)}), and no {objects} attaches to it, "
                               "its Gateway or its backends", (Detail("spec", f"no {what}"),))
    if istio is not None and istio.verdict == "unknown":
        return istio
    return Outcome("unknown", f"Gateway API has no {what.removeprefix('a ')} field of its own and no {objects} in the scan attaches to "
                              f"this route; which implementation serves it is not known from the scan "
                              f"({'no' if not parent_keys else 'no recognised gatewayClassName on the'} parent "
                              "Gateway), so whether it adds one elsewhere cannot be told")


def _targets_route(pol: K8sObject, route: K8sObject, parents: Sequence[tuple[str, str]]) -> bool:
    spec = _spec(pol)
    refs = [r for r in (spec.get("targetRefs") or []) if isinstance(r, Mapping)]
    if isinstance(spec.get("targetRef"), Mapping):
        refs.append(spec["targetRef"])
    for r in refs:
        if r.get("kind") == route.kind and r.get("name") == route.name and pol.ns == route.ns:
            return True
        if r.get("kind") == "Gateway" and (pol.ns, r.get("name")) in parents:
            return True
    return False


def _envoy_gateway(graph: Graph, route: K8sObject, parents: Sequence[tuple[str, str]], require: str) -> str | None:
    kind, fields = (("SecurityPolicy", _ENVOY_GATEWAY_AUTH) if require == "authentication"
                    else ("BackendTrafficPolicy", ("rateLimit",)))
    for pol in graph.by_kind.get(kind, []):
        spec = _spec(pol)
        has = [f for f in fields if spec.get(f)]
        if has and "gateway.envoyproxy.io" in str(pol.body.get("apiVersion", "")) and _targets_route(pol, route, parents):
            return f"Envoy Gateway {kind} {pol.name} ({', '.join(has)}) targets it"
    return None


def _kong(graph: Graph, route: K8sObject, require: str, wanted: Iterable[str]) -> str | None:
    """A Kong plugin of ``wanted`` that applies to every request of the route: named by the route's
    konghq.com/plugins annotation, global, or an ExtensionRef filter on every rule."""
    wanted = frozenset(wanted)
    plugins: dict[str, K8sObject] = {}
    global_: list[K8sObject] = []
    for obj in graph.by_kind.get("KongPlugin", []) + graph.by_kind.get("KongClusterPlugin", []):
        if obj.body.get("plugin") not in wanted or obj.body.get("disabled") is True:
            continue
        if obj.kind == "KongClusterPlugin" or obj.ns == route.ns:
            plugins.setdefault(obj.name, obj)
        labels = label_map(get_path(obj.body, "metadata.labels"))
        if obj.kind == "KongClusterPlugin" and isinstance(labels, dict) and labels.get("global") == "true":
            global_.append(obj)
    ann = get_path(route.body, "metadata.annotations")
    named = [n.strip() for n in str(ann.get("konghq.com/plugins", "")).split(",")] if isinstance(ann, Mapping) else []
    for name in named:
        if name in plugins:
            return f"Kong {plugins[name].kind} {name} (plugin {plugins[name].body.get('plugin')}, konghq.com/plugins annotation)"
    if global_:
        return f"Kong KongClusterPlugin {global_[0].name} (plugin {global_[0].body.get('plugin')}, global)"
    rules = [r for r in _spec(route).get("rules") or [] if isinstance(r, Mapping)]
    per_rule = [[get_path(f, "extensionRef.name") for f in r.get("filters") or []
                 if isinstance(f, Mapping) and get_path(f, "extensionRef.kind") in ("KongPlugin", "KongClusterPlugin")
                 and get_path(f, "extensionRef.name") in plugins] for r in rules]
    if rules and all(per_rule):
        name = per_rule[0][0]
        return f"Kong {plugins[name].kind} {name} (plugin {plugins[name].body.get('plugin')}, ExtensionRef filter " \
               f"on {'every rule' if len(rules) > 1 else 'the rule'})"
    return None


def _implementations(graph: Graph, parents: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Gateway API implementations known to serve the route: product -> why."""
    classes = gateway_data().gateway_classes
    out: dict[str, str] = {}
    for gw in graph.by_kind.get("Gateway", []):
        if _GATEWAY_API in str(gw.body.get("apiVersion", "")) and (gw.ns, gw.name) in parents:
            cls = get_path(gw.body, "spec.gatewayClassName")
            if isinstance(cls, str) and cls in classes:
                out.setdefault(classes[cls], f"Gateway {gw.name} has gatewayClassName {cls}")
    for kind, product in (("SecurityPolicy", "Envoy Gateway"), ("BackendTrafficPolicy", "Envoy Gateway"),
                          ("KongPlugin", "Kong"), ("KongClusterPlugin", "Kong")):
        objs = [o for o in graph.by_kind.get(kind, []) if "gateway.envoyproxy.io" in str(o.body.get("apiVersion", ""))
                or "konghq.com" in str(o.body.get("apiVersion", ""))]
        if objs:
            out.setdefault(product, f"the scan holds its {kind} {objs[0].name}")
    return out
