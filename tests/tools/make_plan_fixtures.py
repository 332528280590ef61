#!/usr/bin/env python3
"""Produce real ``terraform show -json`` plan documents as test fixtures.

For each policy id, ``terraform_fixtures/<id>/fail.tf`` and ``pass.tf`` are each
copied ALONE into a fresh temporary directory (all files of a fixture folder share
one Terraform module, so they cannot be planned together), next to a generated
``provider.tf`` that pins hashicorp/aws 5.100.0 and points the provider at a local
moto server. Then::

    terraform init -input=false -plugin-dir=<mirror>
    terraform plan -input=false -lock=false -out tf.plan
    terraform show -json tf.plan

and the JSON is written to ``terraform_fixtures/<id>/fail.plan.json`` /
``pass.plan.json`` (``json.loads`` + ``json.dump(indent=1)``: Terraform's own key
order, nothing sorted or rewritten). Nothing is applied: planning a fresh
configuration without state makes no API calls except for data sources, so
fixtures with data sources are a poor fit (moto answers only what it implements).

Usage (from the repository root, with the dev virtualenv)::

    python tests/tools/make_plan_fixtures.py                      # DEFAULT_IDS
    python tests/tools/make_plan_fixtures.py aws-s3-bucket-encrypted aws-ebs-volume-encrypted
    python tests/tools/make_plan_fixtures.py --kinds fail aws-ssm-parameter-secure-string
    python tests/tools/make_plan_fixtures.py --no-write <ids...>  # plan only, write nothing

Needs: ``terraform`` on PATH (or $TERRAFORM), the hashicorp/aws 5.100.0 provider in
a filesystem mirror (found under /opt, /usr/share, ~/.terraform.d, or given by
$SOC2IAC_TF_PLUGIN_DIR), and moto[server] importable by the running Python (``pip install 'moto[server]'``; run
through ``moto_serve.py``). No network access.

Input variables: ``-input=false`` cannot plan a variable without a default. The
values in FIXTURE_VARS below are passed with ``-var`` for the fixtures that need
them (dummy values, never real secrets); any other fixture with a required
variable is reported and skipped. Fixtures that need a provider other than
hashicorp/aws (e.g. hashicorp/random) are skipped when the mirror lacks it.

Output notes: the plan JSON records Terraform's ``timestamp`` and the provider
configuration (including the moto endpoint port, which is random per run), so a
regenerated file differs from the previous one in those places only.

Exit status: 0 when every requested plan was written, 1 when some were skipped or
failed, 2 when a prerequisite (terraform, mirror, moto) is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "terraform_fixtures"

AWS_VERSION = "5.100.0"
AWS_SOURCE = "registry.terraform.io/hashicorp/aws"

DEFAULT_IDS = [
    "aws-cloudwatch-log-group-retention",  # retention
    "aws-ebs-volume-encrypted",  # encryption
    "aws-s3-bucket-encrypted",  # encryption
    "aws-lb-listener-tls12",  # TLS
    "aws-ssm-parameter-secure-string",  # secrets (pass.tf needs hashicorp/random: skipped offline)
    "aws-lambda-env-no-secrets",  # secrets, plannable with the aws provider alone
    "plan-control-removed",  # change management: applies <kind>.tf.before, then plans <kind>.tf
]

# -var values for fixtures whose variables have no default ("<policy-id>/<file>").
# Dummy values only: they end up in the plan JSON's "variables" section.
FIXTURE_VARS: dict[str, dict[str, str]] = {
    "aws-ssm-parameter-secure-string/fail.tf": {"billing_db_password": "fixture-dummy-value"},
    "aws-lambda-env-no-secrets/pass.tf": {"sentry_dsn": "https://fixture-dummy@sentry.example.com/1"},
}

# Canonical names of the provider's `endpoints` arguments (aliases such as
# cloudwatchlogs/es/eventbridge are left out: setting an alias and its canonical
# name together is an error).
ENDPOINT_SERVICES = [
    "acm", "apigateway", "apigatewayv2", "cloudfront", "cloudtrail", "cloudwatch",
    "codebuild", "cognitoidp", "dynamodb", "ec2", "efs", "eks", "elasticache", "elb",
    "elbv2", "events", "iam", "kinesis", "kms", "lambda", "logs", "mq", "opensearch",
    "rds", "s3", "secretsmanager", "sns", "sqs", "ssm", "sts",
]

PLAN_KEYS = ("format_version", "planned_values", "resource_changes", "configuration")


class Missing(Exception):
    """A prerequisite (terraform, provider mirror, moto) is not available."""


class Skip(Exception):
    """This fixture cannot be planned here; the message says why."""


# --------------------------------------------------------------------------- discovery


def find_terraform() -> str:
    exe = os.environ.get("TERRAFORM") or shutil.which("terraform")
    if not exe:
        raise Missing("terraform not found on PATH (or set $TERRAFORM); install Terraform >= 1.5")
    return exe


def _is_mirror(path: Path) -> bool:
    return (path / AWS_SOURCE / AWS_VERSION).is_dir()


def find_mirror() -> Path:
    env = os.environ.get("SOC2IAC_TF_PLUGIN_DIR")
    if env:
        if _is_mirror(Path(env)):
            return Path(env)
        raise Missing(f"$SOC2IAC_TF_PLUGIN_DIR={env} holds no {AWS_SOURCE}/{AWS_VERSION}")
    roots = [Path("/opt"), Path("/usr/share"), Path.home() / ".terraform.d"]
    for root in roots:
        if not root.is_dir():
            continue
        # A mirror is a folder holding registry.terraform.io/...; look a few levels down.
        for dirpath, dirnames, _ in os.walk(root):
            here = Path(dirpath)
            if _is_mirror(here):
                return here
            depth = len(here.relative_to(root).parts)
            if depth >= 3 or "registry.terraform.io" in dirnames:
                dirnames[:] = []
            else:
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
    raise Missing(
        f"no filesystem mirror with {AWS_SOURCE} {AWS_VERSION} under "
        + ", ".join(str(r) for r in roots)
        + "; set $SOC2IAC_TF_PLUGIN_DIR to the folder that contains registry.terraform.io/"
    )


def find_moto() -> str:
    """The Python that runs moto's server (``moto_serve.py``): this one, when it has moto[server]."""
    import importlib.util

    for module in ("moto.moto_server.werkzeug_app", "werkzeug.serving", "botocore.session"):
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            raise Missing(f"{module} cannot be imported by {sys.executable}; pip install 'moto[server]'")
    return sys.executable


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------- moto


class MotoServer:
    """moto on 127.0.0.1 through ``moto_serve.py`` (see there for the protocol gap it closes)."""

    def __init__(self, python: str, workdir: Path) -> None:
        self.python = python
        self.port = free_port()
        self.log_path = workdir / "moto.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        log = open(self.log_path, "wb")
        try:
            # Own session: a Ctrl-C in the terminal reaches only this script, which
            # then stops the server itself in stop().
            self.proc = subprocess.Popen(
                [self.python, str(Path(__file__).with_name("moto_serve.py")), "-H", "127.0.0.1",
                 "-p", str(self.port)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=(os.name != "nt"),
            )
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Missing(f"moto_server exited with {self.proc.returncode}: {self._log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/moto-api/", timeout=1):
                    return
            except urllib.error.HTTPError:
                return  # it answered
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise Missing(f"moto_server did not answer on {self.url} within {timeout:.0f}s: {self._log_tail()}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):  # slow, or a second Ctrl-C
            proc.kill()
            proc.wait(timeout=10)

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-800:].strip()
        except OSError:
            return ""


# --------------------------------------------------------------------------- terraform


def provider_tf(endpoint: str) -> str:
    endpoints = "\n".join(f'    {name:<15} = "{endpoint}"' for name in ENDPOINT_SERVICES)
    return f"""terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "{AWS_VERSION}"
    }}
  }}
}}

provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true

  endpoints {{
{endpoints}
  }}
}}
"""


def tf_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1", TF_INPUT="0",
        # Never reach real AWS through the environment or a shared config.
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "TF_LOG", "TF_WORKSPACE", "TF_DATA_DIR"):
        env.pop(var, None)
    for var in [k for k in env if k.startswith("TF_VAR_") or k.startswith("TF_CLI_ARGS")]:
        del env[var]
    cfg = env.get("TF_CLI_CONFIG_FILE")
    if cfg and not Path(cfg).is_file():
        # A configured but missing CLI config only makes Terraform print a warning.
        empty = workdir / "terraformrc"
        empty.write_text("")
        env["TF_CLI_CONFIG_FILE"] = str(empty)
    return env


_LIVE: set[subprocess.Popen[str]] = set()  # terraform processes running now
_LIVE_LOCK = threading.Lock()
_STOPPING = threading.Event()


def run(cmd: list[str], cwd: Path, env: dict[str, str], what: str, timeout: float = 300) -> str:
    if _STOPPING.is_set():
        raise Skip(f"{what}: interrupted")
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with _LIVE_LOCK:
        _LIVE.add(proc)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise Skip(f"{what} timed out after {timeout:.0f}s") from None
    finally:
        with _LIVE_LOCK:
            _LIVE.discard(proc)
    if proc.returncode != 0:
        raise Skip(f"{what} failed:\n{_explain(stderr or stdout)}")
    return stdout


def interrupt_children() -> None:
    """Ask running terraform processes to stop (they halt cleanly on SIGINT)."""
    _STOPPING.set()
    with _LIVE_LOCK:
        procs = list(_LIVE)
    for proc in procs:
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGINT if os.name != "nt" else signal.SIGTERM)
            except OSError:
                pass


def _explain(stderr: str) -> str:
    missing_vars = re.findall(r'The root module input variable "([^"]+)" is not set', stderr)
    if missing_vars:
        return ("  required variable(s) without a value: " + ", ".join(missing_vars)
                + " (add dummy values to FIXTURE_VARS)")
    providers = sorted(set(re.findall(r"provider (registry\.terraform\.io/[\w-]+/[\w-]+)", stderr)))
    if providers and ("Failed to query available provider packages" in stderr
                      or "could not find" in stderr.lower()):
        return "  provider(s) not in the mirror: " + ", ".join(p for p in providers if p != AWS_SOURCE)
    lines = [line.rstrip() for line in stderr.strip().splitlines() if line.strip()]
    return "\n".join("  " + line for line in lines[-25:])


def plan_one(fixture: Path, terraform: str, mirror: Path, endpoint: str,
             variables: dict[str, str]) -> tuple[dict, float, float]:
    """Plan one fixture file alone; return (plan JSON, plan seconds, total seconds). When
    ``<fixture>.before`` exists (e.g. ``fail.tf.before``), that configuration is applied first, so
    the plan changes real state (deletions, updates): how plans of plan-only policies are made."""
    start = time.monotonic()
    before = fixture.with_name(fixture.name + ".before")
    with tempfile.TemporaryDirectory(prefix="soc2iac-plan-") as tmp:
        work = Path(tmp)
        shutil.copy2(before if before.is_file() else fixture, work / fixture.name)
        (work / "provider.tf").write_text(provider_tf(endpoint))
        env = tf_env(work)
        run([terraform, "init", "-input=false", "-no-color", f"-plugin-dir={mirror}"],
            work, env, "terraform init")
        var_args = [f"-var={k}={v}" for k, v in variables.items()]
        if before.is_file():
            run([terraform, "apply", "-input=false", "-lock=false", "-no-color", "-auto-approve", *var_args],
                work, env, "terraform apply (of the .before configuration)")
            shutil.copy2(fixture, work / fixture.name)
        t0 = time.monotonic()
        run([terraform, "plan", "-input=false", "-lock=false", "-no-color", "-out", "tf.plan", *var_args],
            work, env, "terraform plan")
        plan_s = time.monotonic() - t0
        out = run([terraform, "show", "-json", "tf.plan"], work, env, "terraform show")
    doc = json.loads(out)
    absent = [k for k in PLAN_KEYS if k not in doc]
    if absent:
        raise Skip(f"plan JSON lacks {absent}")
    return doc, plan_s, time.monotonic() - start


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ids", nargs="*", help="policy ids (folders under terraform_fixtures/)")
    ap.add_argument("--kinds", default="fail,pass", help="fixture files to plan (default: fail,pass)")
    ap.add_argument("--no-write", action="store_true", help="plan and check, write no file")
    ap.add_argument("-j", "--jobs", type=int, default=1,
                    help="plans run at once (default 1; each plan loads its own provider process)")
    args = ap.parse_args(argv)
    ids = args.ids or DEFAULT_IDS
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]

    try:
        terraform = find_terraform()
        mirror = find_mirror()
        moto_exe = find_moto()
    except Missing as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    jobs: list[Path] = []
    problems: list[str] = []
    for pid in ids:
        folder = FIXTURES / pid
        if not folder.is_dir():
            problems.append(f"{pid}: no folder {folder.relative_to(ROOT)}")
            continue
        for kind in kinds:
            f = folder / f"{kind}.tf"
            if f.is_file():
                jobs.append(f)
            else:
                problems.append(f"{pid}/{kind}.tf: no such fixture")

    print(f"terraform: {terraform}\nmirror:    {mirror}\nmoto:      {moto_exe}")

    # Ctrl-C, SIGTERM and SIGHUP all raise KeyboardInterrupt, so the finally below
    # always stops moto. SIGINT is set explicitly: a shell starts background jobs with
    # it ignored, and Python then never installs its own handler.
    def _interrupt(signum, frame):  # noqa: ANN001
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGINT, getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, _interrupt)

    written: list[str] = []
    with tempfile.TemporaryDirectory(prefix="soc2iac-moto-") as mtmp:
        moto = MotoServer(moto_exe, Path(mtmp))
        try:
            moto.start()
            print(f"moto:      {moto.url} (pid {moto.proc.pid if moto.proc else '?'})")
            def job(f: Path) -> tuple[Path, tuple[dict, float, float] | Exception]:
                rel = f"{f.parent.name}/{f.name}"
                try:
                    return f, plan_one(f, terraform, mirror, moto.url, FIXTURE_VARS.get(rel, {}))
                except (Skip, json.JSONDecodeError) as e:
                    return f, e

            pool = ThreadPoolExecutor(max_workers=max(1, args.jobs))
            try:
                results = list(pool.map(job, jobs))
            except BaseException:
                interrupt_children()  # halt the running plans, start no more
                raise
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
            for f, res in results:
                rel = f"{f.parent.name}/{f.name}"
                if isinstance(res, Exception):
                    problems.append(f"{rel}: " + " ".join(ln.strip() for ln in str(res).splitlines())[:300])
                    print(f"SKIP {rel}: {res}", file=sys.stderr)
                    continue
                doc, plan_s, total_s = res
                out = f.with_name(f.stem + ".plan.json")
                n = len(doc.get("resource_changes", []))
                if args.no_write:
                    note = "(not written)"
                else:
                    with open(out, "w", encoding="utf-8", newline="\n") as fh:
                        json.dump(doc, fh, indent=1, ensure_ascii=False)
                        fh.write("\n")
                    note = f"-> {out.relative_to(ROOT)} ({out.stat().st_size} bytes)"
                    written.append(str(out.relative_to(ROOT)))
                print(f"ok   {rel}: {n} resource changes, plan {plan_s:.1f}s, total {total_s:.1f}s {note}")
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130
        except Missing as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        finally:
            moto.stop()

    if problems:
        print("\nnot generated:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
