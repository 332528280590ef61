"""Live-cluster audit against a stand-in API server (tests/k8s_standin.py).

The stand-in speaks HTTPS with a CA made at test time (TLS verification on) and
bearer-token auth; the collector reaches it through the official ``kubernetes``
client with a kubeconfig written here.
"""

from __future__ import annotations

import base64
import copy
import io
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from k8s_standin import BUILTIN, GATEWAY_API, ISTIO, StandIn, load_fixture_objects  # noqa: E402

from soc2iac.cluster import KINDS, collect  # noqa: E402
from soc2iac.cluster.collector import SECRET_METADATA_ACCEPT  # noqa: E402
from soc2iac.cluster.command import run_cluster  # noqa: E402
from soc2iac.config import Config  # noqa: E402
from soc2iac.errors import Soc2iacError  # noqa: E402
from soc2iac.policy import load_policies  # noqa: E402
from soc2iac.scanner import scan  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SECRET_VALUE = "hunter2-do-not-leak"
SECRET_B64 = base64.b64encode(SECRET_VALUE.encode()).decode()
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
FAST = {"backoff": 0.0, "sleep": lambda _s: None}

pytest.importorskip("kubernetes")


# ---------------------------------------------------------------------------- cluster contents


def _obj(api_version: str, kind: str, name: str, namespace: str | None = None, **rest: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["managedFields"] = [{"manager": "kubectl", "operation": "Apply"}]
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, **rest}


def _pod_spec(image: str = "nginx:1.27") -> dict[str, Any]:
    return {"containers": [{"name": "app", "image": image}]}


def cluster_objects() -> list[dict[str, Any]]:
    """Three namespaces, every collected kind, several objects of most kinds (pagination)."""
    namespaces = ["shop", "payments", "kube-system"]
    objs: list[dict[str, Any]] = [_obj("v1", "Namespace", ns) for ns in namespaces]
    for ns in namespaces:
        objs += [_obj("v1", "Pod", f"pod-{i}", ns, spec=_pod_spec()) for i in range(3)]
        objs += [_obj("v1", "ServiceAccount", "default", ns)]
        objs += [_obj("v1", "ConfigMap", f"settings-{i}", ns, data={"LOG_LEVEL": "info"}) for i in range(2)]
        objs += [_obj("apps/v1", "Deployment", "web", ns, spec={"template": {"spec": _pod_spec()}})]
        objs += [_obj("apps/v1", "ReplicaSet", "web-abc", ns, spec={"template": {"spec": _pod_spec()}})]
        objs += [_obj("rbac.authorization.k8s.io/v1", "Role", "reader", ns,
                      rules=[{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}])]
    secret = _obj("v1", "Secret", "db-credentials", "shop", type="Opaque", data={"password": SECRET_B64},
                  stringData={"token": SECRET_VALUE})
    secret["metadata"]["annotations"] = {
        "team": "payments",
        "kubectl.kubernetes.io/last-applied-configuration": json.dumps(
            {"apiVersion": "v1", "kind": "Secret", "data": {"password": SECRET_B64}}),
    }
    objs += [secret, _obj("v1", "Secret", "tls", "payments", type="kubernetes.io/tls",
                          data={"tls.key": SECRET_B64})]
    objs += [
        _obj("v1", "Service", "web-nodeport", "shop",
             spec={"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]}),
        _obj("v1", "Service", "web", "shop", spec={"type": "ClusterIP", "ports": [{"port": 80}]}),
        _obj("v1", "Service", "api", "payments", spec={"ports": [{"port": 443}]}),
        _obj("v1", "Service", "dns", "kube-system", spec={"type": "NodePort", "ports": [{"port": 53}]}),
        _obj("apps/v1", "StatefulSet", "db", "payments", spec={"template": {"spec": _pod_spec("postgres:16")}}),
        _obj("apps/v1", "DaemonSet", "node-agent", "kube-system",
             spec={"template": {"spec": {**_pod_spec(), "hostNetwork": True}}}),
        _obj("batch/v1", "Job", "migrate", "payments", spec={"template": {"spec": _pod_spec()}}),
        _obj("batch/v1", "CronJob", "report", "shop",
             spec={"jobTemplate": {"spec": {"template": {"spec": _pod_spec()}}}}),
        _obj("networking.k8s.io/v1", "Ingress", "web", "shop", spec={"rules": [{"host": "shop.example.com"}]}),
        _obj("networking.k8s.io/v1", "NetworkPolicy", "deny-all", "payments", spec={"podSelector": {}}),
        _obj("rbac.authorization.k8s.io/v1", "ClusterRole", "viewer",
             rules=[{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]),
        _obj("rbac.authorization.k8s.io/v1", "RoleBinding", "readers", "shop",
             roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
             subjects=[{"kind": "Group", "name": "system:authenticated", "apiGroup": "rbac.authorization.k8s.io"}]),
        _obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "everyone-can-view",
             roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
             subjects=[{"kind": "Group", "name": "system:authenticated", "apiGroup": "rbac.authorization.k8s.io"}]),
        _obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "authenticated-discovery",
             roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:discovery"},
             subjects=[{"kind": "Group", "name": "system:authenticated", "apiGroup": "rbac.authorization.k8s.io"}]),
        _obj("storage.k8s.io/v1", "StorageClass", "gp3", provisioner="ebs.csi.aws.com",
             parameters={"type": "gp3", "encrypted": "true"}),
        _obj("gateway.networking.k8s.io/v1", "Gateway", "public", "shop", spec={"gatewayClassName": "nginx"}),
        _obj("gateway.networking.k8s.io/v1", "HTTPRoute", "web", "shop", spec={"parentRefs": [{"name": "public"}]}),
        _obj("gateway.networking.k8s.io/v1", "GRPCRoute", "rpc", "payments", spec={}),
        _obj("gateway.networking.k8s.io/v1alpha2", "TLSRoute", "passthrough", "payments", spec={}),
    ]
    return objs


def expected_counts(objs: list[dict[str, Any]], namespaces: set[str] | None = None) -> dict[str, int]:
    out: dict[str, int] = {}
    for o in objs:
        ns = o["metadata"].get("namespace")
        if namespaces is not None and ns is not None and ns not in namespaces:
            continue
        if namespaces is not None and o["kind"] == "Namespace" and o["metadata"]["name"] not in namespaces:
            continue
        out[o["kind"]] = out.get(o["kind"], 0) + 1
    return out


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture
def make_standin() -> Iterator[Callable[..., StandIn]]:
    started: list[StandIn] = []

    def make(**kwargs: Any) -> StandIn:
        kwargs.setdefault("objects", cluster_objects())
        server = StandIn(**kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Callable[..., Path]:
    def write(server: StandIn, **kwargs: Any) -> Path:
        return server.write_kubeconfig(tmp_path / "kubeconfig", **kwargs)

    return write


@pytest.fixture(scope="module")
def policies() -> list[Any]:
    return load_policies()


def _run(server: StandIn, kc: Path, policies: list[Any], **kwargs: Any) -> Any:
    options: dict[str, Any] = {"kubeconfig": kc, "context": None, "namespaces": (), "all_namespaces": True,
                               "exclude_namespaces": (), "policies": policies, "config": Config(), "quiet": True,
                               "page_size": 2, **FAST}
    options.update(kwargs)
    return run_cluster(**options)


def rescan_verdicts(result: Any) -> set[tuple[str, str, str]]:
    """What a snapshot's rescan must give as the live scan did (Secrets and unread kinds aside)."""
    return {(f.policy_id, f.resource, f.verdict) for f in result.findings
            if f.policy_id != "k8s-secret-not-committed" and not f.message.startswith("not evaluated")}


def _by_policy(result: Any, policy_id: str) -> list[Any]:
    return [f for f in result.findings if f.policy_id == policy_id]


# ---------------------------------------------------------------------------- collection


def test_collects_every_kind_with_pagination(make_standin: Callable[..., StandIn], kubeconfig: Callable[..., Path]) -> None:
    server = make_standin()
    got = collect(kubeconfig=kubeconfig(server), page_size=2, quiet=True, **FAST)
    objs = cluster_objects()
    expected = expected_counts(objs)
    counted = {label.split(".")[0]: n for label, n in got.counts.items()}
    for kind, n in expected.items():
        assert counted[kind] == n, kind
    assert {spec.label for spec in KINDS if spec.group != "networking.istio.io"} == set(got.counts)
    assert len(got.resources) == len(objs)
    seen = {(r.type, r.address) for r in got.resources}
    assert ("Pod", "kube-system/Pod/pod-2") in seen and ("StorageClass", "StorageClass/gp3") in seen
    # pods: 9 objects, limit 2 -> 5 pages; every page after the first carries the previous continue token
    pages = server.list_requests("pods")
    assert len(pages) == 5
    assert all(r.query.get("limit") == "2" for r in pages)
    assert "continue" not in pages[0].query and all(r.query.get("continue") for r in pages[1:])
    # objects come back as manifests: apiVersion and kind restored, managedFields dropped, podSpec added
    web = next(r for r in got.resources if r.address == "shop/Deployment/web")
    assert web.attributes["apiVersion"] == "apps/v1" and web.attributes["kind"] == "Deployment"
    assert "managedFields" not in web.attributes["metadata"]
    assert web.attributes["podSpec"]["containers"][0]["image"] == "nginx:1.27"
    assert all(r.source == "cluster" for r in got.resources)


def test_secrets_are_listed_as_metadata_only(make_standin: Callable[..., StandIn],
                                             kubeconfig: Callable[..., Path], policies: list[Any]) -> None:
    server = make_standin(leak_secret_data=True)  # the stand-in even puts data in the metadata list
    result = _run(server, kubeconfig(server), policies)
    requests = server.list_requests("secrets")
    assert requests and all(r.accept == SECRET_METADATA_ACCEPT for r in requests)
    # no request could return a Secret's data: only collection-level lists, no get by name
    assert not [r for r in server.log() if "/secrets/" in r.path]
    got = collect(kubeconfig=kubeconfig(server), page_size=1, quiet=True, **FAST)
    secrets = [r for r in got.resources if r.type == "Secret"]
    assert {s.address for s in secrets} == {"shop/Secret/db-credentials", "payments/Secret/tls"}
    for s in secrets:
        assert set(s.attributes) - {"lastApplied"} == {"apiVersion", "kind", "metadata"}
    db = next(s for s in secrets if s.name == "db-credentials")
    # kubectl's copy holds the data: kept with the keys only, every value a marker
    applied = json.loads(db.attributes["metadata"]["annotations"].pop(LAST_APPLIED))
    assert db.attributes["metadata"]["annotations"] == {"team": "payments"}
    assert applied == {"apiVersion": "v1", "kind": "Secret", "data": {"password": f"soc2iac-redacted:secret:{len(SECRET_B64)}"}}
    dumped = json.dumps([dict(r.attributes) for r in got.resources], default=str)
    dumped += json.dumps([f.__dict__ for f in result.findings], default=str)
    assert SECRET_VALUE not in dumped and SECRET_B64 not in dumped


def test_secret_data_in_the_last_applied_annotation_is_reported(make_standin: Callable[..., StandIn],
                                                                kubeconfig: Callable[..., Path],
                                                                policies: list[Any]) -> None:
    server = make_standin()
    result = _run(server, kubeconfig(server), policies)
    found = {f.resource: f for f in _by_policy(result, "k8s-secret-data-not-in-last-applied")}
    assert set(found) == {"shop/Secret/db-credentials"}  # the tls Secret carries no annotation: not in scope
    db = found["shop/Secret/db-credentials"]
    assert db.verdict == "fail"
    assert db.message == ("Secret data is kept in clear in the last-applied-configuration annotation: "
                          "lastApplied.data.password is (value redacted when collected)")
    notices = "\n".join(result.notices)
    assert f"{LAST_APPLIED}: on 1 Secret(s) it holds the Secret data in clear; kept with every value redacted" in notices
    assert SECRET_B64 not in notices and SECRET_B64 not in json.dumps([f.__dict__ for f in result.findings], default=str)


def test_server_ignoring_metadata_accept_still_leaks_nothing(make_standin: Callable[..., StandIn],
                                                             kubeconfig: Callable[..., Path]) -> None:
    server = make_standin(ignore_metadata_accept=True)
    got = collect(kubeconfig=kubeconfig(server), quiet=True, **FAST)
    assert any("Secret" in n and "discarded" in n for n in got.notices)
    secrets = [r for r in got.resources if r.type == "Secret"]
    assert secrets and all(set(s.attributes) - {"lastApplied"} == {"apiVersion", "kind", "metadata"} for s in secrets)
    assert SECRET_B64 not in json.dumps([dict(r.attributes) for r in got.resources], default=str)


def test_configmap_values_are_collected(make_standin: Callable[..., StandIn], kubeconfig: Callable[..., Path]) -> None:
    server = make_standin()
    got = collect(kubeconfig=kubeconfig(server), quiet=True, **FAST)
    cm = next(r for r in got.resources if r.address == "shop/ConfigMap/settings-0")
    assert cm.attributes["data"] == {"LOG_LEVEL": "info"}
    assert all(r.accept == "application/json" for r in server.list_requests("configmaps"))


def test_only_get_requests(make_standin: Callable[..., StandIn], kubeconfig: Callable[..., Path],
                           policies: list[Any]) -> None:
    server = make_standin(forbidden={"roles"}, flaky={"pods": [429]})
    _run(server, kubeconfig(server), policies)
    log = server.log()
    assert log and {r.method for r in log} == {"GET"}
    assert all(r.authorization.lower() == f"bearer {server.token}" for r in log)
    # /version, discovery (/apis, /apis/<group>/<version>) and paginated lists only
    for r in log:
        discovery = r.path in ("/version", "/apis") or re.fullmatch(r"/apis/[^/]+/[^/]+", r.path)
        assert (discovery and not r.query) or set(r.query) <= {"limit", "continue"} and "limit" in r.query, r
        assert not re.search(r"/(log|exec|proxy|attach|portforward)$", r.path)


def test_wrong_token_is_an_error(make_standin: Callable[..., StandIn], kubeconfig: Callable[..., Path]) -> None:
    server = make_standin()
    with pytest.raises(Soc2iacError, match="401"):
        collect(kubeconfig=kubeconfig(server, token="wrong"), quiet=True, **FAST)


def test_tls_is_verified(make_standin: Callable[..., StandIn], tmp_path: Path) -> None:
    server = make_standin()
    kc = server.write_kubeconfig(tmp_path / "kc")
    doc = yaml.safe_load(kc.read_text())
    other = make_standin()  # another CA: the first server's certificate must not be trusted
    doc["clusters"][0]["cluster"]["certificate-authority-data"] = base64.b64encode(other.ca_data).decode()
    kc.write_text(yaml.safe_dump(doc))
    with pytest.raises(Soc2iacError, match="cannot reach"):
        collect(kubeconfig=kc, quiet=True, max_retries=0, **FAST)


# ---------------------------------------------------------------------------- forbidden, errors, absent


def test_forbidden_kind_makes_dependent_policies_not_evaluated(
        make_standin: Callable[..., StandIn], kubeconfig: Callable[..., Path], policies: list[Any]) -> None:
    log_readers = [
        _obj("rbac.authorization.k8s.io/v1", "ClusterRole", "log-reader",
             rules=[{"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get", "list"]}]),
        _obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "everyone-reads-logs",
             roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "log-reader"},
             subjects=[{"kind": "Group", "name": "system:authenticated", "apiGroup": "rbac.authorization.k8s.io"}]),
    ]
    server = make_standin(forbidden={"roles", "rolebindings", "services"}, objects=cluster_objects() + log_readers)
    result = _run(server, kubeconfig(server), policies)
    rule_roles = 'apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["get", "list"]'
    # Role is looked up by the RBAC policy: one "not evaluated" per unread kind
    rbac = _by_policy(result, "k8s-rbac-pod-logs-not-broad")
    gap = [f for f in rbac if f.resource_type == "Role"]
    assert len(gap) == 1
    assert gap[0].message == f"not evaluated: Role could not be listed (forbidden); allow with {rule_roles}"
    assert gap[0].file == "standin/Role"
    assert [f.verdict for f in rbac if f.resource_type == "RoleBinding"] == ["unknown"]
    # a ClusterRoleBinding names a ClusterRole, never a Role: what was read decides, so its verdict
    # stands (a ClusterRole granting pods/log, the built-in view role, a discovery role)
    verdicts = {f.resource: f.verdict for f in rbac if f.resource_type == "ClusterRoleBinding"}
    assert verdicts == {"ClusterRoleBinding/everyone-reads-logs": "fail", "ClusterRoleBinding/everyone-can-view": "fail",
                        "ClusterRoleBinding/authenticated-discovery": "pass"}
    # Service is what the NodePort policy applies to: no pass, no fail, one unknown
    svc = _by_policy(result, "k8s-service-not-nodeport")
    assert [f.verdict for f in svc] == ["unknown"]
    assert "Service could not be listed (forbidden)" in svc[0].message and 'resources: ["services"]' in svc[0].message
    # policies that need neither are unaffected
    assert any(f.verdict == "fail" for f in _by_policy(result, "k8s-pod-no-host-network"))
    # the run went on, and the notices name what could not be read and the rule that allows it
    notices = "\n".join(result.notices)
    assert f"Role: forbidden; allow with {rule_roles}" in notices
    assert 'Service: forbidden; allow with apiGroups: [""], resources: ["services"]' in notices
    scope = dict(result.scope.cluster)
    assert "Role=forbidden" in scope["not_collected"] and "Role=" not in scope["kinds"].replace("ClusterRole=", "")


def test_unread_roles_leave_only_rolebindings_that_could_name_them_undecided(
        make_standin: Callable[..., StandIn], kubeconfig: Callable[..., Path], policies: list[Any]) -> None:
    server = make_standin(forbidden={"roles"})
    rbac = {f.resource: f for f in _by_policy(_run(server, kubeconfig(server), policies), "k8s-rbac-pod-logs-not-broad")}
    readers = rbac["shop/RoleBinding/readers"]
    assert (readers.verdict, readers.cause) == ("unknown", "not-collected")
    assert rbac["Role/*"].cause == "not-collected"
    assert readers.message.startswith("not evaluated: Role could not be listed (forbidden)")
    assert rbac["ClusterRoleBinding/everyone-can-view"].verdict == "fail"
    # Roles unread only in another namespace: the binding's own Role was read and decides
    server = make_standin(forbidden={("roles", "payments")})
    rbac = {f.resource: f for f in _by_policy(_run(server, kubeconfig(server), policies, namespaces=["shop", "payments"]),
                                              "k8s-rbac-pod-logs-not-broad")}
    assert rbac["shop/RoleBinding/readers"].verdict == "pass"


def test_forbidden_in_one_namespace(make_standin: Callable[..., StandIn], kubeconfig: Callable[..., Path],
                                    policies: list[Any]) -> None:
    server = make_standin(forbidden={("services", "payments")})
    result = _run(server, kubeconfig(server), policies, namespaces=["shop", "payments"])
    svc = _by_policy(result, "k8s-service-not-nodeport")
    gap = [f for f in svc if f.verdict == "unknown"]
    assert len(gap) == 1 and "Service in namespace payments could not be listed (forbidden)" in gap[0].message
    assert gap[0].file == "standin/payments/Service"
    assert any(f.verdict == "fail" and f.resource == "shop/Service/web-nodeport" for f in svc)
    assert "a Role in namespace payments" in "\n".join(result.notices)


def test_retries_on_429_and_503_are_bounded(make_standin: Callable[..., StandIn], kubeconfig: Callable[..., Path],
                                            policies: list[Any]) -> None:
    server = make_standin(flaky={"pods": [429, 503], "services": [503] * 10})
    delays: list[float] = []
    result = _run(server, kubeconfig(server), policies, page_size=100, max_retries=3, sleep=delays.append,
                  backoff=0.001)
    assert len(server.list_requests("pods")) == 3  # 429, 503, then the list
    assert len(server.list_requests("services")) == 4  # first try + 3 retries, then given up
    assert len(delays) == 2 + 3
    scope = dict(result.scope.cluster)
    assert "Pod=9" in scope["kinds"]
    assert "Service=error: HTTP 503" in scope["not_collected"]
    svc = _by_policy(result, "k8s-service-not-nodeport")
    assert [f.verdict for f in svc] == ["unknown"] and "after 4 attempts" in svc[0].message


def test_every_request_has_a_timeout(make_standin: Callable[..., StandIn], kubeconfig: Callable[..., Path]) -> None:
    server = make_standin(slow={"configmaps": 2.0})
    started = time.monotonic()
    got = collect(kubeconfig=kubeconfig(server), quiet=True, timeout=(2.0, 0.2), max_retries=1, **FAST)
    assert time.monotonic() - started < 1.8  # two attempts of 0.2 s, not two of 2 s
    (gap,) = [n for n in got.not_collected if n.kind == "ConfigMap"]
    assert gap.reason.startswith("error: ") and "timed out" in gap.reason and "after 2 attempts" in gap.reason
    assert got.counts["Pod"] == 9  # the run went on


def test_absent_crds_are_recorded_as_not_present(make_standin: Callable[..., StandIn],
                                                 kubeconfig: Callable[..., Path], policies: list[Any]) -> None:
    server = make_standin()  # Gateway API served, Istio not installed
    result = _run(server, kubeconfig(server), policies)
    scope = dict(result.scope.cluster)
    assert "Gateway.networking.istio.io=not present" in scope["not_collected"]
    assert "VirtualService=not present" in scope["not_collected"]
    assert "TLSRoute=1" in scope["kinds"] and "Gateway.gateway.networking.k8s.io=1" in scope["kinds"]
    assert not [r for r in server.log() if "networking.istio.io" in r.path]  # not even discovery
    assert [r.path for r in server.list_requests("tlsroutes")] == ["/apis/gateway.networking.k8s.io/v1alpha2/tlsroutes"]
    assert any("not present in the cluster" in n and "VirtualService" in n for n in result.notices)
    assert not [f for f in result.findings if "not evaluated" in f.message]


def test_istio_is_collected_when_installed(make_standin: Callable[..., StandIn], kubeconfig: Callable[..., Path]) -> None:
    objs = cluster_objects() + [
        _obj("networking.istio.io/v1beta1", "Gateway", "mesh-gw", "shop", spec={"servers": []}),
        _obj("networking.istio.io/v1beta1", "VirtualService", "web", "shop", spec={"hosts": ["web"]}),
    ]
    server = make_standin(objects=objs, resources=BUILTIN + GATEWAY_API + ISTIO)
    got = collect(kubeconfig=kubeconfig(server), quiet=True, **FAST)
    assert got.counts["Gateway.networking.istio.io"] == 1 and got.counts["VirtualService"] == 1
    assert got.counts["Gateway.gateway.networking.k8s.io"] == 1
    assert not got.not_collected


# ---------------------------------------------------------------------------- namespaces, context, location


def test_namespace_include(make_standin: Callable[..., StandIn], kubeconfig: Callable[..., Path]) -> None:
    server = make_standin()
    got = collect(kubeconfig=kubeconfig(server), namespaces=["shop", "payments"], quiet=True, **FAST)
    namespaces = {r.attributes["metadata"].get("namespace") for r in got.resources}
    assert namespaces == {"shop", "payments", None}
    assert {r.name for r in got.resources if r.type == "Namespace"} == {"shop", "payments"}
    assert any(r.type == "ClusterRoleBinding" for r in got.resources)  # cluster-scoped kinds still read
    paths = {r.path for r in server.list_requests("pods")}
    assert paths == {"/api/v1/namespaces/shop/pods", "/api/v1/namespaces/payments/pods"}
    counted = {label.split(".")[0]: n for label, n in got.counts.items()}
    for kind, n in expected_counts(cluster_objects(), {"shop", "payments"}).items():
        assert counted[kind] == n, kind
    assert dict(got.scope)["namespaces"] == "shop, payments"


def test_namespace_exclude(make_standin: Callable[..., StandIn], kubeconfig: Callable[..., Path]) -> None:
    server = make_standin()
    got = collect(kubeconfig=kubeconfig(server), exclude_namespaces=["kube-system"], quiet=True, **FAST)
    assert not [r for r in got.resources if "kube-system" in r.address]
    assert {r.path for r in server.list_requests("pods")} == {"/api/v1/pods"}  # all namespaces in one list
    scope = dict(got.scope)
    assert scope["namespaces"] == "all (payments, shop)" and scope["excluded_namespaces"] == "kube-system"


def test_context_namespace_when_not_all_namespaces(make_standin: Callable[..., StandIn],
                                                   kubeconfig: Callable[..., Path]) -> None:
    server = make_standin()
    got = collect(kubeconfig=kubeconfig(server, namespace="payments"), all_namespaces=False, quiet=True, **FAST)
    assert {r.attributes["metadata"].get("namespace") for r in got.resources} == {"payments", None}


def test_context_selection(make_standin: Callable[..., StandIn], tmp_path: Path) -> None:
    server = make_standin()
    kc = server.write_kubeconfig(tmp_path / "kc", context="prod")
    assert collect(kubeconfig=kc, context="prod", quiet=True, **FAST).context == "prod"
    with pytest.raises(Soc2iacError, match="no such context"):
        collect(kubeconfig=kc, context="staging", quiet=True, **FAST)
    with pytest.raises(Soc2iacError, match="kubeconfig not found"):
        collect(kubeconfig=tmp_path / "missing", quiet=True, **FAST)


def test_in_cluster_config_is_detected(make_standin: Callable[..., StandIn], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from kubernetes.config import incluster_config

    server = make_standin()
    token, ca = tmp_path / "token", tmp_path / "ca.crt"
    token.write_text(server.token)
    ca.write_bytes(server.ca_data)
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(token))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(ca))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.kube/config
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", server.url.rsplit(":", 1)[1])
    got = collect(quiet=True, **FAST)
    assert got.context == "in-cluster" and got.server == server.url
    assert got.counts["Pod"] == 9


def test_findings_point_at_context_namespace_kind_name(make_standin: Callable[..., StandIn], tmp_path: Path,
                                                       policies: list[Any]) -> None:
    server = make_standin()
    kc = server.write_kubeconfig(tmp_path / "kc", context="prod")
    result = _run(server, kc, policies)
    nodeport = [f for f in _by_policy(result, "k8s-service-not-nodeport") if f.verdict == "fail"]
    assert {(f.file, f.resource) for f in nodeport} == {
        ("prod/shop/Service/web-nodeport", "shop/Service/web-nodeport"),
        ("prod/kube-system/Service/dns", "kube-system/Service/dns"),
    }
    assert all(f.line == 0 and f.location == f.file and f.source == "cluster" for f in nodeport)
    passes = {f.resource for f in _by_policy(result, "k8s-service-not-nodeport") if f.verdict == "pass"}
    assert passes == {"shop/Service/web", "payments/Service/api"}
    crb = {f.file: f.verdict for f in _by_policy(result, "k8s-rbac-pod-logs-not-broad")
           if f.resource_type == "ClusterRoleBinding"}
    assert crb == {"prod/ClusterRoleBinding/everyone-can-view": "fail",
                   "prod/ClusterRoleBinding/authenticated-discovery": "pass"}
    host_net = [f for f in _by_policy(result, "k8s-pod-no-host-network") if f.verdict == "fail"]
    assert [f.file for f in host_net] == ["prod/kube-system/DaemonSet/node-agent"]


def test_scope_fields(make_standin: Callable[..., StandIn], tmp_path: Path, policies: list[Any]) -> None:
    server = make_standin()
    kc = server.write_kubeconfig(tmp_path / "kc", context="prod")
    result = _run(server, kc, policies)
    scope = dict(result.scope.cluster)
    assert scope["server"] == server.url and scope["context"] == "prod"
    assert scope["version"] == "v1.30.4-standin"
    assert scope["namespaces"] == "all (kube-system, payments, shop)"
    assert scope["collected_at"].endswith("Z")
    assert "Pod=9" in scope["kinds"] and "Secret=2" in scope["kinds"] and "StorageClass=1" in scope["kinds"]
    assert result.scope.policy_set_sha256 and result.resources_scanned == len(cluster_objects())
    assert result.started_at and result.finished_at and result.tool_version
    assert {p.id for p in result.policies} == {p.id for p in policies}


# ---------------------------------------------------------------------------- parity with manifests


@pytest.mark.parametrize("pattern", ["*/fail*.yaml", "*/pass.yaml"])
def test_same_verdicts_as_scanning_the_manifests(make_standin: Callable[..., StandIn], tmp_path: Path,
                                                 policies: list[Any], pattern: str) -> None:
    """Serving the k8s_fixtures objects gives the verdicts a manifest scan of the same files gives.

    Manifests without a namespace are applied to ``default``; Secrets are compared apart, as a
    live cluster shows their metadata only (k8s-secret-not-committed is about committed values).
    """
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "k8s_fixtures").glob(pattern))
    served = load_fixture_objects([pattern])
    # Gateway API and Istio kinds installed too, as the fixtures include them (gateway-bypass graph)
    server = make_standin(objects=copy.deepcopy(served), resources=BUILTIN + GATEWAY_API + ISTIO)
    kc = server.write_kubeconfig(tmp_path / "kc", context="prod")
    live = _run(server, kc, policies)
    manifests = scan(files, policies=policies, config=Config())
    scoped = {o["kind"] for o in served if o["kind"] in {s.kind for s in KINDS}}

    def key(f: Any, namespaced_default: bool) -> tuple[str, str, str]:
        address = f.resource
        if namespaced_default and address.count("/") == 1 and f.resource_type not in (
                "ClusterRole", "ClusterRoleBinding", "StorageClass", "Namespace"):
            address = "default/" + address
        return (f.policy_id, address, f.verdict)

    skip = {"k8s-secret-not-committed"}
    want = sorted(key(f, True) for f in manifests.findings if f.policy_id not in skip and f.resource_type in scoped)
    got = sorted(key(f, False) for f in live.findings if f.policy_id not in skip)
    assert got == want
    # the comparison is not vacuous: many verdicts, and fails among them for the failing fixtures
    # (pass fixtures served together may still fail other policies, e.g. the gateway graph's)
    assert len(want) >= 20
    if pattern.startswith("*/fail"):
        assert "fail" in {v for *_, v in want}


# ---------------------------------------------------------------------------- progress, imports


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_per_kind_on_a_terminal_only(make_standin: Callable[..., StandIn],
                                              kubeconfig: Callable[..., Path]) -> None:
    server = make_standin(forbidden={"roles"})
    tty = _Tty()
    collect(kubeconfig=kubeconfig(server), quiet=False, progress_stream=tty, **FAST)
    lines = tty.getvalue()
    assert f"[1/{len(KINDS)}] Namespace: 3" in lines and "Role: 0 (forbidden)" in lines
    assert "VirtualService: not present" in lines
    quiet = _Tty()
    collect(kubeconfig=kubeconfig(server), quiet=True, progress_stream=quiet, **FAST)
    plain = io.StringIO()  # not a terminal
    collect(kubeconfig=kubeconfig(server), quiet=False, progress_stream=plain, **FAST)
    assert quiet.getvalue() == "" and plain.getvalue() == ""


def test_cli_startup_does_not_import_kubernetes() -> None:
    code = ("import sys, soc2iac.cli, soc2iac.cluster, soc2iac.cluster.command; "
            "assert 'kubernetes' not in sys.modules, 'kubernetes imported at startup'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# ---------------------------------------------------------------------------- deploy files


WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate", "*"}


def _deploy_docs(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((ROOT / "deploy" / name).read_text(encoding="utf-8")) if d]


def test_rbac_grants_exactly_the_collected_kinds_read_only() -> None:
    docs = _deploy_docs("rbac.yaml")
    role = next(d for d in docs if d["kind"] == "ClusterRole")
    granted: dict[tuple[str, str], set[str]] = {}
    for rule in role["rules"]:
        assert set(rule) == {"apiGroups", "resources", "verbs"}  # no nonResourceURLs, no resourceNames
        assert not WRITE_VERBS & set(rule["verbs"]) and "watch" not in rule["verbs"]
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                assert "/" not in resource and resource != "*"
                granted.setdefault((group, resource), set()).update(rule["verbs"])
    wanted = {(spec.group, spec.plural): set(spec.verbs) for spec in KINDS}
    assert granted == wanted
    assert granted[("", "secrets")] == {"list"}  # metadata-only listing; never get
    binding = next(d for d in docs if d["kind"] == "ClusterRoleBinding")
    account = next(d for d in docs if d["kind"] == "ServiceAccount")
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                  "name": role["metadata"]["name"]}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": account["metadata"]["name"],
                                    "namespace": account["metadata"]["namespace"]}]


def test_cronjob_runs_the_cluster_audit_with_the_service_account() -> None:
    (job,) = _deploy_docs("cronjob.yaml")
    account = next(d for d in _deploy_docs("rbac.yaml") if d["kind"] == "ServiceAccount")
    assert job["kind"] == "CronJob" and job["metadata"]["namespace"] == account["metadata"]["namespace"]
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    (container,) = pod["containers"]
    # the shell prunes old dated files, then execs the audit (tests/test_deploy.py runs it)
    assert container["command"] == ["/bin/sh", "-c"] and "exec soc2iac cluster " in container["args"][0]
    assert container["image"] == "soc2iac"  # set by deploy/kustomization.yaml's images
    assert not any(e["name"] == "KUBECONFIG" for e in container.get("env", []))  # in-cluster config


def test_deploy_manifests_pass_the_kubernetes_policies(policies: list[Any]) -> None:
    result = scan([str(ROOT / "deploy")], policies=policies, config=Config())
    assert not result.problems
    assert not [f for f in result.findings if f.verdict in ("fail", "unknown")], result.findings


def test_cli_cluster_command_reads_only_and_reports(make_standin: Callable[..., StandIn],
                                                    kubeconfig: Callable[..., Path], tmp_path: Path) -> None:
    """`soc2iac cluster` as users run it: JSON and SARIF outputs, exit code, annotation waivers, no writes."""
    import json
    import subprocess

    from conftest import ROOT, soc2iac_cmd

    server = make_standin()
    kc = kubeconfig(server)
    sarif = tmp_path / "cluster.sarif"
    proc = subprocess.run([*soc2iac_cmd(), "cluster", "--kubeconfig", str(kc), "--quiet", "--format", "json",
                           "--format", "sarif", "--output", str(sarif)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["scan"]["cluster"]["server"].startswith("https://127.0.0.1:")
    nodeport = [f for f in doc["findings"] if f["policy_id"] == "k8s-service-not-nodeport" and f["verdict"] == "fail"]
    assert nodeport and all(f["source"] == "cluster" for f in nodeport)
    assert not any(f["policy_id"] == "k8s-secret-not-committed" for f in doc["findings"])  # manifests only
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert results and all("physicalLocation" not in loc for r in results for loc in r["locations"])
    assert {r.method for r in server.requests} == {"GET"}


def test_snapshot_is_redacted_and_rescans_to_the_same_verdicts(make_standin: Callable[..., StandIn],
                                                               kubeconfig: Callable[..., Path], tmp_path: Path,
                                                               policies: list[Any]) -> None:
    from soc2iac.scanner import scan

    canaries = ("SnapshotCanaryPassw0rd!", "AKIAIOSFODNN7SNAPSHT", "snapshot-canary-api-token-123456")
    objects = cluster_objects() + [
        _obj("v1", "ConfigMap", "app-settings", "shop",
             data={"db_password": canaries[0], "log_level": "info", "notes": f"key={canaries[1]}"}),
        _obj("apps/v1", "Deployment", "api", "shop", spec={"selector": {"matchLabels": {"app": "api"}}, "template": {
            "metadata": {"labels": {"app": "api"}},
            "spec": {"containers": [{"name": "api", "image": "api:1",
                                     "env": [{"name": "API_TOKEN", "value": canaries[2]},
                                             {"name": "MODE", "value": "prod"}]}]}}}),
    ]
    server = make_standin(objects=objects)
    snapshot = tmp_path / "snap"
    live = _run(server, kubeconfig(server), policies, snapshot_dir=snapshot)
    files = sorted(snapshot.rglob("*.yaml"))
    assert files and any("snapshot of" in n for n in live.notices)
    text = "".join(f.read_text() for f in files)
    assert not any(c in text for c in canaries) and "soc2iac-redacted:" in text
    rescanned = scan([str(snapshot)], policies=policies, config=Config())
    assert not rescanned.problems
    assert rescan_verdicts(rescanned) == rescan_verdicts(live)
    flagged = {(f.policy_id, f.resource) for f in live.findings if f.verdict == "fail"}
    assert ("k8s-configmap-no-secrets", "shop/ConfigMap/app-settings") in flagged
    assert ("k8s-env-no-literal-secrets", "shop/Deployment/api") in flagged
