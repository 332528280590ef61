"""``soc2iac scan``: turn the paths a user names into resources, then into a :class:`ScanResult`.

Directories are walked (hidden folders, ``.terraform`` and ``node_modules`` skipped). Symbolic
links met while walking are not followed (a notice names each) unless ``follow_symlinks``; then
links into the scanned tree are left to the real path and loops are cut. Paths named on the
command line are always read. Every file goes to the input registry
(:mod:`soc2iac.parsers.registry`): grouped formats (Terraform module folders) are read a folder at
a time, every other file by the entry that detects its content; ``-`` is read by the entry that
reads standard input. Files a config includes are read only inside the scanned tree (the folders
named, a named file's folder, ``include_roots``). Unreadable, oversized, binary or non-UTF-8 files are input problems; a
parser's failure is one problem naming the file, and the other files are still scanned. The
result comes from the one pipeline every command shares (:mod:`soc2iac.pipeline`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from soc2iac.cache import Cache, using
from soc2iac.clock import utc_now
from soc2iac.config import Config
from soc2iac.errors import InputError, InputProblem
from soc2iac.model import Resource
from soc2iac.parsers import (
    HUGE_INT,
    MAX_FILE_BYTES,
    crashed,
    file_size_limit,
    huge_int,
    notices_into,
    read_source,
    registry,
    repo_root as plans_from,
    reraise_when_debugging,
    scanned_tree,
)
from soc2iac.parsers.registry import Entry
from soc2iac.parsers.terraform import display_path, symlink_notice
from soc2iac.pipeline import Collected, External, Options, run
from soc2iac.policy import Policy
from soc2iac.result import ScanResult, Scope
from soc2iac.waivers import Waiver

SKIP_DIRS = {".git", ".terraform", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache"}


@dataclass
class Inputs:
    groups: dict[str, dict[Path, set[Path] | None]] = field(default_factory=dict)  # grouped entry ->
    # folder -> explicit files (None = all)
    walked: set[Path] = field(default_factory=set)  # resolved folders of groups reached by walking
    files: list[Path] = field(default_factory=list)  # read one at a time, by the entry detecting them
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
            before = (len(found.files), sum(len(g) for g in found.groups.values()))
            for f in _walk(path, found):
                _add(found, f, explicit=False)
            if (len(found.files), sum(len(g) for g in found.groups.values())) == before:
                found.notices.append(f"{display_path(path)}: no file in it is of a format soc2iac reads; "
                                     "nothing was read there")
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
    """Sort a file to the registry entry that may read it (content decides later for single files)."""
    entry = registry.grouped_entry(path)
    if entry is not None:
        folders = found.groups.setdefault(entry.name, {})
        folder = path.parent
        if explicit:
            current = folders.get(folder, set())
            if current is not None:
                current.add(path.resolve())
                folders[folder] = current
        else:
            folders[folder] = None
            found.walked.add(folder.resolve())
        return
    why = registry.unsupported(path)
    if why is not None:
        found.notices.append(f"{display_path(path)}: skipped ({why})")
    elif registry.context_file(path):
        return  # read by the entry whose group it belongs to (terraform.tfvars by its module)
    elif registry.may_claim(path):
        key = path.resolve()
        if key not in found._seen:  # named twice, or reached through two folders given
            found._seen.add(key)
            found.files.append(path)
    elif explicit:
        found.notices.append(f"{display_path(path)}: skipped (not a Terraform, YAML or JSON file)")


def load_resources(inputs: Inputs, *, var_files: Sequence[Path] = (), stdin_text: str | None = None,
                   jobs: int = 1, stdin_format: str | None = None) -> Collected:
    """All resources of the inputs, with input problems, notices, the inputs read and any plans.
    ``jobs`` > 1: Terraform root modules are evaluated in forked workers on big scans."""
    out = Collected(resources=[], problems=list(inputs.problems), notices=list(inputs.notices))
    resources: list[Resource] = []
    for entry in registry.grouped():
        loaded = entry.parser().load_groups(inputs.groups.get(entry.name, {}), inputs.walked, inputs.explicit_files,
                                            var_files=var_files, follow_symlinks=inputs.follow_symlinks, jobs=jobs)
        resources.extend(loaded.resources)
        out.problems.extend(loaded.problems)
        out.notices.extend(loaded.notices)
        out.inputs.extend(loaded.scanned)
        out.unread_modules.extend(loaded.unread_modules)
    seen: set[tuple[str, str, str, int, str]] = set()
    plans = []
    for path in sorted(inputs.files, key=str):
        shown = display_path(path)
        try:
            text = read_source(path, shown)
        except InputError as exc:
            out.problems.append(exc.problem)
            continue
        claimed = registry.detect(path, text)
        if claimed is None:
            continue  # e.g. a .conf or .toml no format claims
        parsed = _parse(claimed, text, shown, path, out)
        if parsed is None:
            continue
        # a config read through the file that includes it (an nginx fragment read through its main
        # file and scanned itself too) comes once; prod/ and staging/ holding the same file both count
        if not parsed.resources:  # read, and nothing in it: say so, so the scope is true
            why = claimed.skip_reason(text)  # the format's own word on why (e.g. not a manifest)
            out.notices.append(f"{shown}: read as {claimed.name}, but it holds no resource soc2iac checks"
                               + (f" ({why})" if why else ""))
        fresh = [r for r in parsed.resources if _identity(r) not in seen]
        seen.update(_identity(r) for r in fresh)
        resources.extend(fresh)
        if parsed.plan is not None:
            plans.append(parsed.plan)
        out.inputs.append(shown)
    if inputs.stdin:
        text = stdin_text if stdin_text is not None else ""
        entry = registry.by_name(stdin_format) if stdin_format else registry.detect_stdin(text)
        if entry.grouped:
            parsed = _stdin_group(entry, text, var_files, out)
        elif not stdin_format and entry.fallback and _HCL_BLOCK.search(text):
            out.problems.append(InputProblem("<stdin>", _HCL_ON_STDIN))
            parsed = None
        else:
            parsed = _parse(entry, text, "<stdin>", registry.STDIN, out, notice_when_foreign=False)
        if parsed is not None and not parsed.resources:  # asked for, and nothing came of it
            out.problems.append(InputProblem("<stdin>", _NOTHING_ON_STDIN))
        elif parsed is not None:
            resources.extend(parsed.resources)
            if parsed.plan is not None:
                plans.append(parsed.plan)
            out.inputs.append("<stdin>")
    # the same inputs give the same report whatever the order of the command line or the disk
    if not resources and not out.problems:
        out.notices.append("no resource was read from the inputs: nothing was checked")
    out.resources = resources
    out.plans = plans
    out.problems = sorted(set(out.problems), key=lambda p: (p.file, p.line, p.message))
    out.notices = list(dict.fromkeys(out.notices))
    out.inputs = sorted(set(out.inputs))
    return out


_NOTHING_ON_STDIN = ("no resources read: standard input holds no Kubernetes object, Terraform plan JSON "
                     "(`terraform show -json`) or gateway config (Terraform source: --stdin-format terraform)")
_HCL_ON_STDIN = ("standard input looks like Terraform source (HCL); to read it as a one-file root module, "
                 "pass --stdin-format terraform")
_HCL_BLOCK = re.compile(r'^[ \t]*(resource|data|module|variable|provider|terraform|locals|output)[ \t]+("|\{|[A-Za-z_])',
                        re.MULTILINE)


def _stdin_group(entry: Entry, text: str, var_files: Sequence[Path], out: Collected) -> registry.Parsed:
    """Standard input read by a folder-grouped format (Terraform): the text as the one file of a
    root module in a private temporary folder, every location then shown as ``<stdin>``."""
    with tempfile.TemporaryDirectory(prefix="soc2iac-stdin-") as tmp:
        folder = Path(tmp)
        only = folder / f"stdin{entry.suffixes[0]}"
        only.write_text(text, encoding="utf-8")
        loaded = entry.parser().load_groups({folder: {only.resolve()}}, set(), {only.resolve()},
                                            var_files=var_files)
        names = sorted({display_path(only), str(only), str(only.resolve()), display_path(folder), str(folder),
                        str(folder.resolve())}, key=len, reverse=True)

    def shown(value: str) -> str:
        for name in names:
            value = value.replace(name, "<stdin>")
        return value

    out.problems.extend(dataclasses.replace(p, file=shown(p.file), message=shown(p.message)) for p in loaded.problems)
    out.notices.extend(shown(n) for n in loaded.notices)
    return registry.Parsed([dataclasses.replace(r, location=dataclasses.replace(r.location, file=shown(r.location.file)),
                                                scope=shown(r.scope)) for r in loaded.resources])


def _identity(r: Resource) -> tuple[str, str, str, int, str]:
    return r.source, r.address, r.location.file, r.location.start_line, r.scope


def _parse(entry: Entry, text: str, shown: str, path: Path, out: Collected, *,
           notice_when_foreign: bool = True) -> registry.Parsed | None:
    """One file through its entry's parser; what goes wrong becomes one problem (or a notice when
    the file was never that format's), never a traceback, and the scan goes on."""
    try:
        with notices_into(out.notices):
            return entry.parse(text, shown, path)
    except InputError as exc:
        skip = entry.skip_reason(text) if notice_when_foreign else None
        if skip:
            out.notices.append(f"{exc.problem}; skipped: {skip}")
        else:
            out.problems.append(exc.problem)
    except RecursionError:
        out.problems.append(InputProblem(shown, "nested too deeply to read"))
    except Exception as exc:  # noqa: BLE001 - one bad file never stops the scan
        if huge_int(exc):  # a format whose library converts integers itself (TOML)
            out.problems.append(InputProblem(shown, f"holds {HUGE_INT}; not scanned"))
            return None
        reraise_when_debugging()
        out.problems.append(crashed(shown, exc))
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
    known_policies: frozenset[str] | None = None,
    include_roots: Sequence[Path] = (),
    stdin_format: str | None = None,
) -> ScanResult:
    """Scan ``paths`` (``-``: standard input, read as ``stdin_format``, a registry entry's name, or
    as its content says). ``cache``: parse results by content (None: parse everything); ``jobs`` > 1
    parses in that many processes when the scan is big enough (results are the same); ``checkov``:
    a checkov executable whose mapped results join the findings (:mod:`soc2iac.checkov_bridge`);
    ``include_roots``: folders besides the scanned tree that config includes may read."""
    started = utc_now()
    if cache is None and jobs > 1:
        cache = Cache(None)  # in memory only: how workers hand their parses over
    with file_size_limit(max_file_size), plans_from(repo_root), using(cache), \
            scanned_tree([*tree_roots(paths), *include_roots]):
        inputs = collect(paths, follow_symlinks=follow_symlinks)
        if cache is not None and jobs > 1:
            from soc2iac.parallel import prefetch

            prefetch(inputs.groups, inputs.files, cache=cache, jobs=jobs, max_bytes=max_file_size)
        collected = load_resources(inputs, var_files=var_files, stdin_text=stdin_text, jobs=jobs,
                                   stdin_format=stdin_format)
    if cache is not None:
        cache.memo.clear()
    collected.scope = replace(scope_of(collected.inputs, paths), unread_modules=tuple(collected.unread_modules))
    if known_policies is not None and checkov is not None:
        from soc2iac import checkov_bridge

        known_policies = known_policies | frozenset(checkov_bridge.load_mapping())
    options = Options(register=register, inline_waivers=inline_waivers, baseline=baseline,
                      changes_only=changes_only, today=today, jobs=jobs, known_policies=known_policies)
    return run(policies, collected, config, options, external=_checkov(checkov, paths), started=started)


def tree_roots(paths: Sequence[str]) -> list[Path]:
    """The scanned tree: each folder named, and each named file's folder (standard input adds none)."""
    roots = []
    for raw in paths:
        if raw != "-":
            path = Path(raw)
            roots.append(path if path.is_dir() else path.parent)
    return roots


def _checkov(checkov: str | None, paths: Sequence[str]) -> External | None:
    if checkov is None:
        return None

    def merged(findings: list[Any]) -> tuple[list[Any], list[Any], list[str]]:
        from soc2iac import checkov_bridge

        mapping = checkov_bridge.load_mapping()
        theirs, infos, notices = checkov_bridge.findings_of(checkov_bridge.run_checkov(checkov, paths), mapping)
        ours, _ = checkov_bridge.merge(findings, theirs, mapping)
        return ours, infos, notices

    return merged


def scope_of(scanned: Sequence[str], paths: Sequence[str]) -> Scope:
    """Digests of the inputs and the git commit the inputs are at."""
    import hashlib

    digests = []
    for shown in scanned:
        try:
            digests.append((shown, hashlib.sha256(Path(shown).read_bytes()).hexdigest()))
        except OSError:
            continue  # stdin, or a file gone since
    commit, dirty = _git_state(sorted(p for p in paths if p != "-"))
    return Scope(inputs=tuple(digests), git_commit=commit, git_dirty=dirty)


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
