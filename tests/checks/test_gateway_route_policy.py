"""Check kind gateway_route_policy: what attaches authentication or rate limits to Istio and
Gateway API routes (cases the fixtures cannot state: no verdict at all, partial coverage)."""

from __future__ import annotations

from pathlib import Path

from soc2iac.config import Config
from soc2iac.policy import builtin_policy_dir, load_file
from soc2iac.scanner import scan

KONG_PLUGIN = """\
apiVersion: configuration.konghq.com/v1
kind: KongPlugin
metadata: {name: limit}
plugin: rate-limiting
---
"""


def _verdicts(tmp_path: Path, text: str, policy_id: str) -> dict[str, str]:
    (tmp_path / "m.yaml").write_text(text)
    policy = load_file(builtin_policy_dir() / f"{policy_id}.yaml")
    result = scan([str(tmp_path)], policies=[policy], config=Config())
    assert not result.problems
    return {f.resource: f.verdict for f in result.findings if f.policy_id == policy_id}


def test_mesh_routes_are_not_gateway_routes(tmp_path: Path) -> None:
    """GAMMA routes (parents Services or multi-cluster ServiceImports, as in the Gateway API
    examples) and mesh-only VirtualServices are sidecar routing: no verdict."""
    text = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: store}
spec:
  parentRefs: [{group: multicluster.x-k8s.io, kind: ServiceImport, name: store}]
  rules: [{backendRefs: [{group: multicluster.x-k8s.io, kind: ServiceImport, name: cart}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews}}]}]
"""
    assert _verdicts(tmp_path, text, "k8s-gateway-route-authenticated") == {}


def test_a_kong_plugin_on_one_rule_does_not_cover_the_route(tmp_path: Path) -> None:
    text = KONG_PLUGIN + """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: two-rules}
spec:
  parentRefs: [{name: kong}]
  rules:
    - backendRefs: [{name: a, port: 80}]
      filters: [{type: ExtensionRef, extensionRef: {group: configuration.konghq.com, kind: KongPlugin, name: limit}}]
    - backendRefs: [{name: b, port: 80}]
"""
    # Kong is known from its plugin in the scan and has a standard rate-limit object: fail
    assert _verdicts(tmp_path, text, "k8s-gateway-route-rate-limited") == {"HTTPRoute/two-rules": "fail"}


def test_a_namespaced_policy_elsewhere_does_not_apply(tmp_path: Path) -> None:
    """An AuthorizationPolicy of another namespace (not the root one) covers neither the gateway nor the backend."""
    text = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [web.example.com]
  gateways: [istio-system/public]
  http: [{route: [{destination: {host: web}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: require-jwt, namespace: billing}
spec:
  action: DENY
  rules: [{from: [{source: {notRequestPrincipals: ["*"]}}]}]
"""
    assert _verdicts(tmp_path, text, "k8s-gateway-route-authenticated") == {"shop/VirtualService/web": "fail"}
    moved = text.replace("namespace: billing", "namespace: shop")
    assert _verdicts(tmp_path, moved, "k8s-gateway-route-authenticated") == {"shop/VirtualService/web": "pass"}
