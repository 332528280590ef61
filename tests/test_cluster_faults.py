"""Live scans against a faulty API server (tests/k8s_standin.py fault switches).

Slow answers past the timeout, dropped connections, 500s, 429 with Retry-After, cut JSON
bodies and an expired token: the collector retries a bounded number of times, records
what it could not read (the policies that need it are "not evaluated", never passed),
and the command line ends with one clear line, never a traceback.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from k8s_standin import StandIn  # noqa: E402
from test_cluster import FAST, cluster_objects  # noqa: E402

from conftest import ROOT, soc2iac_cmd  # noqa: E402
from soc2iac.cluster import collect  # noqa: E402
from soc2iac.cluster.command import run_cluster  # noqa: E402
from soc2iac.config import Config  # noqa: E402
from soc2iac.errors import Soc2iacError  # noqa: E402
from soc2iac.policy import load_policies  # noqa: E402

pytest.importorskip("kubernetes")


@pytest.fixture
def standin() -> Iterator[Callable[..., StandIn]]:
    started: list[StandIn] = []

    def make(**kwargs: Any) -> StandIn:
        kwargs.setdefault("objects", cluster_objects())
        kwargs.setdefault("tls", False)
        server = StandIn(**kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def policies() -> list[Any]:
    return load_policies()


def kubeconfig(server: StandIn, tmp_path: Path, **kwargs: Any) -> Path:
    return server.write_kubeconfig(tmp_path / "kubeconfig", **kwargs)


def audit(server: StandIn, tmp_path: Path, policies: list[Any], **kwargs: Any) -> Any:
    options: dict[str, Any] = {"kubeconfig": kubeconfig(server, tmp_path), "context": None, "namespaces": (),
                               "all_namespaces": True, "exclude_namespaces": (), "policies": policies,
                               "config": Config(), "quiet": True, "page_size": 100, "max_retries": 2, **FAST}
    options.update(kwargs)
    return run_cluster(**options)


def verdicts(result: Any, policy_id: str) -> list[str]:
    return [f.verdict for f in result.findings if f.policy_id == policy_id]


@pytest.mark.parametrize("fault", ["reset", "truncated", "short_body"])
def test_transient_faults_are_retried(standin: Callable[..., StandIn], tmp_path: Path, policies: list[Any],
                                      fault: str) -> None:
    server = standin(**{fault: {"services": 2}})
    result = audit(server, tmp_path, policies)
    assert len(server.list_requests("services")) == 3  # two spoiled answers, then the list
    scope = dict(result.scope.cluster)
    assert "Service=4" in scope["kinds"] and not scope.get("not_collected", "").startswith("Service=")
    assert ", Service=" not in scope.get("not_collected", "")
    assert "fail" in verdicts(result, "k8s-service-not-nodeport")


@pytest.mark.parametrize(("switch", "reason"), [
    ({"reset": {"services": 99}}, "error: "),
    ({"truncated": {"services": 99}}, "error: GET /api/v1/services: answer is not JSON (truncated?)"),
    ({"short_body": {"services": 99}}, "error: "),
    ({"flaky": {"services": [500] * 99}}, "error: HTTP 500"),
    ({"flaky": {"services": [429] * 99}}, "error: HTTP 429"),
])
def test_persistent_faults_are_bounded_and_not_evaluated(standin: Callable[..., StandIn], tmp_path: Path,
                                                         policies: list[Any], switch: dict[str, Any],
                                                         reason: str) -> None:
    server = standin(**switch)
    result = audit(server, tmp_path, policies, max_retries=3)
    assert len(server.list_requests("services")) == 4  # the first try and 3 retries, no more
    (gap,) = [n for n in result.scope.cluster if n[0] == "not_collected"]
    assert f"Service={reason}" in gap[1] and "after 4 attempts" in gap[1]
    # never a false pass: the policy that reads Services is not evaluated
    assert verdicts(result, "k8s-service-not-nodeport") == ["unknown"]
    assert any("could not read" in n for n in result.notices)
    assert "Pod=9" in dict(result.scope.cluster)["kinds"]  # the other kinds were read


def test_retry_after_is_honoured_and_capped(standin: Callable[..., StandIn], tmp_path: Path,
                                            policies: list[Any]) -> None:
    delays: list[float] = []
    server = standin(flaky={"pods": [429, 429]}, retry_after="7")
    audit(server, tmp_path, policies, sleep=delays.append, backoff=0.001)
    assert delays == [7.0, 7.0]
    delays.clear()
    server = standin(flaky={"pods": [429]}, retry_after="86400")
    audit(server, tmp_path, policies, sleep=delays.append, backoff=0.001)
    assert delays == [30.0]  # a server cannot park the audit for a day


def test_slow_answers_past_the_timeout(standin: Callable[..., StandIn], tmp_path: Path, policies: list[Any]) -> None:
    server = standin(slow={"services": 3.0})
    started = time.monotonic()
    result = audit(server, tmp_path, policies, timeout=(2.0, 0.3), max_retries=1)
    assert time.monotonic() - started < 5  # two attempts of 0.3 s, not two of 3 s
    (gap,) = [n for n in result.scope.cluster if n[0] == "not_collected"]
    assert "Service=error: " in gap[1] and "timed out" in gap[1]
    assert verdicts(result, "k8s-service-not-nodeport") == ["unknown"]


def test_token_expiring_mid_run_is_one_clear_error(standin: Callable[..., StandIn], tmp_path: Path) -> None:
    server = standin(expire_token_after=6)
    with pytest.raises(Soc2iacError, match=r"unauthorized \(401\)"):
        collect(kubeconfig=kubeconfig(server, tmp_path), quiet=True, max_retries=2, **FAST)
    assert len(server.log()) == 7  # not retried: a rejected token stays rejected


def test_unreachable_server_is_one_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = StandIn(tls=False)
    server.url = f"http://127.0.0.1:{port}"
    with pytest.raises(Soc2iacError, match="cannot reach the API server"):
        collect(kubeconfig=kubeconfig(server, tmp_path), quiet=True, max_retries=1, **FAST)


def run_cli(kc: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*soc2iac_cmd(), "cluster", "--kubeconfig", str(kc), "--quiet", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.mark.parametrize(("switch", "message"), [
    ({"expire_token_after": 5}, "unauthorized (401)"),
    ({"token": "rotated-token"}, "unauthorized (401)"),
])
def test_cli_auth_failures(standin: Callable[..., StandIn], tmp_path: Path, switch: dict[str, Any],
                           message: str) -> None:
    server = standin(**switch)
    proc = run_cli(server.write_kubeconfig(tmp_path / "kc", token="standin-token"))
    assert proc.returncode == 2
    assert proc.stderr.startswith("soc2iac: error: ") and message in proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_cli_with_a_failing_kind_reports_it_not_evaluated(standin: Callable[..., StandIn], tmp_path: Path) -> None:
    import json

    server = standin(flaky={"services": [503] * 50}, truncated={"pods": 1})
    proc = run_cli(server.write_kubeconfig(tmp_path / "kc"), "-f", "json")
    # the report is written, and the incomplete audit is an input error: one line, exit 2
    assert "Traceback" not in proc.stderr and proc.returncode == 2, proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("soc2iac: collection error:")]
    assert len(errors) == 1 and "Service" in errors[0] and "503" in errors[0]
    doc = json.loads(proc.stdout)
    svc = [f for f in doc["findings"] if f["policy_id"] == "k8s-service-not-nodeport"]
    assert [f["verdict"] for f in svc] == ["unknown"] and "could not be listed" in svc[0]["message"]
    assert "Service=error: HTTP 503" in doc["scan"]["cluster"]["not_collected"]
    assert "Pod=" in doc["scan"]["cluster"]["kinds"]  # a truncated answer was asked again
