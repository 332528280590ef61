"""deploy/ as a kustomization: what it renders to, the image a user sets, and the CronJob's command
run as the pod would run it (its shell, its environment, a reports folder) against the stand-in
API server. The same command runs inside the built image in tests/test_container.py."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, soc2iac_cmd
from k8s_standin import StandIn, load_fixture_objects
from kustomize_render import cronjob_container, kubectl_render, render, set_image

DEPLOY = ROOT / "deploy"


def _by_kind(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {d["kind"]: d for d in docs}
    assert len(out) == len(docs), "one object per kind"
    return out


def _key(d: dict[str, Any]) -> tuple[str, str]:
    return d["kind"], d["metadata"]["name"]


def test_renderer_agrees_with_kubectl_kustomize() -> None:
    theirs = kubectl_render(DEPLOY)
    if theirs is None:
        pytest.skip("kubectl is not on PATH: only the small renderer checked the kustomization")
    assert sorted(theirs, key=_key) == sorted(render(DEPLOY), key=_key)


def test_kustomization_renders_the_audit_in_its_namespace(tmp_path: Path) -> None:
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy)
    set_image(copy, "soc2iac", "registry.example.com/platform/soc2iac:0.1.0")
    docs = _by_kind(render(copy))
    assert set(docs) == {"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "CronJob"}
    ns = docs["Namespace"]["metadata"]["name"]
    for kind in ("ServiceAccount", "CronJob"):
        assert docs[kind]["metadata"]["namespace"] == ns
    assert docs["ClusterRoleBinding"]["subjects"] == [
        {"kind": "ServiceAccount", "name": docs["ServiceAccount"]["metadata"]["name"], "namespace": ns}]
    pod = docs["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == docs["ServiceAccount"]["metadata"]["name"]
    assert cronjob_container(list(docs.values()))["image"] == "registry.example.com/platform/soc2iac:0.1.0"
    theirs = kubectl_render(copy)
    if theirs is not None:
        assert cronjob_container(theirs)["image"] == "registry.example.com/platform/soc2iac:0.1.0"


def test_unedited_kustomization_names_a_placeholder_image() -> None:
    assert cronjob_container(render(DEPLOY))["image"].endswith(":REPLACE-ME")


def test_evidence_volume_component_puts_reports_on_a_claim(tmp_path: Path) -> None:
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy)
    with (copy / "kustomization.yaml").open("a") as handle:
        handle.write("components:\n  - components/evidence-volume\n")
    docs = kubectl_render(copy)
    if docs is None:
        pytest.skip("kubectl is not on PATH: the component (a strategic-merge patch) needs kustomize to render")
    kinds = _by_kind(docs)
    volumes = {v["name"]: v for v in kinds["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["volumes"]}
    assert volumes["reports"] == {"name": "reports", "persistentVolumeClaim": {"claimName": "soc2iac-reports"}}
    assert kinds["PersistentVolumeClaim"]["metadata"]["namespace"] == kinds["Namespace"]["metadata"]["name"]


def test_cronjob_container_hardening() -> None:
    container = cronjob_container(render(DEPLOY))
    assert container["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                            "capabilities": {"drop": ["ALL"]}}
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["HOME"] in mounts and env["SOC2IAC_REPORTS"] in mounts  # the only writable places
    assert "KUBECONFIG" not in env  # in-cluster configuration


def cronjob_environment(container: dict[str, Any], **override: str) -> dict[str, str]:
    """The container's env as the pod gets it, with test overrides (paths on this machine)."""
    return {e["name"]: e["value"] for e in container["env"]} | override


@pytest.mark.slow
def test_cronjob_command_audits_prints_json_and_keeps_dated_files(tmp_path: Path) -> None:
    """The CronJob's own shell command, here with a kubeconfig instead of the pod's service account
    (the container test runs it with the mounted token and CA): JSON on standard output, a dated
    file in the reports folder, files past the retention deleted, other clusters' files kept."""
    container = cronjob_container(render(DEPLOY))
    server = StandIn(objects=load_fixture_objects()).start()
    try:
        kc = server.write_kubeconfig(tmp_path / "kubeconfig")
        reports = tmp_path / "reports"
        reports.mkdir()
        old, recent, other = reports / "prod-2024-01-01T06-00-00Z.json", reports / "prod-x.json", reports / "qa-old.json"
        for f in (old, recent, other):
            f.write_text("{}")
        past = time.time() - 500 * 86400
        os.utime(old, (past, past))
        os.utime(other, (past, past))
        shim = tmp_path / "bin"
        shim.mkdir()
        (shim / "soc2iac").write_text("#!/bin/sh\nexec " + " ".join(f"'{c}'" for c in soc2iac_cmd()) + ' "$@"\n')
        (shim / "soc2iac").chmod(0o755)
        env = {**os.environ, **cronjob_environment(container, SOC2IAC_REPORTS=str(reports), SOC2IAC_CLUSTER_NAME="prod",
                                                   HOME=str(tmp_path)),
               "KUBECONFIG": str(kc), "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}
        proc = subprocess.run(container["command"] + container["args"], env=env, capture_output=True, text=True,
                              timeout=300)
    finally:
        server.stop()
    assert proc.returncode == 1, proc.stderr  # the fixtures hold failing objects
    printed = json.loads(proc.stdout)
    assert printed["scan"]["cluster"]["server"] == server.url
    assert not old.exists() and recent.exists() and other.exists()
    (dated,) = [p for p in reports.glob("prod-20*.json")]
    assert json.loads(dated.read_text())["findings"] == printed["findings"]
    from soc2iac.merge import label_of

    assert label_of(dated) == "prod"
