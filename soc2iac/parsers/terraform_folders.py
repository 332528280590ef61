"""The Terraform entry of the input registry: ``.tf`` files read a folder (a module) at a time.

A folder that another scanned folder calls as a local module is read through that call, not again
as a root. With ``jobs`` > 1 and many roots, roots are evaluated in forked workers that inherit the
loader. A file read only as context of a file named on the command line (its module's variables
and locals: pre-commit passes just the staged files) is not an input, so its problems are notices.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from soc2iac.errors import InputProblem
from soc2iac.model import Resource
from soc2iac.parsers import crashed, reraise_when_debugging
from soc2iac.parsers import terraform
from soc2iac.parsers.terraform import TerraformLoader, display_path

PARALLEL_MIN_ROOTS = 16  # Terraform root modules; fewer are evaluated in this process

Groups = Mapping[Path, "set[Path] | None"]  # folder -> the files named in it (None: all of its .tf files)


@dataclass
class Loaded:
    resources: list[Resource] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)
    unread_modules: list[tuple[str, str]] = field(default_factory=list)  # (caller file:line, source)


def load_groups(groups: Groups, walked: set[Path], explicit: set[Path], *, var_files: Sequence[Path] = (),
                follow_symlinks: bool = False, jobs: int = 1) -> Loaded:
    """The resources of every root module among ``groups`` (``walked``: resolved folders reached by
    walking a directory; ``explicit``: resolved files named on the command line)."""
    out = Loaded()
    loader = TerraformLoader(var_files=var_files, follow_symlinks=follow_symlinks, explicit=explicit)
    for vf in var_files:
        if not vf.is_file():
            out.problems.append(InputProblem(str(vf), "var file not found"))
    called: set[Path] = set()
    for folder, only in groups.items():
        if only is None:
            called.update(loader.module_dir(folder).local_module_dirs())
    roots = [(folder, only) for folder, only in sorted(groups.items(), key=lambda kv: str(kv[0]))
             if not (only is None and folder.resolve() in called)]  # (else scanned through the call using it)
    outcomes = None
    if jobs > 1 and len(roots) >= PARALLEL_MIN_ROOTS:
        outcomes = _roots_forked(loader, roots, jobs)
    for found, crash in outcomes if outcomes is not None else (_root(loader, f, o) for f, o in roots):
        out.resources.extend(found)
        if crash is not None:
            out.problems.append(crash)
    out.scanned.extend(sorted(display_path(p) for p in loader.loaded_files()))
    named = {f for only in groups.values() if only is not None for f in only}
    context_only = {d.resolve() for d, only in groups.items() if only is not None} - walked
    for problem in loader.diag.problems:
        path = Path(problem.file).resolve()
        if path.parent in context_only and path not in named:
            out.notices.append(f"{problem}; read only for context (variables, locals) of the named files, "
                               "so its declarations are unknown")
        else:
            out.problems.append(problem)
    out.notices.extend(loader.diag.notices)
    out.unread_modules.extend(sorted(set(loader.diag.unread)))
    return out


def files_of(groups: Groups) -> list[Path]:
    """The regular ``.tf`` files of the module folders to scan (symlinks are left to the loader)."""
    found: list[Path] = []
    for folder in sorted(groups, key=str):
        try:
            found.extend(sorted(p for p in folder.iterdir() if p.suffix == ".tf" and not p.is_symlink()
                                and p.is_file()))
        except OSError:
            continue
    return found


def cache_parts(text: str, shown: str) -> tuple[str, tuple[str, ...]]:
    """The parse-cache key of one ``.tf`` file (lets ``--jobs`` parse it in a worker)."""
    return terraform.cache_parts(text, shown)


def warm(path: Path, text: str, shown: str) -> None:
    """Parse one ``.tf`` file into the parse cache (a ``--jobs`` worker)."""
    terraform.load_hcl_file(path)


def _root(loader: TerraformLoader, folder: Path, only: set[Path] | None) -> tuple[list[Resource], InputProblem | None]:
    try:
        return _root_resources(loader, folder, only), None
    except Exception as exc:  # noqa: BLE001 - one bad module never stops the scan
        reraise_when_debugging()
        return [], crashed(display_path(folder), exc)


def _root_resources(loader: TerraformLoader, folder: Path, only: set[Path] | None) -> list[Resource]:
    """A root's evaluated resources, reused from the cache while nothing the evaluation read has
    changed: every file loaded (by content), every folder listed and path looked at (by what is
    there), under the same options, scanned tree, working directory and soc2iac. A reused root
    loads its files again (from the parse cache), so the loads' problems and notices, and the list
    of files read, are what evaluating it gives; the evaluation's own notices are replayed."""
    from soc2iac.cache import current, may_cache
    from soc2iac.parsers import tree_key

    cache = current()
    if cache is None or loader.trace is not None:
        return loader.root_resources(folder, only)
    key = cache.key("tf-root", [str(folder), os.getcwd(), repr(sorted(map(str, only or ()))), repr(only is None),
                                repr([str(v) for v in loader.var_files]), repr(loader.follow_symlinks),
                                repr(sorted(map(str, loader.explicit))), repr(tree_key())])
    stored = cache.get("tf-root", key)
    if isinstance(stored, tuple) and len(stored) == 5 and _unchanged(stored[0]):
        digests, resources, problems, notices, unread = stored
        for kind, path, _ in digests:  # the loads, as evaluating would make them
            if kind == "dir":
                loader.module_dir(Path(path))
            elif kind == "file":
                loader.file(Path(path))
        loader.diag.problems.extend(problems)
        loader.diag.notices.extend(notices)
        for at, source in unread:
            loader.unread(at, source)
        return list(resources)
    trace = loader.trace = terraform.Trace()
    start = (len(loader.diag.problems), len(loader.diag.notices))
    try:
        resources = loader.root_resources(folder, only)
    finally:
        loader.trace = None
    loaded = [range(a[0], b[0]) for a, b in trace.loads], [range(a[1], b[1]) for a, b in trace.loads]
    problems = [p for i, p in enumerate(loader.diag.problems[start[0]:], start[0]) if not any(i in r for r in loaded[0])]
    notices = [n for i, n in enumerate(loader.diag.notices[start[1]:], start[1]) if not any(i in r for r in loaded[1])]
    reads = list(dict.fromkeys(trace.reads))
    digests = [(kind, path, _digest(kind, path)) for kind, path in reads]
    texts = [_text(path) for kind, path in reads if kind in ("file", "data")]
    if all(t is not None for t in texts) and may_cache([t for t in texts if t is not None]):
        cache.put("tf-root", key, (digests, resources, problems, notices, list(dict.fromkeys(trace.unread))))  # no root whose files hold a secret
    return resources


def _digest(kind: str, path: str) -> str:
    """What ``path`` is now, as far as a root's evaluation could see: a file's bytes, a folder's
    entries (names and which are links), or just what the path is."""
    import hashlib

    p = Path(path)
    try:
        if kind in ("file", "data"):
            return hashlib.sha256(p.read_bytes()).hexdigest()
        if kind == "dir":
            return repr(sorted((e.name, e.is_symlink()) for e in os.scandir(p)))
        return "dir" if p.is_dir() else "file" if p.is_file() else "link" if p.is_symlink() else "missing"
    except OSError as exc:
        return f"unreadable: {exc.errno}"


def _unchanged(digests: object) -> bool:
    return isinstance(digests, list) and all(
        isinstance(d, tuple) and len(d) == 3 and _digest(d[0], d[1]) == d[2] for d in digests)


def _text(path: str) -> str | None:
    """A file's text for the secret scan; "" when it is not there (no lock file); None when it
    cannot be read (then the root is not cached)."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError):
        return None


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
        for i, found, crash, read, problems, notices, unread in part:
            outcomes[i] = (found, crash)
            loader.adopt(read, problems, notices, unread)
    return [outcomes[i] for i in range(len(roots))]


def _roots_batch(shared: tuple[TerraformLoader, list[tuple[Path, set[Path] | None]]], batch: list[int]
                 ) -> list[tuple[int, list[Resource], InputProblem | None, list[Path], list[InputProblem], list[str],
                                 list[tuple[str, str]]]]:
    loader, roots = shared
    out = []
    for i in batch:
        diag = loader.diag
        before = (set(loader.loaded_files()), len(diag.problems), len(diag.notices), len(diag.unread))
        found, crash = _root(loader, *roots[i])
        read = [p for p in loader.loaded_files() if p not in before[0]]
        out.append((i, found, crash, read, diag.problems[before[1]:], diag.notices[before[2]:], diag.unread[before[3]:]))
    return out
