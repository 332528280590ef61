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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from k8s_standin import StandIn  # noqa: E402
from test_cluster import FAST, _obj, cluster_objects, rescan_verdicts  # noqa: E402
from test_cluster_faults import policies, standin  # noqa: E402,F401 - fixtures

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
    assert LAST_APPLIED not in text  # dropped, not kept redacted: the policies judge the live object
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
        assert LAST_APPLIED not in (res.attributes["metadata"].get("annotations") or {}), res.address
    api = next(r for r in got.resources if r.address == "shop/Deployment/api")
    assert api.attributes["metadata"]["annotations"] == {"team": "shop"}
