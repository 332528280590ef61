"""Turn the paths a user names into resources, then into a :class:`ScanResult`.

Directories are walked (hidden folders, ``.terraform`` and ``node_modules``
skipped; symlinked folders not followed). ``.tf`` files are grouped into
Terraform modules by folder; a folder that another scanned folder calls as a
local module is scanned through that call, not again as a root. JSON files
holding a ``terraform show -json`` plan (recognised by content) are read as
plans; other YAML and JSON files as Kubernetes manifests; ``-`` reads
manifests from stdin.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any
from dataclasses import dataclass, field
from pathlib import Path

from soc2iac import __version__
from soc2iac.config import Config
from soc2iac.errors import InputError, InputProblem
from soc2iac.model import Resource
from soc2iac.parsers import kubernetes, read_source, registry
from soc2iac.parsers.terraform import TerraformLoader, display_path
from soc2iac.parsers.terraform_plan import Locator, Plan, load_plan_text, looks_like_plan, parse_plan
from soc2iac.policy import Policy
from soc2iac import waivers
from soc2iac.result import Finding, PolicyInfo, ScanResult, Scope, sort_findings
from soc2iac.waivers import Waiver

SKIP_DIRS = {".git", ".terraform", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache"}
YAML_SUFFIXES = {".yaml", ".yml", ".json"}


@dataclass
class Inputs:
    tf_dirs: dict[Path, set[Path] | None] = field(default_factory=dict)  # dir -> explicit files (None = all)
    walked_tf_dirs: set[Path] = field(default_factory=set)
    manifests: list[Path] = field(default_factory=list)
    stdin: bool = False
    problems: list[InputProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def collect(paths: Sequence[str]) -> Inputs:
    found = Inputs()
    for raw in paths:
        if raw == "-":
            found.stdin = True
            continue
        path = Path(raw)
        if not path.exists():
            found.problems.append(InputProblem(raw, "no such file or directory"))
        elif path.is_dir():
            for f in _walk(path, found):
                _add(found, f, explicit=False)
        elif path.is_file():
            _add(found, path, explicit=True)
        else:
            found.problems.append(InputProblem(raw, "not a regular file or directory"))
    return found


def _walk(root: Path, found: Inputs) -> Iterator[Path]:
    def onerror(exc: OSError) -> None:
        found.problems.append(InputProblem(display_path(Path(exc.filename or root)), f"cannot read: {exc.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            yield Path(dirpath) / name


def _add(found: Inputs, path: Path, *, explicit: bool) -> None:
    suffix = path.suffix.lower()
    if suffix == ".tf":
        folder = path.parent
        if explicit:
            current = found.tf_dirs.get(folder, set())
            if current is not None:
                current.add(path.resolve())
                found.tf_dirs[folder] = current
        else:
            found.tf_dirs[folder] = None
            found.walked_tf_dirs.add(folder.resolve())
    elif path.name.endswith(".tf.json"):
        found.notices.append(f"{display_path(path)}: skipped (Terraform JSON syntax is not supported yet)")
    elif path.name.endswith(".tfvars.json"):
        return  # read by the Terraform loader of its folder
    elif suffix in YAML_SUFFIXES or suffix in registry.suffixes() or path.name in ("nginx.conf", "kong.conf"):
        found.manifests.append(path)
    elif explicit and not path.name.endswith(".tfvars"):
        found.notices.append(f"{display_path(path)}: skipped (not a Terraform, YAML or JSON file)")


@dataclass
class Loaded:
    resources: list[Resource] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)


def load_resources(inputs: Inputs, *, var_files: Sequence[Path] = (), stdin_text: str | None = None,
                   repo_root: Path | None = None) -> Loaded:
    """All resources of the inputs, with input problems, notices, the inputs read and any plans."""
    plans: list[Plan] = []
    resources: list[Resource] = []
    problems = list(inputs.problems)
    notices = list(inputs.notices)
    scanned: list[str] = []

    loader = TerraformLoader(var_files=var_files)
    for vf in var_files:
        if not vf.is_file():
            problems.append(InputProblem(str(vf), "var file not found"))
    called: set[Path] = set()
    for folder, only in inputs.tf_dirs.items():
        if only is None:
            called.update(loader.module_dir(folder).local_module_dirs())
    for folder, only in sorted(inputs.tf_dirs.items(), key=lambda kv: str(kv[0])):
        if only is None and folder.resolve() in called:
            continue  # scanned through the module call that uses it
        resources.extend(loader.root_resources(folder, only))
    scanned.extend(sorted(display_path(p) for p in loader.loaded_files()))
    problems.extend(loader.diag.problems)
    notices.extend(loader.diag.notices)

    for path in inputs.manifests:
        shown = display_path(path)
        try:
            text = read_source(path, shown)
        except InputError as exc:
            problems.append(exc.problem)
            continue
        claimed = next((m for m in registry.modules() if path.suffix.lower() in m.SUFFIXES
                        and m.detect(path, text)), None)
        if claimed is not None:
            try:
                resources.extend(claimed.parse_text(text, shown, path))
                scanned.append(shown)
            except InputError as exc:
                problems.append(exc.problem)
            continue
        if path.suffix.lower() not in YAML_SUFFIXES:
            continue  # e.g. a .conf or .toml no gateway parser claims
        if path.suffix.lower() == ".json" and looks_like_plan(text):
            try:
                plan = parse_plan(load_plan_text(text, shown), shown, Locator(repo_root or path.parent))
            except InputError as exc:  # a truncated or malformed plan is always an input error
                problems.append(exc.problem)
                continue
            plans.append(plan)
            resources.extend(plan.after)
            scanned.append(shown)
            continue
        try:
            resources.extend(kubernetes.parse_text(text, shown))
            scanned.append(shown)
        except InputError as exc:
            skip = _not_a_manifest(text)
            if skip:
                notices.append(f"{exc.problem}; skipped: {skip}")
            else:
                problems.append(exc.problem)
    if inputs.stdin:
        text = stdin_text if stdin_text is not None else ""
        try:
            resources.extend(kubernetes.parse_text(text, "<stdin>"))
            scanned.append("<stdin>")
        except InputError as exc:
            problems.append(exc.problem)
    return Loaded(resources, problems, notices, scanned, plans)


def _not_a_manifest(text: str) -> str | None:
    """Why a YAML/JSON file that failed to parse is not a Kubernetes manifest (so a
    notice, not an input error: pre-commit passes every .yaml of a repository),
    or None when it looks like one."""
    if "{{" in text and "}}" in text:
        return "an unrendered Helm or Go template (scan `helm template` output instead)"
    if not (re.search(r"""^\s*["']?apiVersion["']?\s*:""", text, re.MULTILINE)
            and re.search(r"""^\s*["']?kind["']?\s*:""", text, re.MULTILINE)):
        return "not a Kubernetes manifest"
    return None


def scan(
    paths: Sequence[str],
    *,
    policies: Sequence[Policy],
    config: Config,
    var_files: Sequence[Path] = (),
    stdin_text: str | None = None,
    repo_root: Path | None = None,
    changes_only: bool = False,
    register: Sequence[Waiver] = (),
    inline_waivers: bool = True,
    baseline: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> ScanResult:
    from soc2iac import engine

    started = _now()
    inputs = collect(paths)
    loaded = load_resources(inputs, var_files=var_files, stdin_text=stdin_text, repo_root=repo_root)
    findings, engine_notices = engine.evaluate(policies, loaded.resources, config)
    changed: set[str] | None = None
    if loaded.plans:
        from soc2iac.changes import plan_changes

        changed = set()
        for plan in loaded.plans:
            findings.extend(plan_changes(policies, plan, config))
            changed |= plan.changed
        if changes_only:
            findings = [f for f in findings if f.resource in changed or f.change]
    elif changes_only:
        engine_notices.append("--changes-only has no effect: no Terraform plan among the inputs")
    findings, waiver_infos, waiver_notices = waivers.apply_all(
        findings, loaded.resources, register, inline=inline_waivers, today=today or dt.date.today())
    engine_notices.extend(waiver_notices)
    fixed = None
    if baseline is not None:
        findings, fixed = mark_baseline(findings, baseline)
    return ScanResult(
        findings=sort_findings(findings),
        problems=loaded.problems,
        notices=loaded.notices + engine_notices,
        inputs=loaded.scanned,
        policies=[PolicyInfo(p.id, p.title, p.severity, p.criteria, p.area, p.description, p.remediation,
                             p.references) for p in policies if p.id not in config.disabled],
        scope=scope_of(loaded.scanned, paths, policies),
        resources_scanned=len(loaded.resources),
        changed=changed,
        waivers=waiver_infos,
        baseline_fixed=fixed,
        tool_version=__version__,
        started_at=started,
        finished_at=_now(),
    )


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def scope_of(scanned: Sequence[str], paths: Sequence[str], policies: Sequence[Policy]) -> Scope:
    """Digests of the inputs, of the policy set, and the git commit the inputs are at."""
    import hashlib
    import json

    digests = []
    for shown in scanned:
        try:
            digests.append((shown, hashlib.sha256(Path(shown).read_bytes()).hexdigest()))
        except OSError:
            continue  # stdin, or a file gone since
    policy_set = hashlib.sha256()
    for p in sorted(policies, key=lambda p: p.id):
        policy_set.update(json.dumps([p.id, p.severity, list(p.criteria), p.applies_to, p.check],
                                     sort_keys=True, default=str).encode())
    commit, dirty = _git_state([p for p in paths if p != "-"])
    return Scope(inputs=tuple(digests), policy_set_sha256=policy_set.hexdigest(), git_commit=commit, git_dirty=dirty)


def _git_state(paths: Sequence[str]) -> tuple[str, bool]:
    """The commit the first input is checked out at, and whether the inputs differ from it."""
    import subprocess

    if not paths:
        return "", False
    first = Path(paths[0]).resolve()
    folder = first if first.is_dir() else first.parent
    if not any((d / ".git").exists() for d in (folder, *folder.parents)):
        return "", False
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return "", False
        status = subprocess.run(["git", "status", "--porcelain", "--", *[str(Path(p).resolve()) for p in paths]],
                                cwd=folder, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "", False
    return head.stdout.strip(), bool(status.stdout.strip())


def mark_baseline(findings: Sequence[Finding], baseline: Mapping[str, Any]
                  ) -> tuple[list[Finding], list[tuple[str, str]]]:
    """Fails marked new or existing against a previous JSON result; what failed there and no longer does."""
    before = {(f["policy_id"], f["resource"]) for f in baseline.get("findings", []) if f.get("verdict") == "fail"}
    now = {(f.policy_id, f.resource) for f in findings if f.verdict == "fail"}
    marked = [replace(f, baseline="existing" if (f.policy_id, f.resource) in before else "new")
              if f.verdict == "fail" else f for f in findings]
    return marked, sorted(before - now)
