"""The gateway-bypass graph: routes -> Services -> workloads, gateways, NetworkPolicy mitigation."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from soc2iac import gateway_graph
from soc2iac.config import Config, load_config
from soc2iac.engine import Index, evaluate
from soc2iac.model import Location, Ref, Resource, Unknown
from soc2iac.parsers import kubernetes
from soc2iac.errors import Soc2iacError
from soc2iac.policy import builtin_policy_dir, load_file
from soc2iac.scanner import scan as scan_paths

BYPASS = "k8s-workload-not-bypassing-gateway"
EXPOSURE = "k8s-service-exposed-through-gateway"


def _policy(pid: str) -> Any:
    return load_file(builtin_policy_dir() / f"{pid}.yaml")


def scan(text: str, pid: str = BYPASS, config: Config | None = None,
         extra: list[Resource] | None = None) -> dict[str, Any]:
    """{resource address: finding} of one policy on a manifest."""
    resources = kubernetes.parse_text(text, "m.yaml") + (extra or [])
    cfg = config or Config()
    findings, _ = evaluate(cfg.select([_policy(pid)]), resources, cfg)
    return {f.resource: f for f in findings}


APP = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
    - host: api.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: web, port: {number: 80}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: api}}
    spec:
      containers: [{name: web, image: web:1}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-np, namespace: shop}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
"""


def netpol(spec: str, name: str = "np") -> str:
    return f"""
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: {name}, namespace: shop}}
spec:
{spec}
"""


def test_nodeport_beside_an_ingress_fails_with_the_path() -> None:
    found = scan(APP)
    f = found["shop/Service/web-np"]
    assert f.verdict == "fail"
    assert "Service web-np (NodePort 30080) → Deployment web ← Ingress web (api.example.com)" in f.message
    assert f.line == APP.splitlines().index("  type: NodePort") + 1
    assert found["shop/Service/web"].verdict == "pass"
    assert found["shop/Deployment/web"].verdict == "pass"


def test_networkpolicy_admitting_only_the_gateway_namespace_mitigates() -> None:
    text = APP + netpol("""  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}""")
    f = scan(text)["shop/Service/web-np"]
    assert f.verdict == "pass"
    assert "NetworkPolicy np admits ingress to Deployment web only from the gateway" in f.message
    assert "namespace ingress-nginx" in f.message


@pytest.mark.parametrize("spec, verdict, words", [
    # from absent: every source
    ("""  podSelector: {}
  ingress: [{}]""", "fail", "admits ingress from any source"),
    # an ipBlock is not the gateway
    ("""  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{ipBlock: {cidr: 0.0.0.0/0}}]""", "fail", "ipBlock 0.0.0.0/0"),
    # another namespace
    ("""  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop-admin}}}]""", "fail",
     "namespace shop-admin, which is not a gateway namespace"),
    # all namespaces
    ("""  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}}]""",
     "fail", "pods of every namespace"),
    # a policy for Egress only does not restrict ingress
    ("""  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress: [{}]""", "fail", "no NetworkPolicy in namespace shop selects Deployment web for ingress"),
    # matchExpressions: NotIn excludes the web pods, so the policy does not apply
    ("""  podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [web]}]}
  ingress: []""", "fail", "no NetworkPolicy in namespace shop selects"),
    # Exists / DoesNotExist select the pods; no ingress rules: deny all
    ("""  podSelector: {matchExpressions: [{key: tier, operator: Exists}, {key: canary, operator: DoesNotExist}]}
  policyTypes: [Ingress]""", "pass", "denies all ingress"),
    # In over the namespace name
    ("""  podSelector: {matchExpressions: [{key: app, operator: In, values: [web, web2]}]}
  ingress:
    - from:
        - namespaceSelector:
            matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [istio-system, kong]}]""",
     "pass", "namespace istio-system"),
])
def test_networkpolicy_semantics(spec: str, verdict: str, words: str) -> None:
    f = scan(APP + netpol(spec))["shop/Service/web-np"]
    assert f.verdict == verdict, f.message
    assert words in f.message


def test_two_policies_union_one_open_rule_is_not_mitigated() -> None:
    only_gateway = """  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]"""
    monitoring = """  podSelector: {matchLabels: {tier: api}}
  ingress:
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]"""
    f = scan(APP + netpol(only_gateway, "a") + netpol(monitoring, "b"))["shop/Service/web-np"]
    assert f.verdict == "fail" and "NetworkPolicy b ingress[0] admits namespace monitoring" in f.message


def test_namespace_selector_by_labels_of_scanned_namespaces() -> None:
    namespaces = """
---
apiVersion: v1
kind: Namespace
metadata: {name: edge, labels: {role: gateway}}
---
apiVersion: v1
kind: Service
metadata: {name: edge-proxy, namespace: edge, labels: {app.kubernetes.io/name: traefik}}
spec: {type: LoadBalancer, selector: {app.kubernetes.io/name: traefik}, ports: [{port: 443}]}
"""
    spec = """  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{namespaceSelector: {matchLabels: {role: gateway}}}]"""
    found = scan(APP + namespaces + netpol(spec))
    assert found["shop/Service/web-np"].verdict == "pass"
    assert "among the Namespaces scanned" in found["shop/Service/web-np"].message
    assert found["edge/Service/edge-proxy"].verdict == "pass"
    assert "gateway's own Service (Traefik" in found["edge/Service/edge-proxy"].message


def test_pod_selector_peer_in_the_same_namespace_matching_gateway_pods() -> None:
    gateway = """
---
apiVersion: v1
kind: Service
metadata: {name: shop-gateway, namespace: shop}
spec:
  type: LoadBalancer
  selector: {istio: shop-ingressgateway}
  ports: [{port: 443}]
"""
    spec = """  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{podSelector: {matchLabels: {istio: shop-ingressgateway}}}]"""
    found = scan(APP + gateway + netpol(spec))
    assert found["shop/Service/shop-gateway"].verdict == "pass"
    assert found["shop/Service/web-np"].verdict == "pass"
    assert "gateway pods istio=shop-ingressgateway" in found["shop/Service/web-np"].message
    other = """  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: frontend}}}]"""
    f = scan(APP + gateway + netpol(other))["shop/Service/web-np"]
    assert f.verdict == "fail" and "not recognised gateway pods" in f.message


def test_loadbalancer_externalips_and_node_port_allocation() -> None:
    text = APP.replace("""  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]""", """  type: LoadBalancer
  allocateLoadBalancerNodePorts: false
  externalIPs: [203.0.113.9]
  selector: {app: web}
  ports: [{port: 443, targetPort: 8080}]""")
    f = scan(text)["shop/Service/web-np"]
    assert f.verdict == "fail"
    assert "Service web-np (LoadBalancer port 443, no node ports; externalIPs 203.0.113.9) → Deployment web" in f.message


def test_v1beta1_ingress_and_selector_level_path_without_workloads() -> None:
    text = """
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata: {name: legacy, namespace: shop}
spec:
  backend: {serviceName: web, servicePort: 80}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web, tier: api}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-np, namespace: shop}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80}]}
"""
    f = scan(text)["shop/Service/web-np"]
    assert f.verdict == "fail"
    assert ("Service web-np (NodePort, node port allocated for port 80) → pods app=web,tier=api "
            "← Ingress legacy (default backend) via Service web") in f.message


@pytest.mark.parametrize("host", ["web", "web.shop", "web.shop.svc", "web.shop.svc.cluster.local"])
def test_istio_virtualservice_host_forms(host: str) -> None:
    vs = f"""
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {{name: web-vs, namespace: {'shop' if host == 'web' else 'routing'}}}
spec:
  hosts: [api.example.com]
  gateways: [istio-system/public]
  http: [{{route: [{{destination: {{host: {host}}}}}]}}]
"""
    text = APP.replace("apiVersion: networking.k8s.io/v1\nkind: Ingress", "apiVersion: v1\nkind: ConfigMap", 1)
    text += vs
    f = scan(text)["shop/Service/web-np"]
    assert f.verdict == "fail", f.message
    assert "← VirtualService" in f.message and "(api.example.com)" in f.message


def test_mesh_only_virtualservice_and_gamma_route_are_not_gateway_routes() -> None:
    text = APP.replace("apiVersion: networking.k8s.io/v1\nkind: Ingress", "apiVersion: v1\nkind: ConfigMap", 1) + """
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [web]
  http: [{route: [{destination: {host: web}}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web-mesh, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: web}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
"""
    assert scan(text)["shop/Service/web-np"].verdict == "pass"
    exposure = scan(text, EXPOSURE)["shop/Service/web-np"]
    assert exposure.verdict == "fail" and "exposed without a gateway" in exposure.message


def test_httproute_cross_namespace_backend_and_grpcroute() -> None:
    text = """
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: api, namespace: routes}
spec:
  parentRefs: [{name: public, namespace: gw}]
  rules: [{backendRefs: [{name: api, namespace: backend, port: 9000}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: backend}
spec: {selector: {app: api}, ports: [{port: 9000}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: api, namespace: backend}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: api:1, ports: [{containerPort: 9000, hostPort: 9000}]}]
"""
    f = scan(text)["backend/StatefulSet/api"]
    assert f.verdict == "fail"
    assert "StatefulSet api (hostPort 9000) ← GRPCRoute routes/api (via Gateway public)" in f.message
    assert f.line == text.splitlines().index(
        "      containers: [{name: api, image: api:1, ports: [{containerPort: 9000, hostPort: 9000}]}]") + 1


def test_nodeport_backend_of_its_own_ingress_is_not_a_bypass() -> None:
    text = APP.replace("name: web, port: {number: 80}", "name: web-np, port: {number: 80}")
    found = scan(text)
    assert found["shop/Service/web-np"].verdict == "pass"
    assert "is itself the backend of Ingress web" in found["shop/Service/web-np"].message
    assert scan(text, EXPOSURE)["shop/Service/web-np"].verdict == "pass"


def test_declared_gateway_in_config(tmp_path: Path) -> None:
    text = """
apiVersion: v1
kind: Service
metadata: {name: edge, namespace: platform}
spec: {type: LoadBalancer, selector: {app: edge-proxy}, ports: [{port: 443}]}
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: platform}
spec: {type: LoadBalancer, selector: {app: other}, ports: [{port: 443}]}
"""
    assert scan(text, EXPOSURE)["platform/Service/edge"].verdict == "fail"
    cfg_file = tmp_path / ".soc2iac.yaml"
    cfg_file.write_text("gateways:\n  - {namespace: platform, name: edge}\n")
    cfg = load_config(cfg_file)
    assert cfg.gateways == ({"namespace": "platform", "name": "edge"},)
    found = scan(text, EXPOSURE, config=cfg)
    assert found["platform/Service/edge"].verdict == "pass"
    assert "declared under gateways in .soc2iac.yaml" in found["platform/Service/edge"].message
    assert found["platform/Service/other"].verdict == "fail"
    cfg_file.write_text("gateways:\n  - {namespace: platform, selector: {app: other}}\n")
    assert scan(text, EXPOSURE, config=load_config(cfg_file))["platform/Service/other"].verdict == "pass"


def test_config_gateway_entries_are_validated(tmp_path: Path) -> None:
    from soc2iac.errors import Soc2iacError

    cfg_file = tmp_path / ".soc2iac.yaml"
    cfg_file.write_text("gateways:\n  - {namespace: platform}\n")
    with pytest.raises(Soc2iacError, match="gateways"):
        load_config(cfg_file)


def test_gateway_declared_mitigates_through_its_namespace() -> None:
    spec = """  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: platform}}}]"""
    assert scan(APP + netpol(spec))["shop/Service/web-np"].verdict == "fail"
    cfg = Config(gateways=({"namespace": "platform", "name": "edge"},))
    assert scan(APP + netpol(spec), config=cfg)["shop/Service/web-np"].verdict == "pass"


def test_istio_gateway_selector_marks_custom_gateway_pods() -> None:
    text = """
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: partners, namespace: shop}
spec:
  selector: {gateway: partners}
  servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ["*"], tls: {mode: SIMPLE}}]
---
apiVersion: v1
kind: Service
metadata: {name: partners-gw, namespace: edge}
spec: {type: LoadBalancer, selector: {gateway: partners, app: envoy}, ports: [{port: 443}]}
"""
    f = scan(text, EXPOSURE)["edge/Service/partners-gw"]
    assert f.verdict == "pass" and "selected by Istio Gateway shop/partners" in f.message


def test_exposure_internal_load_balancers() -> None:
    def svc(annotations: str, extra: str = "") -> str:
        return f"""
apiVersion: v1
kind: Service
metadata: {{name: s, namespace: n, annotations: {annotations}}}
spec: {{type: LoadBalancer, selector: {{app: s}}, ports: [{{port: 443}}]{extra}}}
"""
    for ann in ('{service.beta.kubernetes.io/aws-load-balancer-internal: "true"}',
                '{service.beta.kubernetes.io/aws-load-balancer-scheme: internal}',
                '{service.beta.kubernetes.io/azure-load-balancer-internal: "true"}',
                '{networking.gke.io/load-balancer-type: Internal}',
                '{cloud.google.com/load-balancer-type: "Internal"}'):
        f = scan(svc(ann), EXPOSURE)["n/Service/s"]
        assert f.verdict == "pass" and "internal load balancer" in f.message, ann
    assert scan(svc("{}", ", loadBalancerSourceRanges: [10.0.0.0/8]"), EXPOSURE)["n/Service/s"].verdict == "pass"
    assert scan(svc("{}", ", loadBalancerSourceRanges: [0.0.0.0/0]"), EXPOSURE)["n/Service/s"].verdict == "fail"
    assert scan(svc('{service.beta.kubernetes.io/aws-load-balancer-internal: "false"}'),
                EXPOSURE)["n/Service/s"].verdict == "fail"
    internal_with_ip = svc('{networking.gke.io/load-balancer-type: Internal}', ", externalIPs: [198.51.100.1]")
    assert scan(internal_with_ip, EXPOSURE)["n/Service/s"].verdict == "fail"


def _tf(rtype: str, name: str, **attrs: Any) -> Resource:
    return Resource(source="terraform", type=rtype, name=name, address=f"{rtype}.{name}", attributes=attrs,
                    location=Location("main.tf", 1, 20), lines={"spec[0].type": 7})


def test_terraform_resources_join_the_graph() -> None:
    deployment = _tf("kubernetes_deployment_v1", "web",
                     metadata=[{"name": "web", "namespace": "shop"}],
                     spec=[{"template": [{"metadata": [{"labels": {"app": "web"}}],
                                          "spec": [{"container": [{"name": "web"}]}]}]}])
    service = _tf("kubernetes_service_v1", "web_np", metadata=[{"name": "web-np", "namespace": "shop"}],
                  spec=[{"type": "NodePort", "port": [{"port": 80, "node_port": 30080}],
                         "selector": Ref("known after apply", address="kubernetes_deployment_v1.web",
                                         attribute="spec.template.metadata.labels")}])
    ingress = _tf("kubernetes_ingress_v1", "web", metadata=[{"name": "web", "namespace": "shop"}],
                  spec=[{"rule": [{"host": "api.example.com", "http": [{"path": [
                      {"path": "/", "backend": [{"service": [{"name": "web"}]}]}]}]}]}])
    cluster_ip = _tf("kubernetes_service_v1", "web", metadata=[{"name": "web", "namespace": "shop"}],
                     spec=[{"selector": {"app": "web"}}])
    findings, _ = evaluate([_policy(BYPASS)], [deployment, service, ingress, cluster_ip], Config())
    f = {x.resource: x for x in findings}["kubernetes_service_v1.web_np"]
    assert f.verdict == "fail" and f.line == 7
    assert "Service web-np (NodePort 30080) → Deployment web ← Ingress web (api.example.com)" in f.message


def test_unknown_selector_is_unknown_never_a_pass() -> None:
    service = _tf("kubernetes_service_v1", "np", metadata=[{"name": "np", "namespace": "shop"}],
                  spec=[{"type": "LoadBalancer", "selector": Unknown("var.labels")}])
    findings, _ = evaluate([_policy(BYPASS), _policy(EXPOSURE)], [service], Config())
    assert {f.verdict for f in findings} == {"unknown"}


def test_graph_is_built_once_per_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    built = []
    real = gateway_graph.Graph.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(gateway_graph.Graph, "__init__", counting)
    scan(APP + APP.replace("shop", "shop2"))
    assert len(built) == 1


def test_large_scan_stays_near_linear() -> None:
    """Thousands of namespaces with the same labels: the index keeps lookups inside a namespace."""
    docs = []
    for i in range(1500):
        docs.append(APP.replace("namespace: shop", f"namespace: ns{i}"))
    text = "\n---\n".join(docs)
    resources = kubernetes.parse_text(text, "big.yaml")
    start = time.perf_counter()
    findings, _ = evaluate([_policy(BYPASS)], resources, Config())
    elapsed = time.perf_counter() - start
    fails = [f for f in findings if f.verdict == "fail"]
    assert len(fails) == 1500 and all("(+" not in f.message for f in fails)
    assert elapsed < 10, elapsed


def test_index_holds_one_graph_per_gateway_set() -> None:
    resources = kubernetes.parse_text(APP, "m.yaml")
    index = Index(resources)
    g1 = index.gateway_graph([])
    assert index.gateway_graph([]) is g1
    assert index.gateway_graph([{"namespace": "x", "name": "y"}]) is not g1


# -- environments: deployment-variant folders of one scan are judged apart (issue 20) ----------

_ROUTED = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
"""
_EXPOSED = """\
apiVersion: v1
kind: Service
metadata: {name: web-external}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80}]}
"""


_WEB_PODS = """\
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: web:1}]}}
"""


def _variants(root: Path) -> Path:
    (root / "ingress-variant").mkdir(parents=True)
    (root / "ingress-variant" / "app.yaml").write_text(_ROUTED + _WEB_PODS)
    (root / "loadbalancer-variant").mkdir()
    (root / "loadbalancer-variant" / "app.yaml").write_text(_EXPOSED + _WEB_PODS)
    return root


def _env_findings(root: Path, config: Config) -> dict[str, tuple[str, str]]:
    policies = [load_file(builtin_policy_dir() / f"{p}.yaml")
                for p in ("k8s-workload-not-bypassing-gateway", "k8s-service-exposed-through-gateway")]
    result = scan_paths([str(root)], policies=policies, config=config)
    return {f"{f.policy_id} {f.resource}": (f.verdict, f.message) for f in result.findings
            if f.resource == "Service/web-external"}


def test_variant_folders_are_separate_environments(tmp_path: Path) -> None:
    """Two deployment variants of one app in one repository: the LoadBalancer of one variant is
    not a bypass of the other variant's Ingress (was: merged into one graph, a bypass)."""
    root = _variants(tmp_path / "repo")
    got = _env_findings(root, Config())
    verdict, message = got["k8s-workload-not-bypassing-gateway Service/web-external"]
    assert verdict == "pass" and message.startswith("[environment loadbalancer-variant] ")
    verdict, message = got["k8s-service-exposed-through-gateway Service/web-external"]
    assert verdict == "fail" and "[environment loadbalancer-variant] exposed without a gateway" in message
    # the documented config key judges the scan as one environment: the bypass is back, unnamed
    one = _env_findings(root, Config(environments="one"))
    verdict, message = one["k8s-workload-not-bypassing-gateway Service/web-external"]
    assert verdict == "fail" and message.startswith("gateway bypass:")


def test_a_kustomization_joins_the_folders_it_deploys(tmp_path: Path) -> None:
    root = _variants(tmp_path / "repo")
    (root / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources: [ingress-variant, loadbalancer-variant/app.yaml]\n")
    got = _env_findings(root, Config())
    verdict, message = got["k8s-workload-not-bypassing-gateway Service/web-external"]
    assert verdict == "fail" and "[environment" not in message


def test_environments_config_key_is_validated(tmp_path: Path) -> None:
    cfg = tmp_path / ".soc2iac.yaml"
    cfg.write_text("environments: one\n")
    assert load_config(cfg).environments == "one"
    cfg.write_text("environments: merged\n")
    with pytest.raises(Soc2iacError, match="environments"):
        load_config(cfg)


def test_folders_with_different_objects_are_applied_together(tmp_path: Path) -> None:
    """Istio's samples keep the app in platform/ and its routing in networking/: different objects,
    one environment, so the NodePort of routed pods is a bypass and the message names no environment."""
    root = tmp_path / "bookinfo"
    (root / "platform").mkdir(parents=True)
    (root / "platform" / "app.yaml").write_text(_EXPOSED.replace("LoadBalancer", "NodePort") + _WEB_PODS)
    (root / "networking").mkdir()
    (root / "networking" / "routes.yaml").write_text(_ROUTED)
    verdict, message = _env_findings(root, Config())["k8s-workload-not-bypassing-gateway Service/web-external"]
    assert verdict == "fail" and message.startswith("gateway bypass:")
    assert gateway_graph.environments([], "folders") == {}
