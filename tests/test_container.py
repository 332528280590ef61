"""The container image (Containerfile), built and run with podman.

The base is made offline from this machine's apt sources (mmdebstrap minbase with python3,
python3-venv and ca-certificates, then `podman import`) and kept in podman's storage, so one CI
run builds it once; the image itself is built from this checkout every session. Runs: `--version`,
a scan of a mounted folder, and the in-cluster audit exactly as the CronJob of deploy/ runs it (its
command, its environment, a read-only root filesystem, user 65532, a service-account token and CA
mounted where Kubernetes mounts them) against the stand-in API server on 127.0.0.1.

podman is configured by files this test writes under $SOC2IAC_PODMAN_ROOT (default
/var/tmp/soc2iac-podman): runc, vfs storage, cgroupfs, nofile/nproc 4096; the host's CA bundle is
mounted into build steps. Skipped with a message where podman (or, for a first base, mmdebstrap)
is absent; `.ci/run` installs both.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from conftest import ROOT
from k8s_standin import StandIn, load_fixture_objects
from kustomize_render import cronjob_container, render

pytestmark = pytest.mark.slow

BASE = "localhost/soc2iac-test-base"
IMAGE = "localhost/soc2iac:test"
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
PODMAN_ROOT = Path(os.environ.get("SOC2IAC_PODMAN_ROOT", "/var/tmp/soc2iac-podman"))
CONTAINERS_CONF = """[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


def _podman_env() -> dict[str, str]:
    PODMAN_ROOT.mkdir(parents=True, exist_ok=True)
    (PODMAN_ROOT / "containers.conf").write_text(CONTAINERS_CONF)
    (PODMAN_ROOT / "storage.conf").write_text(
        f'[storage]\ndriver = "vfs"\ngraphroot = "{PODMAN_ROOT}/storage"\nrunroot = "{PODMAN_ROOT}/run"\n')
    return {**os.environ, "CONTAINERS_CONF": str(PODMAN_ROOT / "containers.conf"),
            "CONTAINERS_STORAGE_CONF": str(PODMAN_ROOT / "storage.conf")}


def podman(*args: str, check: bool = True, timeout: float = 600, **kw: Any) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["podman", *args], env=_podman_env(), capture_output=True, text=True, timeout=timeout, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"podman {' '.join(args[:3])}... exited {proc.returncode}: {proc.stderr[-3000:]}")
    return proc


def _skip(why: str) -> NoReturn:
    """Skip with ``why``; in CI (``SOC2IAC_REQUIRE_E2E``, set by .ci/run, which installs podman and
    mmdebstrap) a missing prerequisite is a failure: the image must be built and run there."""
    if os.environ.get("SOC2IAC_REQUIRE_E2E"):
        pytest.fail(f"SOC2IAC_REQUIRE_E2E is set but {why}")
    pytest.skip(why)


def _codename() -> str:
    for line in Path("/etc/os-release").read_text().splitlines():
        if line.startswith("VERSION_CODENAME="):
            return line.split("=", 1)[1].strip('"')
    _skip("no VERSION_CODENAME in /etc/os-release: cannot make the offline base")


def _base() -> str:
    tag = f"{BASE}:{_codename()}"
    if podman("image", "exists", tag, check=False).returncode == 0:
        return tag
    if shutil.which("mmdebstrap") is None:
        _skip("mmdebstrap is not installed (apt-get install mmdebstrap; .ci/run does): no base image")
    tar = PODMAN_ROOT / "base.tar"
    excludes = [f"--dpkgopt=path-exclude=/usr/share/{d}/*" for d in ("doc", "man", "info", "locale")]
    proc = subprocess.run(["mmdebstrap", "--variant=minbase", "--include=python3,python3-venv,ca-certificates",
                           *excludes, _codename(), str(tar)], capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    podman("import", str(tar), tag)
    tar.unlink()
    return tag


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    if shutil.which("podman") is None:
        _skip("podman is not installed (apt-get install podman; .ci/run does)")
    base = _base()
    started = time.monotonic()
    podman("build", "--layers=false", "--network", "host", "-v", f"{CA_BUNDLE}:{CA_BUNDLE}:ro",
           "--build-arg", f"BASE={base}", "-t", IMAGE, "-f", str(ROOT / "Containerfile"), str(ROOT), timeout=1800)
    took = time.monotonic() - started
    size = int(podman("image", "inspect", "--format", "{{.Size}}", IMAGE).stdout.strip())
    print(f"\nimage {IMAGE}: built in {took:.0f} s, {size / 2**20:.0f} MiB (base {base})")
    yield IMAGE


def _run(image: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """podman run as a hardened pod would: read-only root, /tmp writable, no capabilities."""
    return podman("run", "--rm", "--read-only", "--tmpfs", "/tmp:rw,mode=1777", "--cap-drop", "ALL",
                  "--security-opt", "no-new-privileges", *args, check=False, timeout=timeout)


def test_image_metadata(image: str) -> None:
    config = json.loads(podman("image", "inspect", image).stdout)[0]["Config"]
    assert config["User"] == "65532:65532"
    assert config["Entrypoint"] == ["soc2iac"]
    found = _run(image, "--entrypoint", "/bin/sh", image, "-c",
                 "id -u; command -v gcc cc c++ clang tcc || true; ls /usr/bin | grep -E '^(x86_64|aarch64).*-gcc' || true")
    assert found.stdout.split() == ["65532"], f"a compiler in the final image, or not user 65532: {found.stdout}"


def test_version(image: str) -> None:
    from soc2iac import __version__

    proc = _run(image, image, "--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"soc2iac {__version__}", proc.stderr


def test_scan_of_a_mounted_folder(image: str, tmp_path: Path) -> None:
    proc = _run(image, "-v", f"{ROOT / 'k8s_fixtures'}:/src:ro", image, "scan", "/src", "--format", "json")
    assert proc.returncode == 1, proc.stderr  # the fixtures hold failing examples on purpose
    inside = json.loads(proc.stdout)
    here = subprocess.run([sys.executable, "-m", "soc2iac", "scan", "k8s_fixtures", "--format", "json"],
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=600)
    assert inside["summary"] == json.loads(here.stdout)["summary"]


def test_in_cluster_audit_as_the_cronjob_runs_it(image: str, tmp_path: Path) -> None:
    container = cronjob_container(render(ROOT / "deploy"))
    server = StandIn(objects=load_fixture_objects()).start()
    try:
        account = tmp_path / "serviceaccount"
        account.mkdir()
        (account / "token").write_text(server.token)
        (account / "ca.crt").write_bytes(server.ca_data)
        (account / "namespace").write_text("soc2iac")
        reports = tmp_path / "reports"
        reports.mkdir()
        os.chown(reports, 65532, 65532) if os.geteuid() == 0 else reports.chmod(0o777)
        env = [f"--env={e['name']}={e['value']}" for e in container["env"]]
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert mounts == {"/tmp", "/reports"}
        port = server.url.rsplit(":", 1)[1]
        proc = _run(image, "--network", "host", *env, "--env", "KUBERNETES_SERVICE_HOST=127.0.0.1",
                    "--env", f"KUBERNETES_SERVICE_PORT={port}", "-v", f"{account}:{SA_DIR}:ro",
                    "-v", f"{reports}:/reports:rw", "--user", "65532:65532",
                    "--entrypoint", container["command"][0], image, *container["command"][1:], *container["args"])
    finally:
        server.stop()
    assert proc.returncode == 1, proc.stderr  # failing objects in the fixtures: the Job shows as failed
    printed = json.loads(proc.stdout)
    assert printed["scan"]["cluster"]["context"] == "in-cluster"
    assert printed["scan"]["cluster"]["server"] == f"https://127.0.0.1:{port}"
    assert printed["findings"] and all(f["source"] == "cluster" for f in printed["findings"])
    (dated,) = list(reports.glob("cluster-20*.json"))
    assert json.loads(dated.read_text())["findings"] == printed["findings"]
    assert {r.method for r in server.requests} == {"GET"}
