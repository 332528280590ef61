"""Live scans against a hostile API server and hostile kubeconfigs (tests/k8s_standin.py hostile modes).

What a server sends is untrusted: names that try to leave the snapshot folder, secrets in
clear inside annotations, URLs and arguments, pagination that never ends, answers that
hang or trickle, Retry-After headers that park the run, malformed discovery documents.
What a kubeconfig says is typed as kubectl types it. Nothing is written outside the
snapshot folder, no secret is printed or written in clear, and whatever could not be read
is "not evaluated", never a pass.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from k8s_standin import StandIn  # noqa: E402
from test_cluster import FAST, _obj, cluster_objects, rescan_verdicts  # noqa: E402
from test_cluster_faults import policies, run_cli, standin  # noqa: E402,F401 - fixtures

from soc2iac.cluster.command import run_cluster  # noqa: E402
from soc2iac.config import Config  # noqa: E402
from soc2iac.errors import Soc2iacError  # noqa: E402
from soc2iac.reporters import FORMATS, renderer  # noqa: E402
from soc2iac.scanner import scan  # noqa: E402

pytest.importorskip("kubernetes")

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def audit(server: StandIn, tmp_path: Path, policies: list[Any], *, kubeconfig: Path | None = None,
          **kwargs: Any) -> Any:
    options: dict[str, Any] = {
        "kubeconfig": kubeconfig or server.write_kubeconfig(tmp_path / "kubeconfig"), "context": None,
        "namespaces": (), "all_namespaces": True, "exclude_namespaces": (), "policies": policies,
        "config": Config(), "quiet": True, "page_size": 100, "max_retries": 1, **FAST}
    options.update(kwargs)
    return run_cluster(**options)


def every_report(result: Any) -> str:
    return "\n".join(f"--- {fmt}\n{renderer(fmt)(result, show_passes=True)}" for fmt in FORMATS)


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


# ---------------------------------------------------------------------------- 1. snapshot paths


def test_snapshot_names_from_the_server_cannot_leave_the_folder(standin: Callable[..., StandIn], tmp_path: Path,
                                                                 policies: list[Any]) -> None:
    absolute = str(tmp_path / "absolute-escape")
    hostile = ["../../escape", absolute, "..", "a/../../b", "café\n..", "_cluster"]
    objects = cluster_objects() + [_obj("v1", "ConfigMap", f"cm-{i}", ns, data={"k": "v"})
                                   for i, ns in enumerate(hostile)]
    server = standin(objects=objects)
    work = tmp_path / "work"
    work.mkdir()
    snapshot = work / "snap"
    kubeconfig = server.write_kubeconfig(tmp_path / "kc", context="../../ctx-escape")
    before = files_under(tmp_path)
    result = audit(server, tmp_path, policies, snapshot_dir=snapshot, kubeconfig=kubeconfig)
    written = files_under(tmp_path) - before
    assert written and all(snapshot in p.parents for p in written), sorted(map(str, written))
    (folder,) = {p.parent for p in written}
    assert folder.parent == snapshot and folder.name == "_.._ctx-escape"
    assert "context '../../ctx-escape' is written to the folder _.._ctx-escape" in "\n".join(result.notices)
    names = {p.name for p in written}
    assert {"shop.yaml", "payments.yaml", "_cluster.yaml"} <= names
    invalid = sorted(n for n in names if n.startswith("_invalid-"))
    assert len(invalid) == len(hostile)  # one file per hostile name, "_cluster" included: no clash with _cluster.yaml
    notices = "\n".join(result.notices)
    assert notices.count("is not a valid Kubernetes name") == len(hostile) and "'../../escape'" in notices
    assert "\n.." not in notices  # the control character is shown escaped
    # the objects are all there, and rescan
    rescanned = scan([str(snapshot)], policies=policies, config=Config())
    assert not rescanned.problems
    assert {f"cm-{i}" for i in range(len(hostile))} <= {f.resource.rsplit("/", 1)[-1] for f in rescanned.findings}


def test_snapshot_never_writes_through_a_planted_link(standin: Callable[..., StandIn], tmp_path: Path,
                                                      policies: list[Any]) -> None:
    server = standin()
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    snapshot = tmp_path / "snap"
    (snapshot / "standin").mkdir(parents=True)
    (snapshot / "standin" / "shop.yaml").symlink_to(outside)
    (snapshot / "standin" / "payments.yaml").hardlink_to(outside)
    audit(server, tmp_path, policies, snapshot_dir=snapshot)
    assert outside.read_text() == "precious\n"
    for name in ("shop.yaml", "payments.yaml"):
        planted = snapshot / "standin" / name
        assert not planted.is_symlink() and "kind: Pod" in planted.read_text()


def test_snapshot_refuses_a_planted_folder_link(standin: Callable[..., StandIn], tmp_path: Path,
                                                policies: list[Any]) -> None:
    server = standin()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    snapshot = tmp_path / "snap"
    snapshot.mkdir()
    (snapshot / "standin").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(Soc2iacError, match="symbolic link"):
        audit(server, tmp_path, policies, snapshot_dir=snapshot)
    assert not list(elsewhere.iterdir())


# ---------------------------------------------------------------------------- 2. secrets in the snapshot and reports


CANARIES = {
    "env": "CanaryEnvPassw0rdKq3Vz",
    "configmap": "CanaryCmApiT0kenWx8Lb",
    "url": "CanaryUrlPassw0rdJd5Rt",
    "json": "CanaryJsonPassw0rdMn2Ys",
    "bearer": "CanaryBearerT0kenHp7Qa",
    "flag": "CanaryFlagPassw0rdGe4Uc",
    "flag_pair": "CanaryFlagPairT0kenTz9Ow",
    "shell": "CanaryShellT0kenBv6Ni",
}


def secret_objects() -> list[dict[str, Any]]:
    c = CANARIES
    container = {
        "name": "api", "image": "api:1",
        "env": [{"name": "DB_PASSWORD", "value": c["env"]},
                {"name": "DATABASE_URL", "value": f"postgres://app:{c['url']}@db.internal:5432/shop"},
                {"name": "UPSTREAM_AUTH", "value": f"Bearer {c['bearer']}"},
                {"name": "MODE", "value": "prod"}],
        "args": [f"--password={c['flag']}", "--db-token", c["flag_pair"], "--verbose"],
        "command": ["sh", "-c", f"exec api --token {c['shell']}"],
    }
    deployment = _obj("apps/v1", "Deployment", "api", "shop", spec={
        "selector": {"matchLabels": {"app": "api"}},
        "template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [container]}}})
    configmap = _obj("v1", "ConfigMap", "app-settings", "shop", data={
        "api_token": c["configmap"], "log_level": "info",
        "settings.json": json.dumps({"db": {"host": "db", "password": c["json"]}, "debug": False})})
    for obj in (deployment, configmap):  # kubectl apply's copy of the whole object, secrets included
        applied = {k: v for k, v in obj.items() if k != "metadata"}
        obj["metadata"]["annotations"] = {LAST_APPLIED: json.dumps(applied), "team": "shop"}
    return cluster_objects() + [deployment, configmap]


def test_no_secret_in_the_snapshot_or_any_report(standin: Callable[..., StandIn], tmp_path: Path,
                                                 policies: list[Any]) -> None:
    server = standin(objects=secret_objects())
    snapshot = tmp_path / "snap"
    live = audit(server, tmp_path, policies, snapshot_dir=snapshot)
    text = "".join(p.read_text() for p in sorted(snapshot.rglob("*.yaml")))
    reports = every_report(live)
    for what, canary in CANARIES.items():
        assert canary not in text, f"{what} in the snapshot"
        assert canary[2:] not in reports, f"{what} in a report"
    # dropped, not kept redacted (the policies judge the live object), but on a Secret whose copy
    # holds data: there only the keys stay, each value a marker
    applied = [d for p in snapshot.rglob("*.yaml") for d in __import__("yaml").safe_load_all(p.read_text())
               if d and LAST_APPLIED in (d["metadata"].get("annotations") or {})]
    assert [(d["kind"], d["metadata"]["name"]) for d in applied] == [("Secret", "db-credentials")]
    assert json.loads(applied[0]["metadata"]["annotations"][LAST_APPLIED])["data"]["password"].startswith(
        "soc2iac-redacted:secret:")
    assert "soc2iac-redacted:url-password:" in text and "postgres://app:" in text  # only the password goes
    assert "Bearer soc2iac-redacted:bearer-token:" in text
    assert "--password=soc2iac-redacted:secret:" in text and "--verbose" in text
    assert "exec api --token soc2iac-redacted:secret:" in text
    # the JSON held in the ConfigMap is still JSON, with only the password replaced
    doc = next(d for p in snapshot.rglob("shop.yaml") for d in __import__("yaml").safe_load_all(p.read_text())
               if d and d["metadata"]["name"] == "app-settings")
    settings = json.loads(doc["data"]["settings.json"])
    assert settings["db"]["host"] == "db" and settings["db"]["password"].startswith("soc2iac-redacted:")
    # and the snapshot still rescans to the live verdicts
    assert rescan_verdicts(scan([str(snapshot)], policies=policies, config=Config())) == rescan_verdicts(live)
    failing = {(f.policy_id, f.resource) for f in live.findings if f.verdict == "fail"}
    assert ("k8s-env-no-literal-secrets", "shop/Deployment/api") in failing
    assert ("k8s-configmap-no-secrets", "shop/ConfigMap/app-settings") in failing


def test_last_applied_is_not_collected_for_any_kind(standin: Callable[..., StandIn], tmp_path: Path,
                                                     policies: list[Any]) -> None:
    from soc2iac.cluster import collect

    server = standin(objects=secret_objects())
    got = collect(kubeconfig=server.write_kubeconfig(tmp_path / "kc"), quiet=True, **FAST)
    for res in got.resources:
        if res.address != "shop/Secret/db-credentials":  # a Secret's copy with data is kept redacted
            assert LAST_APPLIED not in (res.attributes["metadata"].get("annotations") or {}), res.address
    assert any(n.startswith(f"{LAST_APPLIED}: dropped from ") for n in got.notices)
    api = next(r for r in got.resources if r.address == "shop/Deployment/api")
    assert api.attributes["metadata"]["annotations"] == {"team": "shop"}


# ---------------------------------------------------------------------------- 4. endless pagination


def pod_gap(result: Any) -> str:
    return next(p.message for p in result.problems if p.file.endswith("/Pod"))


@pytest.mark.parametrize(("mode", "requests", "reason"), [
    ("same", 2, "the same continue token again"),
    ("new", 25, "more than 25 pages; list abandoned (page cap)"),
    ("number", 1, "the continue token is not a string (int)"),
])
def test_endless_pagination_is_cut_and_not_evaluated(standin: Callable[..., StandIn], tmp_path: Path,
                                                     policies: list[Any], mode: str, requests: int,
                                                     reason: str) -> None:
    server = standin(endless={"pods": mode})
    result = audit(server, tmp_path, policies, max_pages=25)
    assert len(server.list_requests("pods")) == requests
    assert reason in pod_gap(result) and "not evaluated" in pod_gap(result)
    scope = dict(result.scope.cluster)
    assert "Pod=error: " in scope["not_collected"] and "Pod=" not in scope["kinds"]
    # nothing read from the endless list is evaluated: the Pod policies are "not evaluated", never a pass
    pods = [f for f in result.findings if f.resource_type == "Pod"]
    assert pods and {f.verdict for f in pods} == {"unknown"}
    assert "Service=4" in scope["kinds"]  # the run went on


def test_page_cap_default_is_generous_but_finite() -> None:
    from soc2iac.cluster.api import Limits

    limits = Limits()
    assert limits.max_pages == 1000 and limits.time_limit == 600 and limits.timeout == (10.0, 30.0)


# ---------------------------------------------------------------------------- 5. time limits


def test_hanging_lists_stop_at_the_run_time_limit(standin: Callable[..., StandIn], tmp_path: Path,
                                                  policies: list[Any]) -> None:
    server = standin(slow={"pods": 30.0, "services": 30.0, "configmaps": 30.0})
    started = time.monotonic()
    result = audit(server, tmp_path, policies, time_limit=2.0, timeout=(2.0, 5.0), max_retries=4)
    assert time.monotonic() - started < 4.5  # not 3 kinds x 5 attempts x 5 s
    scope = dict(result.scope.cluster)
    assert "Pod=error: the run's time limit of 2 s (--timeout) ran out" in scope["not_collected"]
    assert "StorageClass=error: the run's time limit" in scope["not_collected"]  # later kinds: not even asked
    assert "Namespace=3" in scope["kinds"]  # what was read before the limit is kept
    notice = next(n for n in result.notices if n.startswith("the run's time limit"))
    assert "kind(s) not collected" in notice and "--timeout" in notice
    assert {f.verdict for f in result.findings if f.resource_type == "Pod"} == {"unknown"}
    assert not [r for r in server.log() if r.path.endswith("/storageclasses")]


def test_a_trickling_answer_is_abandoned(standin: Callable[..., StandIn], tmp_path: Path,
                                         policies: list[Any]) -> None:
    server = standin(trickle={"pods": 0.02})  # a byte every 20 ms: each read is quick, the answer never ends
    started = time.monotonic()
    result = audit(server, tmp_path, policies, answer_seconds=1.0, timeout=(2.0, 1.0), max_retries=3)
    assert time.monotonic() - started < 5
    assert len(server.list_requests("pods")) == 1  # a server that trickles is not asked again
    assert "answer still arriving after 1 s" in pod_gap(result) and "too slowly" in pod_gap(result)
    assert {f.verdict for f in result.findings if f.resource_type == "Pod"} == {"unknown"}
    assert "Service=4" in dict(result.scope.cluster)["kinds"]


def test_retry_after_counts_against_the_time_limit(standin: Callable[..., StandIn], tmp_path: Path,
                                                   policies: list[Any]) -> None:
    slept: list[float] = []

    def clock() -> float:
        return time.monotonic() + sum(slept)

    server = standin(flaky={"pods": [429] * 99}, retry_after="30")
    result = audit(server, tmp_path, policies, time_limit=100.0, max_retries=4, backoff=0.001,
                   sleep=slept.append, clock=clock)
    assert slept == [30.0, 30.0, 30.0]  # a fourth wait would outlast the run: not begun
    assert "a retry of GET /api/v1/pods was due in 30 s" in pod_gap(result)
    # the 10 s left are used: the kinds that answer at once are still read
    assert "Service=4" in dict(result.scope.cluster)["kinds"]
    assert {f.verdict for f in result.findings if f.resource_type == "Pod"} == {"unknown"}


def test_cli_timeout_option(standin: Callable[..., StandIn], tmp_path: Path) -> None:
    server = standin(slow={"pods": 60.0})
    kc = server.write_kubeconfig(tmp_path / "kc")
    started = time.monotonic()
    proc = run_cli(kc, "--timeout", "3", "-f", "json")
    assert time.monotonic() - started < 30
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "time limit of 3 s (--timeout) ran out" in proc.stderr
    doc = json.loads(proc.stdout)
    assert "Pod=error: " in doc["scan"]["cluster"]["not_collected"]
    bad = run_cli(kc, "--timeout", "0")
    assert bad.returncode == 2 and "--timeout" in bad.stderr and "Traceback" not in bad.stderr


# ---------------------------------------------------------------------------- 7. kubeconfig types, TLS off


def edit_kubeconfig(path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    import yaml

    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc))
    return path


def insecure(value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        cluster = doc["clusters"][0]["cluster"]
        cluster.pop("certificate-authority-data", None)
        cluster["insecure-skip-tls-verify"] = value

    return change


@pytest.mark.parametrize(("section", "field", "value", "wanted"), [
    ("clusters", "insecure-skip-tls-verify", "false", "a boolean (true or false, unquoted), not a string (quoted?)"),
    ("clusters", "insecure-skip-tls-verify", "true", "a boolean (true or false, unquoted), not a string (quoted?)"),
    ("clusters", "disable-compression", 0, "a boolean (true or false, unquoted), not a number"),
    ("users", "token", 12345, "a string, not a number"),
    ("contexts", "namespace", ["a"], "a string, not a list"),
])
def test_kubeconfig_fields_are_typed_as_kubectl_types_them(standin: Callable[..., StandIn], tmp_path: Path,
                                                           section: str, field: str, value: Any,
                                                           wanted: str) -> None:
    from soc2iac.cluster import collect

    server = standin(tls=True)
    inner = {"clusters": "cluster", "users": "user", "contexts": "context"}[section]

    def change(doc: dict[str, Any]) -> None:
        doc[section][0][inner][field] = value

    kc = edit_kubeconfig(server.write_kubeconfig(tmp_path / "kc"), change)
    with pytest.raises(Soc2iacError) as caught:
        collect(kubeconfig=kc, quiet=True, **FAST)
    message = str(caught.value)
    assert message.startswith(f"{kc}: {section}[0] (") and f"{inner}.{field} must be {wanted}" in message
    assert "12345" not in message  # the value itself is never shown (it may be a credential)
    assert not server.log()  # nothing was asked of the server
    proc = run_cli(kc)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and f"{inner}.{field} must be" in proc.stderr


def test_tls_verification_off_is_one_notice_in_every_report(standin: Callable[..., StandIn], tmp_path: Path,
                                                            policies: list[Any]) -> None:
    server = standin(tls=True)
    kc = edit_kubeconfig(server.write_kubeconfig(tmp_path / "kc"), insecure(True))
    result = audit(server, tmp_path, policies, kubeconfig=kc)
    tls = [n for n in result.notices if "TLS verification is OFF" in n]
    assert len(tls) == 1 and server.url in tls[0] and "impostor" in tls[0]
    for fmt in ("text", "json", "markdown", "html", "sarif"):
        assert renderer(fmt)(result).count("TLS verification is OFF") == 1, fmt
    proc = run_cli(kc, "-f", "json")
    assert "InsecureRequestWarning" not in proc.stderr and "Unverified HTTPS" not in proc.stderr, proc.stderr
    assert json.loads(proc.stdout)["notices"].count(tls[0]) == 1


def test_tls_verified_has_no_notice(standin: Callable[..., StandIn], tmp_path: Path, policies: list[Any]) -> None:
    server = standin(tls=True)
    result = audit(server, tmp_path, policies)
    assert not [n for n in result.notices if "TLS" in n or "plain HTTP" in n]
    plain = standin()  # tls=False: the stand-in speaks plain HTTP
    assert any("plain HTTP" in n for n in audit(plain, tmp_path, policies).notices)


# ---------------------------------------------------------------------------- 10. malformed discovery


def gateway_groups(**override: Any) -> dict[str, Any]:
    group = {"name": "gateway.networking.k8s.io",
             "versions": [{"groupVersion": "gateway.networking.k8s.io/v1", "version": "v1"},
                          {"groupVersion": "gateway.networking.k8s.io/v1alpha2", "version": "v1alpha2"}],
             "preferredVersion": {"groupVersion": "gateway.networking.k8s.io/v1", "version": "v1"}}
    group.update(override)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [group]}


@pytest.mark.parametrize(("apis", "ignored", "gateway"), [
    ({"groups": ["x", 1, None]}, 'ignored 3 malformed entries of /apis: groups[0] ("x"); groups[1] (1); groups[2] (null)',
     "not present"),
    ({"groups": "everything"}, "groups is a string, not a list", "not present"),
    (["not", "a", "map"], "the answer is a list, not a map", "not present"),
    (gateway_groups(preferredVersion="v1"), 'gateway.networking.k8s.io preferredVersion ("v1")', "1"),
    (gateway_groups(versions=[{"version": "v1"}, {"version": 2}, "v3", {"version": "../../api/v1/secrets"}]),
     'ignored 3 malformed entries of /apis: gateway.networking.k8s.io versions[1] ({"version": 2}); '
     'gateway.networking.k8s.io versions[2] ("v3"); gateway.networking.k8s.io versions[3]', "1"),
    ({"groups": [{"name": {"x": 1}}, {"name": "../x", "versions": []}]}, "groups[0] (name {\"x\": 1}); groups[1] (name \"../x\")",
     "not present"),
])
def test_malformed_discovery_is_skipped_with_a_notice(standin: Callable[..., StandIn], tmp_path: Path,
                                                      policies: list[Any], apis: Any, ignored: str,
                                                      gateway: str) -> None:
    server = standin(apis_body=apis)
    result = audit(server, tmp_path, policies)
    notices = "\n".join(result.notices)
    assert "API discovery: " in notices and ignored in notices, notices
    scope = dict(result.scope.cluster)
    if gateway == "not present":
        assert "Gateway.gateway.networking.k8s.io=not present" in scope["not_collected"]
    else:
        assert f"Gateway.gateway.networking.k8s.io={gateway}" in scope["kinds"]
    assert "Pod=9" in scope["kinds"]  # the audit went on
    assert not [r for r in server.log() if ".." in r.path]


def test_malformed_resource_list_is_skipped_with_a_notice(standin: Callable[..., StandIn], tmp_path: Path,
                                                          policies: list[Any]) -> None:
    server = standin(group_bodies={
        "gateway.networking.k8s.io/v1": {"resources": [1, {"name": 5}, {"name": "gateways"}, "httproutes"]},
        "gateway.networking.k8s.io/v1alpha2": {"resources": "tlsroutes"}})
    result = audit(server, tmp_path, policies)
    notices = "\n".join(result.notices)
    assert ("ignored 3 malformed entries of /apis/gateway.networking.k8s.io/v1: resources[0] (1); "
            'resources[1] ({"name": 5}); resources[3] ("httproutes")') in notices
    assert "of /apis/gateway.networking.k8s.io/v1alpha2: resources is a string, not a list" in notices
    scope = dict(result.scope.cluster)
    assert "Gateway.gateway.networking.k8s.io=1" in scope["kinds"]
    assert "HTTPRoute=not present" in scope["not_collected"]


def test_cli_malformed_discovery_still_reports(standin: Callable[..., StandIn], tmp_path: Path) -> None:
    server = standin(apis_body={"groups": ["x", 1, None], "kind": "APIGroupList"})
    proc = run_cli(server.write_kubeconfig(tmp_path / "kc"), "-f", "json")
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert proc.returncode == 1, proc.stderr  # findings, not an aborted audit
    assert any("API discovery: ignored 3" in n for n in json.loads(proc.stdout)["notices"])


# ---------------------------------------------------------------------------- 12. credentials in the server URL


URL_PASSWORD = "CanaryServerUrlPassw0rdTy6"


def with_url_credentials(server: StandIn, path: Path, **kwargs: Any) -> Path:
    def change(doc: dict[str, Any]) -> None:
        doc["clusters"][0]["cluster"]["server"] = server.url.replace("://", f"://admin:{URL_PASSWORD}@")

    return edit_kubeconfig(server.write_kubeconfig(path, **kwargs), change)


def test_server_url_credentials_are_never_shown(standin: Callable[..., StandIn], tmp_path: Path,
                                               policies: list[Any]) -> None:
    server = standin(forbidden={"roles"}, flaky={"services": [400] * 9})  # a notice, a forbidden and a failed kind
    kc = with_url_credentials(server, tmp_path / "kc")
    result = audit(server, tmp_path, policies, kubeconfig=kc)
    scope = dict(result.scope.cluster)
    assert scope["server"] == server.url.replace("://", "://***@") and "Pod=9" in scope["kinds"]
    assert result.problems and any("plain HTTP" in n for n in result.notices)
    reports = every_report(result) + "\n".join(map(str, result.problems))
    assert URL_PASSWORD[2:] not in reports and "admin:" not in reports
    proc = run_cli(kc, "-f", "json", "-f", "html", "-o", str(tmp_path / "r.html"))
    assert proc.returncode == 2 and URL_PASSWORD[2:] not in proc.stdout + proc.stderr
    assert URL_PASSWORD[2:] not in (tmp_path / "r.html").read_text()


@pytest.mark.parametrize("failure", ["401", "unreachable"])
def test_server_url_credentials_are_not_in_error_messages(standin: Callable[..., StandIn], tmp_path: Path,
                                                          failure: str) -> None:
    server = standin(token="another-token") if failure == "401" else standin()
    kc = with_url_credentials(server, tmp_path / "kc", token="standin-token")
    if failure == "unreachable":
        server.stop()
    proc = run_cli(kc)
    assert proc.returncode == 2 and proc.stderr.startswith("soc2iac: error: ") and "Traceback" not in proc.stderr
    assert URL_PASSWORD[2:] not in proc.stderr and "://***@127.0.0.1:" in proc.stderr, proc.stderr
