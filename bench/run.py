#!/usr/bin/env python3
"""soc2iac vs checkov benchmark (issue 7): same synthetic corpus, same run, interleaved.

Usage, from the repository root, with the Python of the environment soc2iac is installed
in (``pip install -e '.[bench]'`` adds pyinstrument for the profile)::

    python bench/run.py --setup-checkov   # once: checkov 3.3.30 into its own venv (see below)
    python bench/run.py --quick           # small, medium, large/4 (a few minutes)
    python bench/run.py                   # full: small, medium, large/2 (soc2iac only, for the
                                          # linearity check), large: ~15-25 minutes, most of it
                                          # checkov on large (run once: over --budget)

What it does:

1. Generates deterministic corpora (bench/corpus.py, seeded) in a temporary folder:

   ========  =====================================================================
   small     one ~10 KB main.tf (the pre-commit case: ``soc2iac scan main.tf``)
   medium    47 .tf files, ~100 KB (terragoat-sized), Terraform only
   large/4   500 .tf (~2 MB) + 2,500 Kubernetes documents (+ gateway configs)
   large/2   1,000 .tf (~4 MB) + 5,000 Kubernetes documents (+ gateway configs)
   large     2,000 .tf (~8 MB) + 10,000 Kubernetes documents (+ gateway configs)
   modules   real-world-shaped: three registry-style modules (create switches through
             locals, count/for_each over maps of objects and filtered ``for``, try(),
             dynamic blocks, nested module calls) and 40 example roots calling them
             with features toggled (46 .tf, ~60 KB; bench/corpus.py generate_modules)
   ========  =====================================================================

   Terraform: local modules with variables/outputs, stacks with provider, KMS key,
   module calls, terraform.tfvars, and S3 (SSE, public access block, logging, lifecycle,
   ACL), CloudWatch log groups, CloudTrail, RDS, EBS, SQS (for_each), ALB listeners,
   security groups, IAM with jsonencode, SNS, SSM, Lambda, Kinesis, VPC flow logs, EFS,
   count. Kubernetes: multi-document app files (Deployment, Service incl. NodePort,
   Ingress, ConfigMap, ServiceAccount/Role/RoleBinding, Secret) and StorageClasses.
   Gateway configs (Kong, NGINX, Envoy, Traefik) are generated for the large corpora and
   kept only where soc2iac claims them (checked each run, so new parsers get included).
   About 40 % of resources break a policy.

2. Times, per corpus and interleaved run by run (``--runs``, default 3): ``soc2iac scan``
   cold (``--no-cache``/a fresh ``--cache-dir`` when soc2iac has a cache), warm (primed
   cache; "no cache yet" otherwise), ``--jobs 1`` when soc2iac has ``--jobs``, and
   ``checkov -d DIR --framework terraform [kubernetes] --quiet --compact --skip-download
   -o json`` (``-f FILE`` for the small corpus). Also start-up: ``soc2iac --version``,
   ``soc2iac --help``, ``checkov --version``. Reported: median and min-max wall time,
   ratio checkov/soc2iac, peak RSS (``/usr/bin/time -v``, else ``getrusage`` in a
   wrapper process: the largest single process of the tree), CPU % (user+sys / wall;
   200 % = both cores busy). A command whose first run exceeds ``--budget`` seconds
   (default 240) is not repeated. A non-zero exit (checkov and soc2iac exit 1 on
   findings) never aborts the benchmark; other exit codes are shown in the table.

3. Writes ``bench/RESULTS.md`` (machine, versions, date, tables, the issue's targets
   met or not) and ``bench/RESULTS.json`` (raw runs), and prints the Markdown.
   Numbers are never asserted by tests.

4. Profiles ``soc2iac scan`` on the medium and the largest corpus with pyinstrument
   (skipped with a note when it is not installed) and writes ``bench/PROFILE.md``:
   time per phase (HCL parsing, Terraform model, YAML, policy evaluation, reporting,
   ...), top functions by self time, and a condensed call tree.

checkov is found at ``--checkov PATH``, ``$SOC2IAC_BENCH_CHECKOV``, the venv made by
``--setup-checkov`` (``~/.cache/soc2iac-bench/checkov-venv``), or ``checkov`` on PATH;
without it the checkov columns say "not installed". checkov must NOT be installed into
soc2iac's own environment: it depends on bc-python-hcl2, which installs a different
``hcl2`` package over python-hcl2 7.x (its ``loads`` has no ``with_meta``), so soc2iac's
Terraform parsing would break. checkov runs with ``--skip-download`` and
``BC_SKIP_MAPPING=TRUE`` so it makes no network calls.

Options: ``--sizes small,medium,large`` (any of the names above), ``--runs N``,
``--no-checkov``, ``--no-profile``, ``--keep DIR`` (generate there and keep),
``--results FILE``, ``--soc2iac CMD``, ``--budget SECONDS``, ``--wait-idle SECONDS`` (before each
round, wait for the load average to fall below 0.75 × cores: on a shared machine other work
inflates wall times; the tables also give CPU seconds and the load average of each series).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402

CHECKOV_VERSION = "3.3.30"
CHECKOV_VENV = Path.home() / ".cache" / "soc2iac-bench" / "checkov-venv"
TIME_BIN = "/usr/bin/time" if Path("/usr/bin/time").exists() else None
CMD_TIMEOUT = 3600


@dataclass
class Spec:
    name: str
    tf_files: int
    tf_bytes: int
    k8s_docs: int = 0
    gateways: int = 0  # gateway config sets to generate (each: kong.yml, kong.conf, nginx.conf, ...)
    module_roots: int = 0  # real-world-shaped Terraform instead: registry-style modules and example roots


SPECS = {
    "small": Spec("small", 1, 10_000),
    "medium": Spec("medium", 47, 100_000),
    "large/4": Spec("large/4", 500, 2_000_000, 2_500, 1),
    "large/2": Spec("large/2", 1_000, 4_000_000, 5_000, 2),
    "large": Spec("large", 2_000, 8_000_000, 10_000, 4),
    "modules": Spec("modules", 0, 0, module_roots=40),
}
QUICK = ["small", "medium", "modules", "large/4"]
FULL = ["small", "medium", "modules", "large/2", "large"]


@dataclass
class Run:
    wall: float
    rss_mib: float | None
    cpu: float  # user + sys seconds
    rc: int | None
    note: str = ""
    load: float = 0.0  # 1-minute load average when the run started


@dataclass
class Series:
    corpus: str
    tool: str  # soc2iac | checkov
    variant: str  # what is measured, e.g. "scan (cold)"
    command: str
    runs: list[Run] = field(default_factory=list)
    resources: int | None = None
    findings: str = ""
    skipped: str = ""  # why nothing was measured

    def ok_runs(self) -> list[Run]:
        return [r for r in self.runs if r.rc is not None]

    def median(self) -> float | None:
        runs = self.ok_runs()
        return statistics.median(r.wall for r in runs) if runs else None

    def cpu_median(self) -> float | None:
        runs = self.ok_runs()
        return statistics.median(r.cpu for r in runs) if runs else None


# ---------------------------------------------------------------------------
# measuring
# ---------------------------------------------------------------------------

_RUSAGE_WRAPPER = (
    "import resource, subprocess, sys\n"
    "try:\n"
    "    rc = subprocess.call(sys.argv[2:], stdout=open(sys.argv[1], 'wb'))\n"
    "except OSError as exc:\n"
    "    print(f'cannot run {sys.argv[2]}: {exc}', file=sys.stderr)\n"
    "    sys.exit(127)\n"
    "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(rc)\n"
)


def measure(cmd: list[str], *, cwd: Path, env: dict[str, str], stdout: Path) -> Run:
    """Run ``cmd`` once; wall time, peak RSS of the largest process, CPU seconds, exit code."""
    import resource

    with tempfile.NamedTemporaryFile(prefix="time-", suffix=".txt", delete=False) as tf:
        timefile = Path(tf.name)
    if TIME_BIN:
        full = [TIME_BIN, "-v", "-o", str(timefile), *cmd]
    else:
        full = [sys.executable, "-c", _RUSAGE_WRAPPER, str(stdout), *cmd]
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    note = ""
    try:
        with open(stdout, "wb") as out:
            proc = subprocess.run(full, cwd=cwd, env=env, stdout=out if TIME_BIN else subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=CMD_TIMEOUT)
        rc: int | None = proc.returncode
        stderr = proc.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        rc, stderr, note = None, "", f"timed out after {CMD_TIMEOUT} s"
    except OSError as exc:
        rc, stderr, note = None, "", f"could not start: {exc}"
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss_kb: int | None = None
    if TIME_BIN:
        text = timefile.read_text(errors="replace") if timefile.exists() else ""
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        rss_kb = int(m.group(1)) if m else None
        m = re.search(r"Command exited with non-zero status (\d+)", text)
        if m and rc == 1 and m.group(1) != "1":
            rc = int(m.group(1))
    else:
        m = re.search(r"MAXRSS_KB (\d+)", stderr)
        rss_kb = int(m.group(1)) if m else None
    timefile.unlink(missing_ok=True)
    if rc not in (0, 1, None) and not note:
        last = [line for line in stderr.strip().splitlines() if line.strip()][-1:] or [""]
        note = f"exit {rc}: {last[0][:160]}"
    return Run(wall=wall, rss_mib=rss_kb / 1024 if rss_kb else None, cpu=cpu, rc=rc, note=note, load=load)


def summarize_soc2iac(out: Path) -> tuple[int | None, str]:
    try:
        doc = json.loads(out.read_text())
    except (OSError, ValueError):
        return None, "no JSON output"
    verdicts: dict[str, int] = {}
    for f in doc.get("findings", []):
        verdicts[f.get("verdict", "?")] = verdicts.get(f.get("verdict", "?"), 0) + 1
    text = ", ".join(f"{verdicts.get(v, 0):,} {v}" for v in ("fail", "pass", "unknown") if v in verdicts)
    if doc.get("problems"):
        text += f", {len(doc['problems'])} input problems"
    return doc.get("scan", {}).get("resources_scanned"), text


def summarize_checkov(out: Path) -> tuple[int | None, str]:
    try:
        doc = json.loads(out.read_text() or "null")
    except (OSError, ValueError):
        return None, "no JSON output"
    reports = doc if isinstance(doc, list) else [doc] if isinstance(doc, dict) else []
    resources = failed = passed = errors = 0
    for rep in reports:
        summary = rep.get("summary", rep) if isinstance(rep, dict) else {}
        resources += int(summary.get("resource_count", 0) or 0)
        failed += int(summary.get("failed", 0) or 0)
        passed += int(summary.get("passed", 0) or 0)
        errors += int(summary.get("parsing_errors", 0) or 0)
    text = f"{failed:,} fail, {passed:,} pass"
    if errors:
        text += f", {errors} parsing errors"
    return resources, text


# ---------------------------------------------------------------------------
# tools
# ---------------------------------------------------------------------------

def soc2iac_command(override: str | None) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    if override:
        return shlex.split(override), env
    script = Path(sys.executable).parent / "soc2iac"
    if script.exists():
        return [str(script)], env
    found = shutil.which("soc2iac")
    if found:
        return [found], env
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return [sys.executable, "-m", "soc2iac"], env


def interpreter_of(cmd: list[str]) -> str:
    """The Python that runs a soc2iac command (the console script's shebang)."""
    if len(cmd) > 1 and cmd[1] == "-m":
        return cmd[0]
    try:
        first = Path(cmd[0]).read_text(errors="replace").splitlines()[0]
    except (OSError, IndexError):
        return sys.executable
    if first.startswith("#!") and "python" in first:
        return first[2:].strip().split()[0]
    return sys.executable


def find_checkov(override: str | None) -> str | None:
    for candidate in (override, os.environ.get("SOC2IAC_BENCH_CHECKOV"), str(CHECKOV_VENV / "bin" / "checkov")):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("checkov")


def setup_checkov(version: str) -> int:
    base = getattr(sys, "_base_executable", sys.executable)
    print(f"creating {CHECKOV_VENV} with {base} and installing checkov=={version} (large download) ...")
    subprocess.run([base, "-m", "venv", str(CHECKOV_VENV)], check=True)
    rc = subprocess.call([str(CHECKOV_VENV / "bin" / "pip"), "install", "-q", f"checkov=={version}"])
    if rc == 0:
        print(f"checkov installed: {CHECKOV_VENV / 'bin' / 'checkov'}")
    return rc


def scan_features(cmd: list[str], env: dict[str, str]) -> dict[str, bool]:
    """Which performance options `soc2iac scan` has (cache, jobs), from its --help."""
    proc = subprocess.run([*cmd, "scan", "--help"], capture_output=True, text=True, env={**env, "COLUMNS": "200"})
    text = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    return {opt: bool(re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", text))
            for opt in ("--no-cache", "--cache-dir", "--jobs")}


def version_of(cmd: list[str], env: dict[str, str]) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return "?"
    return (proc.stdout.strip() or proc.stderr.strip()).splitlines()[-1] if (proc.stdout or proc.stderr) else "?"


# ---------------------------------------------------------------------------
# corpora
# ---------------------------------------------------------------------------

def build_corpus(spec: Spec, where: Path, cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    where.mkdir(parents=True, exist_ok=True)
    info: dict[str, Any] = {}
    if spec.module_roots:
        info.update(corpus.generate_modules(where / "terraform", spec.module_roots))
    elif spec.tf_files == 1:
        info.update(corpus.generate_terraform(where, 1, spec.tf_bytes))
    else:
        info.update(corpus.generate_terraform(where / "terraform", spec.tf_files, spec.tf_bytes))
    if spec.k8s_docs:
        info.update(corpus.generate_kubernetes(where / "kubernetes", spec.k8s_docs))
    if spec.gateways:
        gw = where / "gateways"
        corpus.generate_gateways(gw, spec.gateways)
        info.update(keep_claimed_gateways(gw, cmd, env))
    return info


def keep_claimed_gateways(gw: Path, cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Scan the generated gateway configs; keep only files soc2iac turned into resources."""
    out = gw.parent / "gateway-probe.json"
    subprocess.run([*cmd, "scan", str(gw), "--format", "json", "--output", str(out)],
                   cwd=gw.parent, env=env, capture_output=True)
    claimed: set[Path] = set()
    try:
        for f in json.loads(out.read_text()).get("findings", []):
            if f.get("file"):
                claimed.add((gw.parent / f["file"]).resolve())
    except (OSError, ValueError):
        pass
    out.unlink(missing_ok=True)
    kinds: dict[str, int] = {}
    for path in sorted(p for p in gw.rglob("*") if p.is_file()):
        if path.resolve() in claimed:
            kinds[path.name] = kinds.get(path.name, 0) + 1
        else:
            path.unlink()
    if not claimed:
        shutil.rmtree(gw)
    return {"gateway_files": sum(kinds.values()), "gateway_kinds": kinds}


def describe(info: dict[str, Any]) -> str:
    parts = [f"{info['tf_files']:,} .tf ({info['tf_bytes'] / 1024:,.0f} KiB)"]
    if info.get("k8s_docs"):
        parts.append(f"{info['k8s_docs']:,} K8s docs in {info['k8s_files']:,} files ({info['k8s_bytes'] / 1024:,.0f} KiB)")
    if info.get("gateway_files"):
        parts.append(f"{info['gateway_files']} gateway files ({', '.join(sorted(info['gateway_kinds']))})")
    return " + ".join(parts)


# ---------------------------------------------------------------------------
# benchmark
# ---------------------------------------------------------------------------

def bench_corpus(spec: Spec, path: Path, info: dict[str, Any], args: argparse.Namespace,
                 soc: list[str], soc_env: dict[str, str], checkov: str | None,
                 features: dict[str, bool], work: Path) -> list[Series]:
    single = spec.tf_files == 1
    target = "main.tf" if single else path.name
    cwd = path if single else path.parent
    base = [*soc, "scan", target, "--format", "json", "--output"]
    series: list[tuple[Series, Any]] = []  # (series, function(run_index, outfile) -> cmd | None)

    def cold_cmd(i: int, out: Path) -> list[str]:
        extra: list[str] = []
        if features["--cache-dir"]:
            fresh = work / f"cache-cold-{spec.name.replace('/', '_')}-{i}"
            shutil.rmtree(fresh, ignore_errors=True)
            extra = ["--cache-dir", str(fresh)]
        elif features["--no-cache"]:
            extra = ["--no-cache"]
        return [*base, str(out), *extra]

    cold = Series(spec.name, "soc2iac", "scan (cold)" if (features["--cache-dir"] or features["--no-cache"]) else "scan",
                  shlex.join(["soc2iac", "scan", target, "-f", "json", "-o", "out.json"]))
    series.append((cold, cold_cmd))

    warm = Series(spec.name, "soc2iac", "scan (warm cache)", "")
    if features["--cache-dir"] or features["--no-cache"]:
        warm_dir = work / f"cache-warm-{spec.name.replace('/', '_')}"
        extra = ["--cache-dir", str(warm_dir)] if features["--cache-dir"] else []
        warm.command = shlex.join(["soc2iac", "scan", target, "-f", "json", "-o", "out.json",
                                   *(["--cache-dir", "WARM_DIR"] if extra else [])])
        primed = work / "prime.json"
        subprocess.run([*base, str(primed), *extra], cwd=cwd, env=soc_env, capture_output=True)
        series.append((warm, lambda i, out: [*base, str(out), *extra]))
        if single:  # pre-commit: the policy pack is cached, the staged file has just been edited
            edited = Series(spec.name, "soc2iac", "scan (edited file, warm cache)", warm.command)
            copy = work / "edited" / target  # a copy: the other series keep scanning the unedited file
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path / target, copy)

            def edit_then_scan(i: int, out: Path) -> list[str]:
                with copy.open("a", encoding="utf-8") as handle:
                    handle.write(f"# edit {i} {time.time_ns()}\n")  # a new text: its parse is not cached
                return [*soc, "scan", str(copy), "--format", "json", "--output", str(out), *extra]

            series.append((edited, edit_then_scan))
    else:
        warm.skipped = "no cache yet (soc2iac scan has no --cache-dir / --no-cache)"
        series.append((warm, None))

    if features["--jobs"] and not single:
        serial = Series(spec.name, "soc2iac", "scan --jobs 1 (cold)", shlex.join(["soc2iac", "scan", target, "--jobs", "1"]))
        series.append((serial, lambda i, out: [*cold_cmd(i, out), "--jobs", "1"]))

    frameworks = ["terraform"] + (["kubernetes"] if spec.k8s_docs else [])
    ck = Series(spec.name, "checkov", "scan", "")
    if single:
        ck_args = ["-f", target, "--framework", "terraform"]
    else:
        ck_args = ["-d", target, "--framework", *frameworks]
    ck_args += ["--quiet", "--compact", "--skip-download", "-o", "json"]
    ck.command = shlex.join(["checkov", *ck_args])
    if args.no_checkov:
        ck.skipped = "skipped (--no-checkov)"
        series.append((ck, None))
    elif spec.name in args.soc2iac_only:
        ck.skipped = "not run: soc2iac-only reference for the linearity check (checkov on large/2 takes minutes)"
        series.append((ck, None))
    elif checkov is None:
        ck.skipped = "not installed (python bench/run.py --setup-checkov)"
        series.append((ck, None))
    else:
        series.append((ck, lambda i, out: [checkov, *ck_args]))

    ck_env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "WARNING"}
    over_budget: set[int] = set()
    for i in range(args.runs):
        wait_idle(args.wait_idle, os.cpu_count() or 1)
        for k, (s, make) in enumerate(series):
            if make is None or k in over_budget:
                continue
            out = work / f"out-{s.tool}-{k}.json"
            cmd = make(i, out)
            env = ck_env if s.tool == "checkov" else soc_env
            run = measure(cmd, cwd=cwd, env=env, stdout=out if s.tool == "checkov" else work / "stdout.txt")
            s.runs.append(run)
            status = f"rc={run.rc}" + (f" ({run.note})" if run.note else "")
            rss = f"{run.rss_mib:,.0f} MiB" if run.rss_mib else "?"
            print(f"  [{spec.name}] run {i + 1}/{args.runs} {s.tool:8} {s.variant:22} {run.wall:8.2f} s  {rss:>9}  {status}",
                  flush=True)
            if i == 0:
                s.resources, s.findings = (summarize_checkov if s.tool == "checkov" else summarize_soc2iac)(out)
            if run.wall > args.budget:
                over_budget.add(k)
    return [s for s, _ in series]


def bench_startup(args: argparse.Namespace, soc: list[str], soc_env: dict[str, str], checkov: str | None,
                  work: Path) -> list[Series]:
    items = [Series("start-up", "soc2iac", "--version", "soc2iac --version"),
             Series("start-up", "soc2iac", "--help", "soc2iac --help"),
             Series("start-up", "checkov", "--version", "checkov --version")]
    cmds: list[list[str] | None] = [[*soc, "--version"], [*soc, "--help"], [checkov, "--version"] if checkov else None]
    if not checkov or args.no_checkov:
        items[2].skipped = "not installed" if not checkov else "skipped (--no-checkov)"
        cmds[2] = None
    ck_env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}
    for cmd in cmds:  # warm-up: bytecode compiled, files in the page cache
        if cmd:
            subprocess.run(cmd, capture_output=True, env=soc_env if cmd[0] != checkov else ck_env)
    wait_idle(args.wait_idle, os.cpu_count() or 1)
    for i in range(max(args.runs, 5)):
        for s, cmd in zip(items, cmds):
            if cmd:
                s.runs.append(measure(cmd, cwd=work, env=ck_env if s.tool == "checkov" else soc_env,
                                      stdout=work / "stdout.txt"))
    for s in items:
        if s.runs:
            print(f"  [start-up] {s.tool:8} {s.variant:10} median {s.median():.3f} s")
    return items


# ---------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------

def fmt_s(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 100 else f"{x:.0f}"


COLUMNS = ("| corpus | tool / measure | runs | wall median s | wall min–max s | CPU s | checkov / soc2iac (wall) "
           "| checkov / soc2iac (CPU) | peak RSS MiB | CPU % | load | resources | results |")


def row(s: Series, other: Series | None = None) -> str:
    """One table row; ``other`` is the checkov series the ratios of a soc2iac row compare with."""
    runs = s.ok_runs()
    if s.skipped or not runs:
        why = s.skipped or "; ".join(r.note for r in s.runs if r.note) or "failed"
        return f"| {s.corpus} | {s.tool} {s.variant} | – | {why} | | | | | | | | | |"
    walls = [r.wall for r in runs]
    rss = [r.rss_mib for r in runs if r.rss_mib]
    cpu_pct = statistics.median(r.cpu / r.wall * 100 for r in runs if r.wall > 0)
    notes = sorted({r.note for r in s.runs if r.note})
    rcs = sorted({r.rc for r in runs if r.rc is not None})
    found = s.findings + (f" (exit {','.join(map(str, rcs))})" if rcs else "") + (f"; {'; '.join(notes)}" if notes else "")
    wall_ratio = cpu_ratio = ""
    if other is not None and other.ok_runs():
        wall_ratio = ratio_of(other.median(), s.median())
        cpu_ratio = ratio_of(other.cpu_median(), s.cpu_median())
    load = statistics.median(r.load for r in runs)
    return (f"| {s.corpus} | {s.tool} {s.variant} | {len(runs)} | **{fmt_s(s.median())}** | {fmt_s(min(walls))}–{fmt_s(max(walls))} "
            f"| {fmt_s(s.cpu_median())} | {wall_ratio} | {cpu_ratio} | {max(rss):,.0f} | {cpu_pct:.0f} % | {load:.1f} "
            f"| {'' if s.resources is None else f'{s.resources:,}'} | {found} |")


def ratio_of(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}×" if a and b else ""


def wait_idle(limit: float, cores: int) -> None:
    """Wait up to ``limit`` seconds for the 1-minute load average to drop below 0.75 × cores."""
    if limit <= 0:
        return
    deadline = time.monotonic() + limit
    while os.getloadavg()[0] > 0.75 * cores and time.monotonic() < deadline:
        time.sleep(10)


def machine(soc: list[str], soc_env: dict[str, str], checkov: str | None) -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    py = interpreter_of(soc)
    pyver = version_of([py, "-c", "import sys; print(sys.version.split()[0])"], soc_env)
    deps = version_of([py, "-c", "import importlib.metadata as m, yaml;"
                       "print('python-hcl2', m.version('python-hcl2') + '; PyYAML', m.version('PyYAML'),"
                       "'(C loader)' if hasattr(yaml, 'CSafeLoader') else '(pure Python)')"], soc_env)
    commit = version_of(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], soc_env)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "soc2iac", "policies"],
                           capture_output=True, text=True).stdout.strip()
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "ram": ram,
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "python": pyver,
        "soc2iac": version_of([*soc, "--version"], soc_env) + f" (checkout {commit}{', uncommitted changes' if dirty else ''})",
        "deps": deps,
        "checkov": (version_of([checkov, "--version"], {**os.environ, "BC_SKIP_MAPPING": "TRUE"}) if checkov else "not installed"),
        "rss": "/usr/bin/time -v" if TIME_BIN else "getrusage(RUSAGE_CHILDREN) in a wrapper process",
        "load": "1/5/15-min load average at the start: " + " / ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def targets(all_series: list[Series], features: dict[str, bool]) -> list[str]:
    """The issue's targets, measured here: met or not (informational, never asserted)."""
    def find(corpus_name: str, tool: str, variant: str) -> Series | None:
        return next((s for s in all_series if s.corpus == corpus_name and s.tool == tool and s.variant == variant), None)

    cold_variant = "scan (cold)" if (features["--cache-dir"] or features["--no-cache"]) else "scan"
    out = []

    def line(what: str, target: str, value: str, ok: bool | None) -> None:
        out.append(f"| {what} | {target} | {value} | {'met' if ok else 'not met' if ok is not None else '–'} |")

    def ratio(a: Series, b: Series) -> tuple[float, str]:
        """checkov / soc2iac, wall (the target's measure) and CPU (steadier on a shared machine)."""
        r = (b.median() or 0) / (a.median() or 1)
        rc = (b.cpu_median() or 0) / (a.cpu_median() or 1)
        return r, f"{r:.1f}× wall ({rc:.1f}× CPU)"

    v = find("start-up", "soc2iac", "--version")
    if v and v.median() is not None:
        line("`soc2iac --version`", "≤ 0.15 s", f"{v.median():.3f} s", v.median() <= 0.15)
    for variant, what in (("scan (edited file, warm cache)", "pre-commit: an edited file"),
                          (cold_variant, "cold: empty cache"), ("scan (warm cache)", "unchanged file")):
        s = find("small", "soc2iac", variant)
        if s and s.median() is not None:
            line(f"`soc2iac scan main.tf` (10 KB; {what})", "≤ 0.2 s",
                 f"{s.median():.3f} s ({s.cpu_median() or 0:.3f} s CPU)", s.median() <= 0.2)
    for corpus_name, label in (("medium", "medium, terragoat-sized (47 .tf, 100 KB)"),
                               ("modules", "modules, real-world-shaped (46 .tf, 40 roots)")):
        mc = find(corpus_name, "checkov", "scan")
        for variant, what, want in ((cold_variant, "cold", 15.0), ("scan (warm cache)", "warm", 25.0)):
            m = find(corpus_name, "soc2iac", variant)
            if m and mc and m.median() and mc.median():
                r, text = ratio(m, mc)
                line(f"{label}: checkov / soc2iac ({what})", f"≥ {want:g}×", text, r >= want)
    big = [n for n in ("large", "large/2", "large/4") if find(n, "soc2iac", cold_variant)]
    if big:
        b = find(big[0], "soc2iac", cold_variant)
        assert b is not None
        bc = find(big[0], "checkov", "scan")
        if bc and bc.median() and b.median():
            r, text = ratio(b, bc)
            line(f"{big[0]}: checkov / soc2iac (cold)", "≥ 25×", text, r >= 25)
        rss = max((r.rss_mib or 0) for r in b.ok_runs()) if b.ok_runs() else 0
        line(f"{big[0]}: peak RSS", "≤ 300 MB (286 MiB)", f"{rss:,.0f} MiB", rss <= 300e6 / 2**20 if rss else None)
        w = find(big[0], "soc2iac", "scan (warm cache)")
        if w and w.median() and b.median():
            line(f"{big[0]}: warm / cold", "≤ 20 %", f"{w.median() / b.median() * 100:.0f} %", w.median() / b.median() <= 0.2)
        else:
            line(f"{big[0]}: warm / cold", "≤ 20 %", "no cache yet", None)
    pairs = [("large/2", "large"), ("large/4", "large/2")]
    for small_name, big_name in pairs:
        a, b2 = find(small_name, "soc2iac", cold_variant), find(big_name, "soc2iac", cold_variant)
        if a and b2 and a.median() and b2.median():
            r = b2.median() / a.median()
            rc = (b2.cpu_median() or 0) / (a.cpu_median() or 1)
            line(f"linearity: {big_name} / {small_name} (2× input)", "≤ 2.1×",
                 f"{r:.2f}× wall ({rc:.2f}× CPU)", rc <= 2.1)
            break
    return out


def render(meta: dict[str, str], corpora: dict[str, dict[str, Any]], startup: list[Series], results: list[Series],
           features: dict[str, bool], args: argparse.Namespace, elapsed: float) -> str:
    lines = ["# soc2iac benchmark results", "",
             f"Generated by `python bench/run.py{' --quick' if args.quick else ''}"
             f"{' --sizes ' + args.sizes if args.sizes else ''}"
             f"{f' --wait-idle {args.wait_idle:g}' if getattr(args, 'wait_idle', 0) else ''}` on {meta['date']} in {elapsed / 60:.1f} min. "
             "Numbers are measurements, never asserted by tests; rerun to refresh.", "",
             "## Machine", "",
             "| | |", "|---|---|"]
    for key, label in [("cpu", "CPU"), ("ram", "RAM"), ("os", "OS"), ("python", "Python"), ("soc2iac", "soc2iac"),
                       ("deps", "parsers"), ("checkov", "checkov"), ("rss", "peak RSS from"), ("load", "load"),
                       ("date", "date")]:
        lines.append(f"| {label} | {meta[key]} |")
    cache = ("cache options: " + ", ".join(k for k, v in features.items() if v)) if any(features.values()) else \
        "no cache yet (soc2iac scan has no --cache-dir / --no-cache / --jobs)"
    lines += ["", f"soc2iac performance options found: {cache}.", "",
              "## Corpora", "", "| corpus | content |", "|---|---|"]
    for name, info in corpora.items():
        lines.append(f"| {name} | {describe(info)} |")
    lines += ["", "## Start-up", "", COLUMNS, "|---" * 13 + "|"]
    ck_v = next((s for s in startup if s.tool == "checkov"), None)
    for s in startup:
        lines.append(row(s, ck_v if s.tool == "soc2iac" else None))
    lines += ["", f"## Scans ({args.runs} runs each, interleaved; median in bold)", "",
              "Ratios = checkov median / soc2iac median on the same corpus (higher: soc2iac faster), by wall time "
              "and by CPU time (user + sys of the process tree; less sensitive to other load on the machine). "
              "CPU % = CPU / wall (200 % = both cores busy). Load = 1-minute load average when the runs started "
              f"({os.cpu_count()} cores: above that, other work competed for the CPU and wall times are inflated). "
              "Results: soc2iac counts (policy, resource) verdicts, checkov counts check results; the policy sets "
              "differ, so only time and memory compare.", "", COLUMNS, "|---" * 13 + "|"]
    for name in corpora:
        group = [s for s in results if s.corpus == name]
        ck = next((s for s in group if s.tool == "checkov"), None)
        for s in group:
            lines.append(row(s, ck if s.tool == "soc2iac" else None))
    lines += ["", "## Issue 21 targets (measured here)", "", "| target | wanted | measured | |", "|---|---|---|---|"]
    lines += targets(startup + results, features)
    lines += ["", "Commands (run in the corpus folder; `out.json` is a temp file):", ""]
    seen = set()
    for s in startup + results:
        if s.command and s.command not in seen and not s.skipped:
            seen.add(s.command)
            lines.append(f"- `{s.command}`")
    lines += ["", "checkov runs from its own venv (it cannot share soc2iac's: bc-python-hcl2 replaces python-hcl2's "
              "`hcl2` module), with `BC_SKIP_MAPPING=TRUE` and `--skip-download` so it makes no network calls. "
              "A command whose first run took longer than "
              f"{args.budget:.0f} s was run once. Profile: bench/PROFILE.md.", ""]
    gaps = BENCH / "GAPS.md"  # written by hand after a run: each target not met, why, what would close it
    if gaps.exists():
        lines += [gaps.read_text().rstrip(), ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# profile
# ---------------------------------------------------------------------------

PHASES = [
    # (label, predicate on (function name without class, file)): the innermost matching frame decides
    ("imports", lambda fn, f: fn == "_find_and_load"),
    ("HCL parsing of .tf files (tree-sitter; python-hcl2 / lark)",
     lambda fn, f: fn in ("parse_hcl_text", "_fast_parse_both")),
    ("expression trees (from the tree-sitter tree; hcl_syntax)",
     lambda fn, f: (fn == "parse_file" and "hcl_syntax" in f) or (fn == "expressions" and "hcl_ts_syntax" in f)),
    ("Terraform model (modules, expressions, line maps)",
     lambda fn, f: any(k in f for k in ("soc2iac/parsers/terraform", "soc2iac/parsers/hcl_"))),
    ("Kubernetes YAML parse + model", lambda fn, f: "soc2iac/parsers/kubernetes" in f),
    ("gateway parse", lambda fn, f: any(k in f for k in ("soc2iac/parsers/kong", "soc2iac/parsers/nginx",
                                                         "soc2iac/parsers/envoy", "soc2iac/parsers/traefik"))),
    ("file discovery", lambda fn, f: fn == "collect" and "soc2iac/scanner" in f),
    ("policy loading + validation", lambda fn, f: fn in ("load_policies", "_builtin") and "soc2iac/policy" in f),
    ("policy evaluation", lambda fn, f: (fn == "evaluate" and "soc2iac/engine" in f) or "soc2iac/checks/" in f),
    ("waivers", lambda fn, f: fn == "apply_all" and "soc2iac/waivers" in f),
    ("scope (input SHA-256, git)", lambda fn, f: fn == "scope_of"),
    ("sorting findings", lambda fn, f: fn == "sort_findings"),
    ("reporting", lambda fn, f: "soc2iac/reporters/" in f or fn == "_emit"),
]
OTHER = "other (CLI, start-up, glue)"


def phase_after(phase: str, function: str, file: str) -> str:
    fn = function.rsplit(".", 1)[-1]
    for label, pred in PHASES:
        if pred(fn, file):
            if label.startswith("Kubernetes") and phase == "gateway parse":
                return phase  # gateway parsers reuse the YAML composer
            if label.startswith("Terraform model") and phase.startswith(("HCL parsing", "expression trees")):
                return phase  # the parsers' own frames (hcl_treesitter, hcl_ts_syntax) are parsing, not the model
            return label
    return phase


# the four shares: each phase above counts towards one of them (the rest is start-up and glue)
GROUPS = {  # label prefixes of PHASES
    "parse": ("HCL parsing", "expression trees", "Kubernetes YAML parse", "gateway parse", "file discovery"),
    "evaluate": ("Terraform model",),
    "policies": ("policy loading", "policy evaluation", "waivers", "sorting findings"),
    "report": ("reporting", "scope"),
}


def phase_tables(phases: dict[str, float], selfs: dict[tuple[str, str], float], total: float, unit: str) -> list[str]:
    shares = {g: sum(t for label, t in phases.items() if label.startswith(prefixes)) for g, prefixes in GROUPS.items()}
    beyond = shares["evaluate"] + shares["policies"] + shares["report"]
    lines = ["Shares: " + ", ".join(f"{g} {t / total * 100:.0f} %" for g, t in shares.items())
             + f", other {(total - sum(shares.values())) / total * 100:.0f} %. Evaluation, policies and reporting "
             f"together: {beyond / total * 100:.0f} % (target ≤ 50 % of a cold large scan).", ""]
    lines += ["| phase | " + unit + " | % |", "|---|---|---|"]
    for label, t in sorted(phases.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {label} | {t:.2f} | {t / total * 100:.1f} % |")
    lines += ["", "Top functions by self time:", "", f"| function | where | self {unit} | % |", "|---|---|---|---|"]
    for (fn, where), t in sorted(selfs.items(), key=lambda kv: -kv[1])[:20]:
        lines.append(f"| `{fn}` | `{where}` | {t:.2f} | {t / total * 100:.1f} % |")
    return lines


_PYSPY_FRAME = re.compile(r"^(?P<fn>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def analyze_pyspy(raw_file: Path, rate: int) -> tuple[list[str], dict[str, float], float]:
    """Phases and top functions from py-spy's collapsed stacks ("f (file:line);g (...) count")."""
    phases: dict[str, float] = {}
    selfs: dict[tuple[str, str], float] = {}
    total = 0.0
    for line in raw_file.read_text(errors="replace").splitlines():
        stack_text, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        secs = int(count) / rate
        total += secs
        phase = OTHER
        fn = where = "?"
        for part in stack_text.split(";"):
            m = _PYSPY_FRAME.match(part)
            fn, file = (m.group("fn"), m.group("file")) if m else (part, "")
            fn = fn or "(native)"
            phase = phase_after(phase, fn, file.replace("\\", "/"))
            where = file.replace(str(ROOT) + "/", "")
        phases[phase] = phases.get(phase, 0.0) + secs
        # self time per function (not per line: py-spy's line is the executing line)
        selfs[(fn, where)] = selfs.get((fn, where), 0.0) + secs
    return phase_tables(phases, selfs, total or 1.0, "s"), phases, total


def analyze_profile(session_file: str) -> str:
    """Markdown from a pyinstrument session: phases, top functions, condensed tree (runs in soc2iac's Python)."""
    from pyinstrument.renderers import ConsoleRenderer
    from pyinstrument.session import Session

    session = Session.load(session_file)
    root = session.root_frame(trim_stem=False)
    if root is None:
        return "(empty profile)\n"
    total = root.time
    phases: dict[str, float] = {}
    selfs: dict[tuple[str, str], float] = {}
    stack = [(root, OTHER)]
    while stack:
        frame, phase = stack.pop()
        if frame.is_synthetic:
            continue  # [self] / [await] leaves: counted in their parent's total_self_time
        f = (frame.file_path or "").replace("\\", "/")
        phase = phase_after(phase, frame.function, f)
        own = frame.total_self_time
        if own > 0:
            phases[phase] = phases.get(phase, 0.0) + own
            short = (frame.file_path_short or f).replace(str(ROOT) + "/", "")
            key = (frame.function, short)
            selfs[key] = selfs.get(key, 0.0) + own
        stack.extend((c, phase) for c in frame.children)
    lines = [f"pyinstrument total: {total:.2f} s (profiler overhead included).", ""]
    lines += phase_tables(phases, selfs, total, "s")
    tree = ConsoleRenderer(unicode=False, color=False, show_all=False, time="seconds",
                           processor_options={"filter_threshold": 0.02}).render(session)
    tree_lines = [ln for ln in tree.splitlines() if ln.strip()]
    lines += ["", "Call tree (pyinstrument, frames ≥ 2 % of the total, library internals folded):", "", "```"]
    lines += tree_lines[:100] + (["... (truncated)"] if len(tree_lines) > 100 else []) + ["```", ""]
    return "\n".join(lines)


def profile(targets_: list[tuple[str, Path, str]], soc: list[str], soc_env: dict[str, str],
            features: dict[str, bool], work: Path, plain: dict[str, float]) -> str:
    """py-spy (low overhead: phases, top functions) and pyinstrument (call tree) of soc2iac scan."""
    py = interpreter_of(soc)
    has_pyinstrument = subprocess.run([py, "-c", "import pyinstrument, soc2iac"], capture_output=True,
                                      env=soc_env).returncode == 0
    pyspy = next((c for c in (str(Path(py).parent / "py-spy"), shutil.which("py-spy")) if c and Path(c).exists()), None)
    if not has_pyinstrument and not pyspy:
        return ("# soc2iac profile\n\nNot profiled: neither py-spy nor pyinstrument is installed in soc2iac's "
                f"environment (`{py} -m pip install py-spy pyinstrument`, or `pip install -e '.[bench]'`).\n")
    extra = (["--no-cache"] if features["--no-cache"] else []) + (["--jobs", "1"] if features["--jobs"] else [])
    rate = 250
    doc = ["# soc2iac profile", "",
           f"`soc2iac scan DIR --format json --output out.json{' ' + ' '.join(extra) if extra else ''}` on the "
           "bench corpora (python bench/run.py writes this file; corpora in bench/corpus.py). Phases are "
           "assigned by the innermost matching frame (e.g. `import hcl2` inside parsing counts as imports). "
           f"py-spy samples the process from outside at {rate} Hz (overhead a few %): its numbers are the ones "
           "to trust. pyinstrument's call tree shows the structure; its own overhead inflates deep call stacks "
           "(lark). Time in worker processes (if soc2iac parallelises) is not visible, hence `--jobs 1` when "
           "the option exists.", ""]
    for name, cwd, target in targets_:
        doc += [f"## {name}", ""]
        if name in plain:
            doc += [f"Unprofiled median wall time of the same scan (RESULTS.md): {plain[name]:.2f} s.", ""]
        scan_args = ["scan", target, "--format", "json", "--output", str(work / "profile-out.json"), *extra]
        if pyspy:
            raw = work / f"profile-{name.replace('/', '_')}.raw"
            started = time.perf_counter()
            proc = subprocess.run([pyspy, "record", "-r", str(rate), "-f", "raw", "-o", str(raw), "--", py, "-m",
                                   "soc2iac", *scan_args], cwd=cwd, env=soc_env, capture_output=True, text=True)
            wall = time.perf_counter() - started
            print(f"  [profile] py-spy {name}: {wall:.1f} s (exit {proc.returncode})", flush=True)
            if raw.exists():
                tables, _, total = analyze_pyspy(raw, rate)
                doc += [f"### py-spy: {total:.2f} s sampled, wall {wall:.2f} s", ""] + tables + [""]
            else:
                doc += [f"py-spy failed: {(proc.stderr.strip().splitlines() or ['?'])[-1]}", ""]
        if has_pyinstrument:
            session = work / f"profile-{name.replace('/', '_')}.pyisession"
            started = time.perf_counter()
            proc = subprocess.run([py, "-m", "pyinstrument", "-i", "0.002", "-r", "pyisession", "-o", str(session),
                                   "-m", "soc2iac", *scan_args], cwd=cwd, env=soc_env, capture_output=True, text=True)
            wall = time.perf_counter() - started
            print(f"  [profile] pyinstrument {name}: {wall:.1f} s (exit {proc.returncode})", flush=True)
            analysis = subprocess.run([py, str(Path(__file__).resolve()), "--analyze-profile", str(session)],
                                      capture_output=True, text=True, env=soc_env, cwd=work)
            doc += ["### pyinstrument", "", analysis.stdout if analysis.returncode == 0 else
                    f"analysis failed: {analysis.stderr.strip().splitlines()[-1:]}", ""]
    return "\n".join(doc)


def render_from(raw_file: Path, args: argparse.Namespace) -> int:
    raw = json.loads(raw_file.read_text())
    series = []
    for d in raw["series"]:
        runs = [Run(**r) for r in d.pop("runs")]
        series.append(Series(**d, runs=runs))
    for key, value in raw.get("args", {"quick": False, "sizes": None, "runs": 3, "budget": 240.0}).items():
        setattr(args, key, value)
    startup = [s for s in series if s.corpus == "start-up"]
    results = [s for s in series if s.corpus != "start-up"]
    report = render(raw["machine"], raw["corpora"], startup, results, raw["features"], args, raw.get("elapsed", 0.0))
    args.results.write_text(report)
    print(report)
    return 0


# ---------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small, medium and large/4 only")
    ap.add_argument("--sizes", help=f"comma-separated corpora out of {', '.join(SPECS)}")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--budget", type=float, default=240.0,
                    help="a command whose first run takes longer is not repeated (seconds)")
    ap.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                    help="before each round, wait up to this long for the load average to drop below 0.75 x cores")
    ap.add_argument("--no-checkov", action="store_true")
    ap.add_argument("--checkov", help="path of the checkov executable")
    ap.add_argument("--setup-checkov", action="store_true", help=f"install checkov into {CHECKOV_VENV} and exit")
    ap.add_argument("--checkov-version", default=CHECKOV_VERSION)
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--soc2iac", help="soc2iac command to time (default: the one next to this Python, or on PATH)")
    ap.add_argument("--keep", type=Path, help="generate the corpora here and keep them")
    ap.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    ap.add_argument("--profile-out", type=Path, default=BENCH / "PROFILE.md")
    ap.add_argument("--analyze-profile", help=argparse.SUPPRESS)
    ap.add_argument("--render-from", type=Path, metavar="RESULTS.json",
                    help="only rewrite --results from the raw numbers of an earlier run")
    args = ap.parse_args()

    if args.analyze_profile:
        print(analyze_profile(args.analyze_profile))
        return 0
    if args.setup_checkov:
        return setup_checkov(args.checkov_version)
    if args.render_from:
        return render_from(args.render_from, args)

    names = args.sizes.split(",") if args.sizes else (QUICK if args.quick else FULL)
    unknown = [n for n in names if n not in SPECS]
    if unknown:
        ap.error(f"unknown size(s) {unknown}; choose from {list(SPECS)}")
    # in the full run large/2 is only there to check that soc2iac's time grows linearly
    args.soc2iac_only = {"large/2"} if ("large/2" in names and "large" in names) else set()
    soc, soc_env = soc2iac_command(args.soc2iac)
    probe = subprocess.run([*soc, "--version"], capture_output=True, text=True, env=soc_env)
    if probe.returncode != 0:
        print(f"soc2iac does not run ({shlex.join(soc)}): install it first, e.g. "
              "python3 -m venv .venv && .venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/run.py --quick",
              file=sys.stderr)
        return 2
    checkov = None if args.no_checkov else find_checkov(args.checkov)
    features = scan_features(soc, soc_env)
    started = time.perf_counter()

    base = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="soc2iac-bench-"))
    work = base / "_work"
    work.mkdir(parents=True, exist_ok=True)
    try:
        meta = machine(soc, soc_env, checkov)
        print(f"soc2iac: {shlex.join(soc)} ({meta['soc2iac']}); checkov: {checkov or 'not installed'}; "
              f"options: {features}; corpora in {base}", flush=True)
        print("start-up ...", flush=True)
        startup = bench_startup(args, soc, soc_env, checkov, work)
        corpora: dict[str, dict[str, Any]] = {}
        results: list[Series] = []
        paths: dict[str, Path] = {}
        for name in names:
            spec = SPECS[name]
            path = base / name.replace("/", "_")
            shutil.rmtree(path, ignore_errors=True)
            info = build_corpus(spec, path, soc, soc_env)
            corpora[name] = info
            paths[name] = path
            print(f"{name}: {describe(info)}", flush=True)
            results += bench_corpus(spec, path, info, args, soc, soc_env, checkov, features, work)
        elapsed = time.perf_counter() - started
        report = render(meta, corpora, startup, results, features, args, elapsed)
        args.results.write_text(report)
        raw = {"machine": meta, "features": features, "corpora": corpora, "elapsed": elapsed,
               "args": {"quick": args.quick, "sizes": args.sizes, "runs": args.runs, "budget": args.budget,
                        "wait_idle": args.wait_idle},
               "series": [asdict(s) for s in startup + results]}
        args.results.with_suffix(".json").write_text(json.dumps(raw, indent=1) + "\n")
        print()
        print(report)
        if not args.no_profile:
            chosen = ([n for n in names if n in ("medium", "modules")]
                      + [n for n in names if n.startswith("large")][-1:])
            prof_targets = [(n, paths[n].parent, paths[n].name) for n in chosen]
            if prof_targets:
                print("profiling ...", flush=True)
                plain = {s.corpus: m for s in results if s.tool == "soc2iac" and s.variant in ("scan", "scan (cold)")
                         and (m := s.median()) is not None}
                args.profile_out.write_text(profile(prof_targets, soc, soc_env, features, work, plain))
                print(f"wrote {args.profile_out}")
        print(f"wrote {args.results} and {args.results.with_suffix('.json')} ({(time.perf_counter() - started) / 60:.1f} min)")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
