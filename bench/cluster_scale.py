#!/usr/bin/env python3
"""Scale benchmark for `soc2iac cluster` (issue 5): N objects served with pagination
by the test stand-in API server on 127.0.0.1; reports wall time and peak memory.

    python bench/cluster_scale.py [--objects 10000] [--page-size 500] [--namespaces 50]

Not a test: numbers are printed and written to bench/CLUSTER_SCALE.md, never asserted.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from k8s_standin import StandIn  # noqa: E402

from soc2iac.cluster.command import run_cluster  # noqa: E402
from soc2iac.config import Config  # noqa: E402
from soc2iac.policy import load_policies  # noqa: E402


def objects(n: int, namespaces: int) -> list[dict]:
    """A deterministic mix: per 10 objects 4 Pods, 2 Deployments, 2 Services, 1 ConfigMap, 1 Secret."""
    kinds = ["Pod", "Pod", "Pod", "Pod", "Deployment", "Deployment", "Service", "Service", "ConfigMap", "Secret"]
    out = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        ns = f"team-{i % namespaces:03d}"
        meta = {"name": f"{kind.lower()}-{i}", "namespace": ns, "labels": {"app": f"app-{i % 200}"}}
        pod = {"containers": [{"name": "app", "image": f"registry.example.com/app:{i % 7}",
                               "env": [{"name": "MODE", "value": "prod"}]}]}
        if kind == "Pod":
            obj = {"apiVersion": "v1", "kind": kind, "metadata": meta, "spec": pod}
        elif kind == "Deployment":
            obj = {"apiVersion": "apps/v1", "kind": kind, "metadata": meta,
                   "spec": {"selector": {"matchLabels": meta["labels"]},
                            "template": {"metadata": {"labels": meta["labels"]}, "spec": pod}}}
        elif kind == "Service":
            obj = {"apiVersion": "v1", "kind": kind, "metadata": meta,
                   "spec": {"type": "NodePort" if i % 20 == 6 else "ClusterIP", "selector": meta["labels"],
                            "ports": [{"port": 80}]}}
        elif kind == "ConfigMap":
            obj = {"apiVersion": "v1", "kind": kind, "metadata": meta, "data": {"log_level": "info"}}
        else:
            obj = {"apiVersion": "v1", "kind": kind, "metadata": meta, "type": "Opaque"}
        out.append(obj)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--objects", type=int, default=10_000)
    ap.add_argument("--page-size", type=int, default=500)
    ap.add_argument("--namespaces", type=int, default=50)
    args = ap.parse_args()
    policies = load_policies()
    server = StandIn(objects=objects(args.objects, args.namespaces)).start()
    workdir = tempfile.TemporaryDirectory(prefix="soc2iac-bench-")
    try:
        kubeconfig = server.write_kubeconfig(Path(workdir.name) / "kubeconfig")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        result = run_cluster(kubeconfig=kubeconfig, context=None, namespaces=(), all_namespaces=True,
                             exclude_namespaces=(), policies=policies, config=Config(), quiet=True,
                             page_size=args.page_size)
        wall = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        lists = [r for r in server.log() if "limit" in r.query]
    finally:
        server.stop()
        workdir.cleanup()
    rows = [
        ("objects served", f"{args.objects:,}"), ("page size", str(args.page_size)),
        ("list requests", str(len(lists))), ("resources collected", f"{result.resources_scanned:,}"),
        ("findings", f"{len(result.findings):,}"), ("wall time (collect + evaluate)", f"{wall:.2f} s"),
        ("peak RSS of the process", f"{peak / 1024:.0f} MiB (before the run: {before / 1024:.0f} MiB)"),
    ]
    table = "\n".join(["| measure | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)])
    machine = f"{platform.machine()}, Python {platform.python_version()}, {platform.system()} {platform.release()}"
    report = f"# soc2iac cluster scale benchmark\n\nMachine: {machine}\n\n{table}\n"
    print(report)
    (ROOT / "bench" / "CLUSTER_SCALE.md").write_text(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
