"""Resources in the Kubernetes object shape: Terraform kubernetes_* conversion, manifests, the pod-template table."""

from __future__ import annotations

from typing import Any

import pytest

from soc2iac.model import Location, Resource
from soc2iac.parsers import kubernetes
from soc2iac.parsers.k8s_shape import POD_META_PATHS, POD_SPEC_PATHS, POD_TEMPLATES, from_terraform, to_k8s

KINDS = {"kubernetes_deployment_v1": "Deployment", "kubernetes_service_v1": "Service",
         "kubernetes_namespace_v1": "Namespace"}


def _tf(rtype: str, source: str = "terraform", **attrs: Any) -> Resource:
    return Resource(source=source, type=rtype, name="web", address=f"{rtype}.web", attributes=attrs,
                    location=Location("main.tf", 1, 30))


DEPLOYMENT = _tf(
    "kubernetes_deployment_v1",
    metadata=[{"name": "web", "namespace": "shop", "labels": {"app": "web"}}],
    spec=[{
        "replicas": 2,
        "selector": [{"match_labels": {"app": "web"}}],
        "template": [{
            "metadata": [{"labels": {"app": "web", "tier": "api"}}],
            "spec": [{
                "host_network": False,
                "container": [{"name": "web", "image": "web:1",
                               "port": [{"container_port": 8080, "host_port": 8080}]}],
                "init_container": [{"name": "init", "image": "init:1"}],
            }],
        }],
    }],
)


def test_terraform_deployment_in_kubernetes_shape() -> None:
    obj = to_k8s(DEPLOYMENT, KINDS)
    assert obj is not None
    assert (obj.kind, obj.ns, obj.name, obj.known) == ("Deployment", "shop", "web", True)
    assert obj.body == {
        "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web", "tier": "api"}},
                "spec": {
                    "hostNetwork": False,
                    "containers": [{"name": "web", "image": "web:1",
                                    "ports": [{"containerPort": 8080, "hostPort": 8080}]}],
                    "initContainers": [{"name": "init", "image": "init:1"}],
                },
            },
        },
    }


@pytest.mark.parametrize("k8s_path, attribute", [
    ("spec.template.spec.containers[0].ports[0].hostPort", "spec[0].template[0].spec[0].container[0].port[0].host_port"),
    ("spec.template.metadata.labels", "spec[0].template[0].metadata[0].labels"),
    ("spec.template.metadata.labels.app", "spec[0].template[0].metadata[0].labels"),  # inside a map: the map
    ("spec.selector.matchLabels", "spec[0].selector[0].match_labels"),
    ("metadata.name", "metadata[0].name"),
    ("spec.nothing.here", "spec[0]"),  # the nearest converted ancestor
])
def test_converted_paths_lead_back_to_the_terraform_attributes(k8s_path: str, attribute: str) -> None:
    obj = to_k8s(DEPLOYMENT, KINDS)
    assert obj is not None and obj.attr(k8s_path) == attribute


def test_service_selector_map_external_ips_and_default_namespace() -> None:
    svc = _tf("kubernetes_service_v1", metadata=[{"name": "web"}],
              spec=[{"type": "NodePort", "selector": {"app": "web"}, "external_ips": ["203.0.113.9"],
                     "port": [{"port": 80, "node_port": 30080}]}])
    obj = to_k8s(svc, KINDS)
    assert obj is not None and obj.ns == "default"  # the provider's default namespace
    assert obj.body["spec"] == {"type": "NodePort", "selector": {"app": "web"}, "externalIPs": ["203.0.113.9"],
                                "ports": [{"port": 80, "nodePort": 30080}]}
    assert obj.attr("spec.externalIPs") == "spec[0].external_ips"


def test_empty_singular_block_is_dropped_and_several_stay_a_list() -> None:
    assert from_terraform({"metadata": [], "spec": [{"a": 1}, {"a": 2}]}) == {"spec": [{"a": 1}, {"a": 2}]}


def test_other_sources_and_types() -> None:
    manifest = _tf("kubernetes_manifest", manifest={"kind": "Service", "metadata": {"name": "m"}})
    obj = to_k8s(manifest, KINDS)
    assert obj is not None and (obj.kind, obj.ns, obj.name) == ("Service", "default", "m")
    assert obj.attr("spec.type") == "manifest.spec.type"
    assert to_k8s(_tf("kubernetes_manifest", manifest={"metadata": {}}), KINDS) is None  # no kind
    assert to_k8s(_tf("aws_s3_bucket", bucket="b"), KINDS) is None
    assert to_k8s(_tf("kubernetes_deployment_v1", source="kong"), KINDS) is None
    namespace = to_k8s(_tf("kubernetes_namespace_v1", metadata=[{"name": "shop"}]), KINDS)
    assert namespace is not None and namespace.ns == ""  # cluster-scoped


def test_unknown_name_is_not_known() -> None:
    from soc2iac.model import Unknown

    obj = to_k8s(_tf("kubernetes_service_v1", metadata=[{"name": Unknown("var.name")}]), KINDS)
    assert obj is not None and not obj.known and obj.ref == "Service ?"


def test_manifest_object_is_already_in_shape() -> None:
    [res] = kubernetes.parse_text("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: NodePort}\n",
                                  "m.yaml")
    obj = to_k8s(res, KINDS)
    assert obj is not None and (obj.kind, obj.ns, obj.name) == ("Service", "", "web")
    assert obj.body is res.attributes and obj.attr("spec.type") == "spec.type"


def test_pod_template_table_is_the_one_the_manifest_parser_uses() -> None:
    assert kubernetes.POD_SPEC_PATHS is POD_SPEC_PATHS
    assert set(POD_META_PATHS) == set(POD_SPEC_PATHS) == set(POD_TEMPLATES)
    assert (POD_SPEC_PATHS["Pod"], POD_META_PATHS["Pod"]) == ("spec", "metadata")
    assert POD_META_PATHS["CronJob"] == "spec.jobTemplate.spec.template.metadata"
