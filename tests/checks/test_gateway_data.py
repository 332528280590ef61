"""The gateway product knowledge file: its shape, and what the typed view makes of it."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from soc2iac import gateway_data as gd
from soc2iac.parsers.k8s_shape import POD_TEMPLATES


def _doc() -> Any:
    return yaml.safe_load(gd._text())


def test_data_file_matches_its_schema() -> None:
    Draft202012Validator.check_schema(gd.SCHEMA)
    assert [e.message for e in Draft202012Validator(gd.SCHEMA).iter_errors(_doc())] == []


@pytest.mark.parametrize("change", [
    lambda d: d.pop("routes"),
    lambda d: d["terraform_kinds"].update({"aws_s3_bucket": "Bucket"}),
    lambda d: d["controller_labels"].append({"label": "app"}),  # no product
    lambda d: d["controller_labels"].append({"label": "app", "product": "x", "valeu": "y"}),  # a typo
    lambda d: d["internal_lb_annotations"].append({"annotation": "a", "values": "true"}),
])
def test_schema_catches_broken_data(change: Any) -> None:
    doc = _doc()
    change(doc)
    assert list(Draft202012Validator(gd.SCHEMA).iter_errors(doc))


def test_typed_view() -> None:
    data = gd.gateway_data()
    assert gd.gateway_data() is data  # loaded once
    assert data.terraform_kinds["kubernetes_daemon_set_v1"] == "DaemonSet"
    assert data.routes["HTTPRoute"] == gd.RouteKind("gateway_api", "gateway.networking")
    assert data.routes["Ingress"].reader == "ingress"
    readers = {r.reader for r in data.routes.values()}
    assert readers == {"ingress", "gateway_api", "istio", "service_list"}  # the readers soc2iac has
    assert data.gateway_namespaces["istio-system"] == "Istio"
    assert ("service.beta.kubernetes.io/aws-load-balancer-internal", None) in data.internal_lb_annotations
    # every workload kind the Terraform types manage has a pod template where the converter expects it
    kinds = set(data.terraform_kinds.values())
    assert kinds - set(POD_TEMPLATES) == {"Service", "Ingress", "NetworkPolicy", "Namespace"}


@pytest.mark.parametrize("labels, ns, why", [
    ({"app.kubernetes.io/name": "ingress-nginx"}, "x", "ingress-nginx controller, label app.kubernetes.io/name=ingress-nginx"),
    ({"gateway.networking.k8s.io/gateway-name": "public"}, "x", "a Gateway API gateway, label gateway.networking.k8s.io/gateway-name=public"),
    ({"app": "envoy"}, "projectcontour", "Contour's Envoy, label app=envoy in namespace projectcontour"),
    ({"app": "envoy"}, "shop", None),
    ({"istio": "partner-ingress"}, "x", "Istio ingress gateway, label istio=partner-ingress"),
    ({"istio": "egressgateway"}, "x", None),
    ({"app": "web"}, "x", None),
])
def test_controller_labels(labels: dict[str, str], ns: str, why: str | None) -> None:
    assert gd.gateway_data().controller(labels, ns) == why


def test_terraform_types_of_kinds() -> None:
    assert gd.terraform_types_of(["Service"]) == ["kubernetes_service", "kubernetes_service_v1"]
    assert gd.terraform_types_of(["ReplicaSet"]) == []  # the provider has no ReplicaSet resource


def test_gateway_policies_name_their_terraform_types_through_the_data() -> None:
    from soc2iac.policy import builtin_policy_dir, load_file

    bypass = load_file(builtin_policy_dir() / "k8s-workload-not-bypassing-gateway.yaml")
    assert not any(t.startswith("kubernetes_") and t != "kubernetes_manifest" for t in bypass.applies_to["types"])
    assert set(bypass.types) - set(bypass.applies_to["types"]) == {
        "kubernetes_service", "kubernetes_service_v1", "kubernetes_deployment", "kubernetes_deployment_v1",
        "kubernetes_stateful_set", "kubernetes_stateful_set_v1", "kubernetes_daemonset", "kubernetes_daemon_set_v1",
        "kubernetes_replication_controller", "kubernetes_replication_controller_v1", "kubernetes_pod",
        "kubernetes_pod_v1", "kubernetes_job", "kubernetes_job_v1", "kubernetes_cron_job", "kubernetes_cron_job_v1"}
    exposure = load_file(builtin_policy_dir() / "k8s-service-exposed-through-gateway.yaml")
    assert exposure.types == ["Service", "kubernetes_manifest", "kubernetes_service", "kubernetes_service_v1"]
    plain = load_file(builtin_policy_dir() / "tf-kubernetes-service-not-nodeport.yaml")
    assert plain.types == ["kubernetes_service", "kubernetes_service_v1"]  # no counterparts asked: as written
