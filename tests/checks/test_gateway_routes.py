"""Per-product route readers: the Service backends (and hosts) each kind of gateway route names."""

from __future__ import annotations

import pytest

from soc2iac.gateway_routes import route_backends
from soc2iac.parsers import kubernetes
from soc2iac.parsers.k8s_shape import to_k8s


def backends(text: str) -> list[tuple[str, object, str]]:
    [res] = kubernetes.parse_text(text, "r.yaml")
    obj = to_k8s(res, {})
    assert obj is not None
    return list(route_backends(obj))


@pytest.mark.parametrize("text, expected", [
    ("""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend: {service: {name: fallback}}
  rules:
    - {host: a.example.com, http: {paths: [{backend: {service: {name: web}}}]}}
    - {host: b.example.com, http: {paths: [{backend: {service: {name: web}}}]}}
""", [("shop", "fallback", "default backend"), ("shop", "web", "a.example.com, b.example.com")]),
    ("""apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: public}]
  rules: [{backendRefs: [{name: web}, {name: other, namespace: backend}, {name: bucket, kind: S3}]}]
""", [("shop", "web", "via Gateway public"), ("backend", "other", "via Gateway public")]),
    ("""apiVersion: example.com/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec: {rules: [{backendRefs: [{name: web}]}]}
""", []),  # not the Gateway API group
    ("""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [api.example.com]
  gateways: [mesh, istio-system/public]
  http: [{route: [{destination: {host: web.backend.svc.cluster.local}}, {destination: {host: "*.example.com"}},
                  {destination: {host: a.b.example.com}}]}]
""", [("backend", "web", "api.example.com")]),
    ("""apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: web, namespace: shop}
spec:
  routes: [{match: "Host(`a.example.com`) && PathPrefix(`/api`)", services: [{name: web, port: 80},
                                                                          {name: api@internal, kind: TraefikService}]}]
""", [("shop", "web", "a.example.com")]),
    ("""apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: web, namespace: shop}
spec: {virtualhost: {fqdn: c.example.com}, routes: [{services: [{name: web, port: 80}]}]}
""", [("shop", "web", "c.example.com")]),
    ("""apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}}
""", []),  # not a route
])
def test_route_backends(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert backends(text) == expected
