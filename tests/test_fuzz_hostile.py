"""Fuzzing the trust boundaries with hypothesis (security issue: "the fuzzers gain the
hostile-server modes and cache tampering").

* **A hostile API server**: each collected kind is answered normally or by a hostile mode of
  the stand-in server (403, continue tokens that never end, a trickle, a hang, connection
  resets, truncated and short bodies, 429/503 storms with Retry-After), drawn at random and
  combined with object names that try to leave the snapshot folder and secrets in clear in
  env values, URLs, flags and ``last-applied-configuration``. Properties: the run ends within
  its time limit plus a margin; nothing is written outside the snapshot folder; no secret is in
  the snapshot or any of the seven reports; a kind that was not collected in full has no PASS.

Cache tampering is fuzzed in ``test_fuzz.py`` (``test_a_tampered_cache_never_changes_a_verdict``).

Everyday runs use modest example counts; ``SOC2IAC_FUZZ_LONG=1`` multiplies them.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis")
pytest.importorskip("kubernetes")

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzzing import examples  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from k8s_standin import StandIn  # noqa: E402
from test_cluster import FAST, _obj  # noqa: E402
from test_cluster_hostile import CANARIES, files_under, secret_objects  # noqa: E402

from soc2iac.cluster.command import run_cluster  # noqa: E402
from soc2iac.config import Config  # noqa: E402
from soc2iac.errors import Soc2iacError  # noqa: E402
from soc2iac.policy import load_policies  # noqa: E402
from soc2iac.reporters import FORMATS, renderer  # noqa: E402

pytestmark = pytest.mark.slow

POLICIES = load_policies()
PLURALS = ["pods", "services", "configmaps", "deployments", "secrets", "roles", "clusterroles",
           "clusterrolebindings", "networkpolicies", "httproutes", "ingresses"]
KIND_OF = {"pods": "Pod", "services": "Service", "configmaps": "ConfigMap", "deployments": "Deployment",
           "secrets": "Secret", "roles": "Role", "clusterroles": "ClusterRole",
           "clusterrolebindings": "ClusterRoleBinding", "networkpolicies": "NetworkPolicy",
           "httproutes": "HTTPRoute", "ingresses": "Ingress"}
HOSTILE_NAMESPACES = ["../../escape", "/tmp/abs-escape", "..", "a/../../b", "café\n..", "_cluster", "ns\x1b[31m",
                      "\u202eevil", "x" * 300]
TIME_LIMIT = 3.0

# one hostile answer per kind: (mode, argument)
MODES = st.one_of(
    st.just(("normal", None)),
    st.just(("forbidden", None)),
    st.tuples(st.just("endless"), st.sampled_from(["same", "new", "number"])),
    st.tuples(st.just("trickle"), st.sampled_from([0.05, 0.2])),
    st.tuples(st.just("slow"), st.sampled_from([0.1, 30.0])),
    st.tuples(st.sampled_from(["reset", "truncated", "short_body"]), st.integers(1, 6)),
    st.tuples(st.just("flaky"), st.lists(st.sampled_from([429, 500, 503]), min_size=1, max_size=6)),
)


def _server(modes: dict[str, tuple[str, Any]], namespaces: list[str], retry_after: str) -> StandIn:
    objects = secret_objects() + [_obj("v1", "ConfigMap", f"cm-{i}", ns, data={"k": "v"})
                                  for i, ns in enumerate(namespaces)]
    config: dict[str, Any] = {"forbidden": set(), "endless": {}, "trickle": {}, "slow": {}, "reset": {},
                              "truncated": {}, "short_body": {}, "flaky": {}}
    for plural, (mode, arg) in modes.items():
        if mode == "forbidden":
            config["forbidden"].add(plural)
        elif mode != "normal":
            config[mode][plural] = arg
    return StandIn(objects=objects, tls=False, retry_after=retry_after, **config).start()


@st.composite
def hostile_runs(draw: Any) -> tuple[dict[str, tuple[str, Any]], list[str], str]:
    chosen = draw(st.lists(st.sampled_from(PLURALS), min_size=1, max_size=4, unique=True))
    modes = {plural: draw(MODES) for plural in chosen}
    namespaces = draw(st.lists(st.sampled_from(HOSTILE_NAMESPACES), max_size=3, unique=True))
    retry_after = draw(st.sampled_from(["0", "1", "30", "86400", "-5", "soon", "Wed, 21 Oct 2099 07:28:00 GMT"]))
    return modes, namespaces, retry_after


@settings(max_examples=examples(12), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(run=hostile_runs())
def test_a_hostile_server_never_escapes_leaks_hangs_or_passes_what_it_withheld(
        run: tuple[dict[str, tuple[str, Any]], list[str], str], tmp_path_factory: pytest.TempPathFactory) -> None:
    modes, namespaces, retry_after = run
    work = tmp_path_factory.mktemp("hostile")
    server = _server(modes, namespaces, retry_after)
    try:
        snapshot = work / "snap"
        before = files_under(work)
        started = time.monotonic()
        try:
            result = run_cluster(
                kubeconfig=server.write_kubeconfig(work / "kubeconfig"), context=None, namespaces=(),
                all_namespaces=True, exclude_namespaces=(), policies=POLICIES, config=Config(), quiet=True,
                page_size=100, max_retries=2, max_pages=20, time_limit=TIME_LIMIT, timeout=(1.0, 1.0),
                answer_seconds=1.0, snapshot_dir=snapshot, **FAST)
        except Soc2iacError as exc:  # a clear one-line error is an acceptable end, a traceback is not
            assert "\n" not in str(exc)
            result = None
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    assert elapsed < TIME_LIMIT + 4.0, f"the run took {elapsed:.1f} s"
    written = files_under(work) - before - {work / "kubeconfig"}
    assert all(snapshot in p.parents for p in written), sorted(map(str, written))
    snapshot_text = "".join(p.read_text(errors="replace") for p in sorted(snapshot.rglob("*.yaml")))
    if result is None:
        return
    reports = "\n".join(renderer(fmt)(result, show_passes=True) for fmt in FORMATS)
    for what, canary in CANARIES.items():
        assert canary not in snapshot_text, f"{what} in the snapshot"
        assert canary[2:] not in reports, f"{what} in a report"
    not_collected = dict(result.scope.cluster).get("not_collected", "")
    for plural, (mode, _arg) in modes.items():
        kind = KIND_OF[plural]
        if f"{kind}=" in not_collected:
            passed = [f.resource for f in result.findings if f.resource_type == kind and f.verdict == "pass"]
            assert not passed, f"{kind} was not collected ({mode}) but passes: {passed[:3]}"
        if mode in ("forbidden", "endless"):
            assert f"{kind}=" in not_collected, f"{kind} ({mode}) not reported as not collected"
