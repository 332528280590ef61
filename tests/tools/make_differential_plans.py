#!/usr/bin/env python3
"""Plan each root of the differential corpus for real and keep ``plan.json`` beside it.

``terraform_fixtures/_differential/<root>/`` is a root module (its ``*.tf``, ``*.tfvars``
and local modules below it); ``terraform_fixtures/_differential/modules/`` holds the local
modules the roots share (``source = "../modules/log_group"``). Nothing is applied: a fresh
plan makes no API call for resources (the corpus uses no data sources). Each root is copied with
that shared folder into a fresh temporary directory, next to the ``provider.tf`` of
:mod:`make_plan_fixtures` (hashicorp/aws 5.100.0 pointed at a local moto server), then::

    terraform init -input=false -plugin-dir=<mirror>
    terraform plan -input=false -lock=false -out tf.plan
    terraform show -json tf.plan

and the JSON goes to ``<root>/plan.json`` (Terraform's own key order, ``indent=1``).
The prerequisites, the moto server and the Terraform runner are those of
``make_plan_fixtures.py``; see there.

Usage (from the repository root, with the dev virtualenv)::

    python tests/tools/make_differential_plans.py            # every root
    python tests/tools/make_differential_plans.py count_index try_flatten
    python tests/tools/make_differential_plans.py --no-write # plan only, write nothing

Exit status: 0 when every plan was written, 1 when some failed, 2 when a prerequisite
is missing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_plan_fixtures as tf  # noqa: E402

CORPUS = tf.FIXTURES / "_differential"
SHARED = "modules"  # the folder of shared local modules, not a root
PLAN = "plan.json"


def roots() -> list[Path]:
    """Every root of the corpus: a folder with ``.tf`` files, other than the shared modules."""
    return sorted(p for p in CORPUS.iterdir()
                  if p.is_dir() and p.name != SHARED and any(p.glob("*.tf")))


def _copy_root(root: Path, into: Path) -> None:
    shutil.copytree(root, into, ignore=shutil.ignore_patterns(PLAN, ".terraform*", "*.tfstate*"))


def plan_root(root: Path, terraform: str, mirror: Path, endpoint: str) -> tuple[dict, float]:
    """The plan JSON of one root and the seconds it took."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="soc2iac-diff-") as tmp:
        base = Path(tmp)
        if (CORPUS / SHARED).is_dir():
            shutil.copytree(CORPUS / SHARED, base / SHARED)
        work = base / root.name
        _copy_root(root, work)
        (work / "provider.tf").write_text(tf.provider_tf(endpoint))
        env = tf.tf_env(work)
        tf.run([terraform, "init", "-input=false", "-no-color", f"-plugin-dir={mirror}"], work, env, "terraform init")
        tf.run([terraform, "plan", "-input=false", "-lock=false", "-no-color", "-out", "tf.plan"],
               work, env, "terraform plan")
        out = tf.run([terraform, "show", "-json", "tf.plan"], work, env, "terraform show")
    doc = json.loads(out)
    # a plan that creates nothing (every feature off) has no resource_changes
    absent = [k for k in tf.PLAN_KEYS if k not in doc and k != "resource_changes"]
    if absent:
        raise tf.Skip(f"plan JSON lacks {absent}")
    return doc, time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="roots (folders under terraform_fixtures/_differential/)")
    ap.add_argument("--no-write", action="store_true", help="plan and check, write no file")
    ap.add_argument("-j", "--jobs", type=int, default=4, help="plans run at once (default 4)")
    args = ap.parse_args(argv)
    every = {p.name: p for p in roots()}
    unknown = [n for n in args.names if n not in every]
    if unknown:
        print(f"error: no such root: {', '.join(unknown)} (have: {', '.join(every)})", file=sys.stderr)
        return 2
    chosen = [every[n] for n in args.names] if args.names else list(every.values())
    try:
        terraform, mirror, moto_exe = tf.find_terraform(), tf.find_mirror(), tf.find_moto()
    except tf.Missing as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="soc2iac-moto-") as mtmp:
        moto = tf.MotoServer(moto_exe, Path(mtmp))
        try:
            moto.start()

            def job(root: Path) -> tuple[Path, tuple[dict, float] | Exception]:
                try:
                    return root, plan_root(root, terraform, mirror, moto.url)
                except (tf.Skip, json.JSONDecodeError) as e:
                    return root, e

            with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                results = list(pool.map(job, chosen))
        except tf.Missing as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        finally:
            moto.stop()
    for root, res in results:
        if isinstance(res, Exception):
            failed.append(root.name)
            print(f"FAIL {root.name}: {res}", file=sys.stderr)
            continue
        doc, seconds = res
        n = len(doc.get("resource_changes", []))
        if args.no_write:
            print(f"ok   {root.name}: {n} resource changes, {seconds:.1f}s (not written)")
            continue
        with open(root / PLAN, "w", encoding="utf-8", newline="\n") as fh:
            json.dump(doc, fh, indent=1, ensure_ascii=False)
            fh.write("\n")
        print(f"ok   {root.name}: {n} resource changes, {seconds:.1f}s -> {(root / PLAN).relative_to(tf.ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
