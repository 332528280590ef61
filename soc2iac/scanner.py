"""Turn the paths a user names into resources, then into a :class:`ScanResult`.

Directories are walked (hidden folders, ``.terraform`` and ``node_modules``
skipped). Symbolic links met while walking are not followed (a notice names
each) unless ``follow_symlinks``; then links into the scanned tree are left to
the real path and loops are cut. Paths named on the command line are always read.
Files over the size limit, unreadable, binary or not UTF-8 are input problems. ``.tf`` files are grouped into
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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from soc2iac import __version__, waivers
from soc2iac.cache import Cache, using
from soc2iac.config import Config
from soc2iac.errors import InputError, InputProblem
from soc2iac.model import Resource
from soc2iac.parsers import (
    MAX_FILE_BYTES,
    file_size_limit,
    kubernetes,
    read_source,
    registry,
)
from soc2iac.parsers.terraform import TerraformLoader, display_path, symlink_notice
from soc2iac.parsers.terraform_plan import (
    Locator,
    Plan,
    load_plan_text,
    looks_like_plan,
    parse_plan,
)
from soc2iac.policy import Policy
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
    follow_symlinks: bool = False
    explicit_files: set[Path] = field(default_factory=set)  # resolved paths named on the command line
    _seen: set[Path] = field(default_factory=set)  # resolved manifest paths already added


def collect(paths: Sequence[str], *, follow_symlinks: bool = False) -> Inputs:
    found = Inputs(follow_symlinks=follow_symlinks)
    for raw in paths:
        if raw == "-":
            found.stdin = True
            continue
        path = Path(raw)
        if not path.exists():
            broken = " (a broken symbolic link or a link loop)" if path.is_symlink() else ""
            found.problems.append(InputProblem(raw, f"no such file or directory{broken}"))
        elif path.is_dir():
            for f in _walk(path, found):
                _add(found, f, explicit=False)
        elif path.is_file():
            found.explicit_files.add(path.resolve())
            _add(found, path, explicit=True)
        else:
            found.problems.append(InputProblem(raw, "not a regular file or directory"))
    return found


def _walk(root: Path, found: Inputs) -> Iterator[Path]:
    """Files under ``root`` in a fixed (sorted) order; symlinks as :func:`collect` says."""
    follow = found.follow_symlinks
    top = root.resolve()
    walked: set[Path] = set()  # real folders walked (following links: cuts loops)

    def onerror(exc: OSError) -> None:
        found.problems.append(InputProblem(display_path(Path(exc.filename or root)), f"cannot read: {exc.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=follow):
        here = Path(dirpath)
        if follow:
            real = here.resolve()
            if real in walked:
                found.notices.append(f"{display_path(here)}: symbolic link to a folder already scanned "
                                     "(a loop or a second path); not followed")
                dirnames[:] = []
                continue
            walked.add(real)
        kept = []
        for d in sorted(dirnames):
            sub = here / d
            if d in SKIP_DIRS or d.startswith("."):
                continue
            if sub.is_symlink() and not _follow_link(sub, top, found):
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            path = here / name
            if path.is_symlink() and not _follow_link(path, top, found):
                continue
            yield path


def _follow_link(link: Path, top: Path, found: Inputs) -> bool:
    """Whether to follow a symbolic link met while walking (a notice when not)."""
    if not found.follow_symlinks:
        found.notices.append(symlink_notice(link))
        return False
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):
        found.notices.append(f"{display_path(link)}: broken symbolic link or link loop; skipped")
        return False
    if target == top or target.is_relative_to(top):
        return False  # inside the scanned tree: read once, at its real path
    return True


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
        key = path.resolve()
        if key not in found._seen:  # named twice, or reached through two folders given
            found._seen.add(key)
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
                   repo_root: Path | None = None, jobs: int = 1) -> Loaded:
    """All resources of the inputs, with input problems, notices, the inputs read and any plans.
    ``jobs`` > 1: Terraform root modules are evaluated in forked workers on big scans."""
    plans: list[Plan] = []
    resources: list[Resource] = []
    problems = list(inputs.problems)
    notices = list(inputs.notices)
    scanned: list[str] = []

    loader = TerraformLoader(var_files=var_files, follow_symlinks=inputs.follow_symlinks,
                             explicit=inputs.explicit_files)
    for vf in var_files:
        if not vf.is_file():
            problems.append(InputProblem(str(vf), "var file not found"))
    called: set[Path] = set()
    for folder, only in inputs.tf_dirs.items():
        if only is None:
            called.update(loader.module_dir(folder).local_module_dirs())
    roots = [(folder, only) for folder, only in sorted(inputs.tf_dirs.items(), key=lambda kv: str(kv[0]))
             if not (only is None and folder.resolve() in called)]  # (else scanned through the call using it)
    outcomes = None
    if jobs > 1 and len(roots) >= PARALLEL_MIN_ROOTS:
        outcomes = _roots_forked(loader, roots, jobs)
    for found, crash in outcomes if outcomes is not None else (_root(loader, f, o) for f, o in roots):
        resources.extend(found)
        if crash is not None:
            problems.append(crash)
    loader.store_expressions()
    scanned.extend(sorted(display_path(p) for p in loader.loaded_files()))
    # A file read only as context of a file named on the command line (its module's variables and
    # locals; pre-commit passes just the staged files) is not an input: its problems are notices.
    named = {f for only in inputs.tf_dirs.values() if only is not None for f in only}
    context_only = {d.resolve() for d, only in inputs.tf_dirs.items() if only is not None}
    context_only -= inputs.walked_tf_dirs
    for problem in loader.diag.problems:
        path = Path(problem.file).resolve()
        if path.parent in context_only and path not in named:
            notices.append(f"{problem}; read only for context (variables, locals) of the named files, "
                           "so its declarations are unknown")
        else:
            problems.append(problem)
    notices.extend(loader.diag.notices)

    seen: set[tuple[str, str, str]] = set()
    for path in sorted(inputs.manifests, key=str):
        shown = display_path(path)
        try:
            text = read_source(path, shown)
        except InputError as exc:
            problems.append(exc.problem)
            continue
        claimed = gateway_parser(path, text)
        if claimed is not None:
            try:
                # a config read through the file that includes it (nginx conf.d) comes once
                # (an nginx fragment read through its main file and scanned itself too); prod/ and staging/
                # holding the same decK file both count
                fresh = [r for r in claimed.parse_text(text, shown, path)
                         if (r.source, r.address, r.location.file) not in seen]
                seen.update((r.source, r.address, r.location.file) for r in fresh)
                resources.extend(fresh)
                scanned.append(shown)
            except InputError as exc:
                problems.append(exc.problem)
            except RecursionError:
                problems.append(InputProblem(shown, "nested too deeply to read"))
            except Exception as exc:  # noqa: BLE001 - one bad file never stops the scan
                _reraise_when_debugging()
                problems.append(_crashed(shown, exc))
            continue
        if path.suffix.lower() not in YAML_SUFFIXES:
            continue  # e.g. a .conf or .toml no gateway parser claims
        if is_plan_file(path, text):
            try:
                plan = parse_plan(load_plan_text(text, shown), shown, Locator(repo_root or path.parent))
            except InputError as exc:  # a truncated or malformed plan is always an input error
                problems.append(exc.problem)
                continue
            except RecursionError:
                problems.append(InputProblem(shown, "malformed Terraform plan JSON: nested too deeply"))
                continue
            except Exception as exc:  # noqa: BLE001 - one bad file never stops the scan
                _reraise_when_debugging()
                problems.append(_crashed(shown, exc))
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
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the scan
            _reraise_when_debugging()
            problems.append(_crashed(shown, exc))
    if inputs.stdin:
        text = stdin_text if stdin_text is not None else ""
        try:
            resources.extend(kubernetes.parse_text(text, "<stdin>"))
            scanned.append("<stdin>")
        except InputError as exc:
            problems.append(exc.problem)
    # the same inputs give the same report whatever the order of the command line or the disk
    problems = sorted(set(problems), key=lambda p: (p.file, p.line, p.message))
    return Loaded(resources, problems, list(dict.fromkeys(notices)), sorted(set(scanned)), plans)


PARALLEL_MIN_ROOTS = 16  # Terraform root modules; fewer are evaluated in this process

def _root(loader: TerraformLoader, folder: Path, only: set[Path] | None) -> tuple[list[Resource], InputProblem | None]:
    try:
        return loader.root_resources(folder, only), None
    except Exception as exc:  # noqa: BLE001 - one bad module never stops the scan
        _reraise_when_debugging()
        return [], _crashed(display_path(folder), exc)


def _roots_forked(loader: TerraformLoader, roots: list[tuple[Path, set[Path] | None]], jobs: int
                  ) -> list[tuple[list[Resource], InputProblem | None]] | None:
    """Each root's resources evaluated in forked workers that inherit the loader (every module
    folder of the scan already parsed), put back in root order; what the workers' loaders added
    (files read, problems, notices) is taken over. None when forking is not possible or fails."""
    from soc2iac.parallel import forked_map

    batches = [list(range(i, len(roots), jobs * 4)) for i in range(min(len(roots), jobs * 4))]
    parts = forked_map(_roots_batch, (loader, roots), batches, jobs)
    if parts is None:
        return None
    outcomes: dict[int, tuple[list[Resource], InputProblem | None]] = {}
    for part in parts:
        for i, found, crash, read, problems, notices in part:
            outcomes[i] = (found, crash)
            loader.adopt(read, problems, notices)
    return [outcomes[i] for i in range(len(roots))]


def _roots_batch(shared: tuple[TerraformLoader, list[tuple[Path, set[Path] | None]]], batch: list[int]
                 ) -> list[tuple[int, list[Resource], InputProblem | None, list[Path], list[InputProblem], list[str]]]:
    loader, roots = shared
    out = []
    for i in batch:
        before = (set(loader.loaded_files()), len(loader.diag.problems), len(loader.diag.notices))
        found, crash = _root(loader, *roots[i])
        read = [p for p in loader.loaded_files() if p not in before[0]]
        out.append((i, found, crash, read, loader.diag.problems[before[1]:], loader.diag.notices[before[2]:]))
    loader.store_expressions()  # this worker's parsed expressions, into the cache
    return out


def gateway_parser(path: Path, text: str) -> Any:
    """The gateway parser module that claims the file, or None."""
    return next((m for m in registry.modules() if path.suffix.lower() in m.SUFFIXES and m.detect(path, text)), None)


def is_plan_file(path: Path, text: str) -> bool:
    return path.suffix.lower() == ".json" and looks_like_plan(text)


def is_manifest_file(path: Path, text: str) -> bool:
    """A file read as Kubernetes manifests (not a gateway config, not a plan)."""
    return (path.suffix.lower() in YAML_SUFFIXES and not is_plan_file(path, text)
            and gateway_parser(path, text) is None)


def _crashed(shown: str, exc: Exception) -> InputProblem:
    detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
    return InputProblem(shown, f"could not be read: internal error {type(exc).__name__}"
                               f"{': ' + detail if detail else ''} (please report it)")


def _reraise_when_debugging() -> None:
    if os.environ.get("SOC2IAC_DEBUG"):
        raise


def _not_a_manifest(text: str) -> str | None:
    """Why a YAML/JSON file that failed to parse is not a Kubernetes manifest (so a
    notice, not an input error: pre-commit passes every .yaml of a repository),
    or None when it looks like one."""
    if "{{" in text and "}}" in text:
        return "an unrendered Helm or Go template (scan `helm template` output instead)"
    if not (re.search(r"""(^|[{,])\s*["']?apiVersion["']?\s*:""", text, re.MULTILINE)
            and re.search(r"""(^|[{,])\s*["']?kind["']?\s*:""", text, re.MULTILINE)):  # block, flow or JSON
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
    max_file_size: int = MAX_FILE_BYTES,
    follow_symlinks: bool = False,
    cache: Cache | None = None,
    jobs: int = 1,
    checkov: str | None = None,
) -> ScanResult:
    """Scan ``paths``. ``cache``: parse results by content (None: parse everything); ``jobs`` > 1
    parses in that many processes when the scan is big enough (results are the same); ``checkov``:
    a checkov executable whose mapped results join the findings (:mod:`soc2iac.checkov_bridge`)."""
    from soc2iac import engine

    started = _now()
    if cache is None and jobs > 1:
        cache = Cache(None)  # in memory only: how workers hand their parses over
    with file_size_limit(max_file_size), using(cache):
        inputs = collect(paths, follow_symlinks=follow_symlinks)
        if cache is not None and jobs > 1:
            from soc2iac.parallel import prefetch

            prefetch(_terraform_files(inputs), inputs.manifests, cache=cache, jobs=jobs, max_bytes=max_file_size)
        loaded = load_resources(inputs, var_files=var_files, stdin_text=stdin_text, repo_root=repo_root, jobs=jobs)
    if cache is not None:
        cache.memo.clear()
    findings, engine_notices = engine.evaluate(policies, loaded.resources, config, jobs=jobs)
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
    checkov_policies: list[PolicyInfo] = []
    if checkov is not None:
        from soc2iac import checkov_bridge

        mapping = checkov_bridge.load_mapping()
        theirs, checkov_policies, checkov_notices = checkov_bridge.findings_of(
            checkov_bridge.run_checkov(checkov, paths), mapping)
        findings, _ = checkov_bridge.merge(findings, theirs, mapping)
        engine_notices.extend(checkov_notices)
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
                             p.references) for p in policies if p.id not in config.disabled] + checkov_policies,
        scope=scope_of(loaded.scanned, paths, policies),
        resources_scanned=len(loaded.resources),
        changed=changed,
        waivers=waiver_infos,
        baseline_fixed=fixed,
        tool_version=__version__,
        started_at=started,
        finished_at=_now(),
    )


def _terraform_files(inputs: Inputs) -> list[Path]:
    """The regular ``.tf`` files of the module folders to scan (symlinks are left to the loader)."""
    found: list[Path] = []
    for folder in sorted(inputs.tf_dirs, key=str):
        try:
            found.extend(sorted(p for p in folder.iterdir() if p.suffix == ".tf" and not p.is_symlink()
                                and p.is_file()))
        except OSError:
            continue
    return found


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
    commit, dirty = _git_state(sorted(p for p in paths if p != "-"))
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
