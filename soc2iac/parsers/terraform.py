"""Terraform HCL source -> :class:`Resource` records.

A Terraform module is a directory: variables, locals and outputs declared in
any ``.tf`` file of it are visible to all of them. python-hcl2 (or its tree-sitter
twin) gives each file's blocks; the expressions, as :mod:`soc2iac.parsers.hcl_syntax`'s
trees, come from the same tree-sitter parse (:mod:`soc2iac.parsers.hcl_ts_syntax`), else
hcl_syntax reads them from the text; they are evaluated as Terraform does
(:mod:`soc2iac.parsers.hcl_eval`). Local module calls (``source = "./modules/logs"``)
are followed; count and for_each expand into Terraform's instances
(:mod:`soc2iac.parsers.terraform_module`), so resources get addresses such as
``module.logs["audit"].aws_s3_bucket.this[0]``. Remote module sources are not
fetched; they are recorded as notices.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soc2iac.cache import cached_parse, may_cache
from soc2iac.cache import current as current_cache
from soc2iac.errors import InputError, InputProblem
from soc2iac.model import Resource, join_path
from soc2iac.parsers import HUGE_INT, MAX_DEPTH, huge_int, nesting_depth, read_source
from soc2iac.parsers.hcl_eval import EXPRESSIONS, META_KEYS, Exprs, Scope, from_raw
from soc2iac.parsers.hcl_syntax import Node
from soc2iac.parsers.terraform_module import ModuleInstance
from soc2iac.parsers.hcl_prepass import normalize
from soc2iac.redact import looks_secret

SOURCE = "terraform"


def display_path(path: Path) -> str:
    """A path as findings show it: relative to the working directory when inside it."""
    return _display_path(str(path), os.getcwd())


@functools.lru_cache(maxsize=65536)
def _display_path(path: str, cwd: str) -> str:
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


@dataclass
class HclFile:
    path: Path
    text: str
    body: dict[str, Any]
    block_lines: dict[int, dict[str, int]] = field(default_factory=dict)  # block start -> attribute lines
    parsed_exprs: Exprs | None = None  # built with the body from the same parse, when it could be

    @functools.cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @functools.cached_property
    def exprs(self) -> Exprs | None:
        """Every attribute's expression, read from the text (None: not readable here; python-hcl2's
        rendering of them is used instead)."""
        if self.parsed_exprs is not None:
            return self.parsed_exprs
        return file_expressions(self.text, cacheable=not _values_file(self.path))

    def attribute_lines(self, start: int, end: int) -> dict[str, int]:
        """A copy of the attribute line map of the block at ``start..end``."""
        found = self.block_lines.get(start)
        if found is None:
            found = self.block_lines[start] = attribute_lines(self.lines, start, end)
        return dict(found)


def load_hcl_file(path: Path) -> HclFile:
    """Read and parse one ``.tf`` or ``.tfvars`` file; :class:`InputError` on any problem.

    The parse (body, each top-level block's attribute lines, the expressions when tree-sitter
    gave them) comes from the parse cache when the same text was parsed before."""
    shown = display_path(path)
    text = read_source(path, shown)
    if _values_file(path):
        body, block_lines, exprs = _parse_file(text, shown)
    else:
        body, block_lines, exprs = cached_parse(*cache_parts(text, shown), shown, lambda: _parse_file(text, shown))
    return HclFile(path=path, text=text, body=body, block_lines=block_lines, parsed_exprs=exprs)


def _values_file(path: Path) -> bool:
    """A ``.tfvars`` file: values only, often secrets, and small: never cached."""
    return path.name.endswith(".tfvars")


def file_expressions(text: str, *, cacheable: bool = True) -> Exprs | None:
    """The expressions of a file's text: from this process, the parse cache, or parsed now."""
    if text in EXPRESSIONS.values:
        return EXPRESSIONS.parse(text)
    cache = current_cache()
    if cache is None:
        return EXPRESSIONS.parse(text)
    key = cache.key("hcl-expressions", (text,))
    stored = cache.get("hcl-expressions", key)
    found = EXPRESSIONS.parse(text, lambda: stored)
    if found is not None and not isinstance(stored, dict) and (cache.root is None or cacheable and may_cache([text])):
        cache.put("hcl-expressions", key, found)  # written only for files without a secret
    return found


def cache_parts(text: str, shown: str) -> tuple[str, tuple[str, ...]]:
    """Cache namespace and key parts of a parse: it depends on the text only."""
    return "hcl", (text,)


def _parse_file(text: str, shown: str) -> tuple[dict[str, Any], dict[int, dict[str, int]], Exprs | None]:
    """Body, attribute lines and (None: left to :func:`file_expressions`) expressions of a file."""
    body, exprs = _fast_parse_both(text)
    if body is None:
        body = parse_hcl_text(text, shown, fast=False)
    lines = text.splitlines()
    return body, {start: attribute_lines(lines, start, end) for start, end in _block_spans(body)}, exprs


def _block_spans(body: Mapping[str, Any]) -> Iterator[tuple[int, int]]:
    """``(start, end)`` lines of every top-level block (under its labels)."""
    def visit(node: Any, depth: int) -> Iterator[tuple[int, int]]:
        if not isinstance(node, dict) or depth > 3:
            return
        start = node.get("__start_line__")
        if isinstance(start, int):
            end = node.get("__end_line__", start)
            yield start, end if isinstance(end, int) else start
            return
        for value in node.values():
            yield from visit(value, depth + 1)

    for entries in body.values():
        for entry in entries if isinstance(entries, list) else ():
            yield from visit(entry, 0)


def parse_hcl_text(text: str, shown: str, *, fast: bool = True) -> dict[str, Any]:
    """The python-hcl2 7.x body of ``text``. ``fast``: through the tree-sitter path when it can
    vouch for an identical answer (:mod:`soc2iac.parsers.hcl_treesitter`, about 3x faster);
    python-hcl2 (the reference, and the one that words errors) otherwise."""
    if not text.strip():
        return {}
    if fast:
        body = _fast_parse(text)
        if body is not None:
            return body
    import hcl2
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken, VisitError

    text = normalize(text)
    try:
        body = hcl2.loads(text if text.endswith("\n") else text + "\n", with_meta=True)
    except UnexpectedToken as exc:
        token = str(exc.token).strip() or exc.token.type
        # the text of a string or a long word may be a secret: messages name its kind instead
        what = ("a string" if token[:1] in "\"'<" and len(token) > 1
                else f"a {exc.token.type} token" if len(token) > 20 or looks_secret(token) else repr(token))
        raise InputError(shown, f"invalid HCL: unexpected {what}", line=exc.line or 0) from None
    except UnexpectedCharacters as exc:
        raise InputError(shown, f"invalid HCL: unexpected character {exc.char!r}", line=exc.line or 0) from None
    except UnexpectedEOF:
        raise InputError(shown, "invalid HCL: unexpected end of file", line=text.count("\n") + 1) from None
    except VisitError as exc:  # python-hcl2 rejected a construct while building values
        meta = getattr(exc.obj, "meta", None)
        line = getattr(meta, "line", 0) if meta is not None and not getattr(meta, "empty", True) else 0
        detail = str(exc.orig_exc).strip().splitlines()[0] if str(exc.orig_exc).strip() else type(exc.orig_exc).__name__
        detail = HUGE_INT if huge_int(exc.orig_exc) else detail
        detail = re.sub(r'"[^"]*"?', '"..."', detail)  # never quote the file's strings (a secret?)
        raise InputError(shown, f"invalid HCL: {detail[:120]}", line=line) from None
    except RecursionError:
        raise InputError(shown, "invalid HCL: nested too deeply") from None
    except ValueError as exc:
        raise InputError(shown, f"invalid HCL: {HUGE_INT if huge_int(exc) else type(exc).__name__}") from None
    except LarkError as exc:
        raise InputError(shown, f"invalid HCL: {type(exc).__name__}") from None
    if not isinstance(body, dict):
        raise InputError(shown, "invalid HCL: top level is not a body")
    if nesting_depth(body) > MAX_DEPTH:
        raise InputError(shown, f"invalid HCL: nested more than {MAX_DEPTH} levels")
    return body


def _fast_parse_both(text: str) -> tuple[dict[str, Any] | None, Exprs | None]:
    """Body and expressions from one tree-sitter parse (:mod:`soc2iac.parsers.hcl_ts_syntax`);
    None for what it cannot vouch for."""
    if os.environ.get("SOC2IAC_HCL_PARSER") == "python-hcl2":  # the reference parsers, both
        return None, None
    try:
        from soc2iac.parsers import hcl_ts_syntax

        return hcl_ts_syntax.parse(text)
    except ImportError:  # tree-sitter not installed: python-hcl2 and hcl_syntax alone
        return None, None
    except Exception:  # noqa: BLE001 - anything unexpected: the reference parsers decide
        return None, None


def _fast_parse(text: str) -> dict[str, Any] | None:
    if os.environ.get("SOC2IAC_HCL_PARSER") == "python-hcl2":
        return None
    try:
        from soc2iac.parsers import hcl_treesitter

        return hcl_treesitter.parse_body(text)
    except ImportError:  # tree-sitter not installed: python-hcl2 alone
        return None
    except Exception:  # noqa: BLE001 - Unsupported, or anything unexpected: the reference parser decides
        return None


# ---------------------------------------------------------------------------
# attribute line numbers
# ---------------------------------------------------------------------------
_ATTR_LINE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*=(?!=)\s*(.*)$")
_BLOCK_LINE = re.compile(r'^\s*([A-Za-z_][\w-]*)(?:\s+(?:"[^"]*"|[A-Za-z_][\w-]*))*\s*\{\s*$')
_HEREDOC = re.compile(r"<<-?\s*([A-Za-z_]\w*)\s*$")
_BRACKETS = re.compile(r"[{}\[\]()]")


def attribute_lines(lines: list[str], start: int, end: int) -> dict[str, int]:
    """Map attribute paths inside the block spanning ``start..end`` to line numbers.

    Nested blocks get list indices (``logging[0].target_bucket``) as
    :func:`soc2iac.model.resolve` produces them; object attributes get
    dotted paths (``tags.Env``).
    """
    out: dict[str, int] = {}
    # stack of (path, counters) for frames that register names; None for opaque frames
    stack: list[tuple[str, dict[str, int]] | None] = [("", {})]
    heredoc: str | None = None
    for lineno in range(start + 1, min(end, len(lines)) + 1):
        raw = lines[lineno - 1]
        if heredoc is not None:
            if raw.strip() == heredoc:
                heredoc = None
            continue
        line = _strip_comment(raw)
        frame = stack[-1] if stack else None
        opened: str | None = None
        if frame is not None:
            here, counters = frame
            m_block = _BLOCK_LINE.match(line)
            m_attr = _ATTR_LINE.match(line)
            if m_block and not m_attr:
                key = m_block.group(1)
                index = counters.get(key, 0)
                counters[key] = index + 1
                opened = join_path(join_path(here, key), index)
                out.setdefault(opened, lineno)
                out.setdefault(join_path(here, key), lineno)
            elif m_attr:
                key = m_attr.group(1)
                out.setdefault(join_path(here, key), lineno)
                if m_attr.group(2).rstrip().endswith("{"):
                    opened = join_path(here, key)
        doc = _HEREDOC.search(line)
        if doc:
            heredoc = doc.group(1)
        for ch in _BRACKETS.findall(_code_only(line)):
            if ch in "{[(":
                if opened is not None and ch == "{":
                    stack.append((opened, {}))
                    opened = None
                else:
                    stack.append(None)
            elif ch in "}])":
                if len(stack) > 1:
                    stack.pop()
    return out


def _strip_comment(line: str) -> str:
    if "#" not in line and "//" not in line:
        return line
    out = []
    quote = False
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                out.append(line[i : i + 2])
                i += 2
                continue
            if ch == '"':
                quote = False
        elif ch == '"':
            quote = True
        elif ch == "#" or line.startswith("//", i):
            break
        out.append(ch)
        i += 1
    return "".join(out)


def _code_only(line: str) -> str:
    """The line without string contents, so braces inside strings do not count."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)


# ---------------------------------------------------------------------------
# modules
# ---------------------------------------------------------------------------
@dataclass
class ModuleDir:
    path: Path
    files: list[HclFile] = field(default_factory=list)

    def blocks(self, kind: str) -> Iterator[tuple[HclFile, str, dict[str, Any]]]:
        """Yield ``(file, label, body)`` for one-label blocks (variable, output, module)."""
        for f in self.files:
            for entry in f.body.get(kind, []) or []:
                for label, body in entry.items():
                    if isinstance(body, dict):
                        yield f, label, body

    def required_providers(self) -> Iterator[tuple[HclFile, dict[str, Any]]]:
        """Yield ``(file, body)`` for every ``required_providers`` block of a ``terraform`` block."""
        for f in self.files:
            for block in f.body.get("terraform", []) or []:
                for entry in block.get("required_providers", []) if isinstance(block, dict) else []:
                    if isinstance(entry, dict):
                        yield f, entry

    def typed_blocks(self, kind: str) -> Iterator[tuple[HclFile, str, str, dict[str, Any]]]:
        """Yield ``(file, type, name, body)`` for two-label blocks (resource, data)."""
        for f in self.files:
            for entry in f.body.get(kind, []) or []:
                for rtype, named in entry.items():
                    if not isinstance(named, dict):
                        continue
                    for name, body in named.items():
                        if isinstance(body, dict):
                            yield f, rtype, name, body

    def locals_nodes(self) -> dict[str, Node]:
        """Every local of the module (declared in any of its files) and its expression."""
        merged: dict[str, Node] = {}
        for f in self.files:
            for block in f.body.get("locals", []) or []:
                if not isinstance(block, dict):
                    continue
                start = block.get("__start_line__")
                nodes = f.exprs.get(start, {}) if f.exprs is not None and isinstance(start, int) else {}
                for k, v in block.items():
                    if k not in META_KEYS:
                        merged[k] = nodes.get(k) or from_raw(v)
        return merged

    def module_calls(self) -> Iterator[tuple[HclFile, str, dict[str, Any]]]:
        return self.blocks("module")

    def local_module_dirs(self) -> Iterator[Path]:
        for _f, _label, body in self.module_calls():
            source = body.get("source")
            if isinstance(source, str) and is_local_source(source):
                yield (self.path / source).resolve()


MODULE_MANIFEST = Path(".terraform") / "modules" / "modules.json"


def read_module_manifest(root: Path, diag: Diagnostics) -> dict[str, Path]:
    """Module key -> folder, from the ``modules.json`` that ``terraform init`` writes (read offline;
    a folder outside ``.terraform/modules`` is not followed: the file is not trusted)."""
    path = root / MODULE_MANIFEST
    if not path.is_file():
        return {}
    shown = display_path(path)
    try:
        doc = json.loads(read_source(path, shown))
    except InputError as exc:
        diag.notices.append(f"{exc.problem}; registry modules not read")
        return {}
    except (ValueError, RecursionError):
        diag.notices.append(f"{shown}: not valid JSON; registry modules not read")
        return {}
    entries = doc.get("Modules") if isinstance(doc, dict) else None
    home = (root / MODULE_MANIFEST.parent).resolve()
    out: dict[str, Path] = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("Key"), str) or not isinstance(entry.get("Dir"), str):
            continue
        folder = Path(os.path.normpath(root / entry["Dir"]))
        if entry["Key"] and folder.resolve().is_relative_to(home) and folder.is_dir():
            out[entry["Key"]] = folder
    return out


LOCK_FILE = ".terraform.lock.hcl"


def read_lock_file(root: Path, diag: Diagnostics) -> dict[str, tuple[str, str]]:
    """Provider type name (``azurerm``) -> (the version ``terraform init`` selected, the file)."""
    path = root / LOCK_FILE
    if not path.is_file():
        return {}
    shown = display_path(path)
    try:
        body = parse_hcl_text(read_source(path, shown), shown)
    except InputError as exc:
        diag.notices.append(f"{exc.problem}; provider versions not read from it")
        return {}
    out: dict[str, tuple[str, str]] = {}
    for entry in body.get("provider", []) or []:
        for address, spec in entry.items() if isinstance(entry, dict) else ():
            version = spec.get("version") if isinstance(spec, dict) else None
            if isinstance(version, str) and version:
                out[address.rsplit("/", 1)[-1]] = (version, shown)
    return out


def symlink_notice(path: Path) -> str:
    return f"{display_path(path)}: symbolic link not followed (--follow-symlinks scans it)"


def is_local_source(source: str) -> bool:
    return source.startswith("./") or source.startswith("../")


@dataclass
class Trace:
    """What evaluating one root read, so that its result can be reused while none of it changed:
    ``reads`` ("file": an HCL file loaded, "dir": a module folder listed, "data": a JSON tfvars
    file), and ``loads``, the (problems, notices) index ranges the first loads added to the
    loader's diagnostics (they are the loads' own, replayed by loading again)."""

    reads: list[tuple[str, str]] = field(default_factory=list)
    loads: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    unread: list[tuple[str, str]] = field(default_factory=list)  # module calls not read (caller, source)


@dataclass
class Diagnostics:
    problems: list[InputProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    unread: list[tuple[str, str]] = field(default_factory=list)  # module calls not read: (file:line, source)


class TerraformLoader:
    """Parses each file once and instantiates root modules with their children."""

    def __init__(self, *, var_files: Iterable[Path] = (), follow_symlinks: bool = True,
                 explicit: Iterable[Path] = (), declared: bool = False) -> None:
        self.var_files = list(var_files)
        # also the blocks whose count is 0 or for_each empty (declared, never created): a plan's
        # deleted instances are located by them (``count = 0`` is how a module switches a resource off)
        self.declared = declared
        self.follow_symlinks = follow_symlinks  # False: a symlinked .tf file in a module folder is skipped
        self.explicit = {p.resolve() for p in explicit}  # files named on the command line (always read)
        self.diag = Diagnostics()
        self._files: dict[Path, HclFile | None] = {}
        self._dirs: dict[Path, ModuleDir] = {}
        self._dir_files: dict[Path, list[Path]] = {}  # each folder's .tf files that are read
        self._adopted: set[Path] = set()
        self.trace: Trace | None = None  # what the root being evaluated reads (see :class:`Trace`)
        self._manifests: dict[Path, dict[str, Path]] = {}
        self._locks: dict[Path, dict[str, tuple[str, str]]] = {}

    # -- loading ------------------------------------------------------------
    def loaded_files(self) -> list[Path]:
        """Every file parsed successfully so far (here or, taken over, in a worker)."""
        return [p for p, f in self._files.items() if f is not None] + [p for p in self._adopted if p not in self._files]

    def adopt(self, read: Iterable[Path], problems: Iterable[InputProblem], notices: Iterable[str],
              unread: Iterable[tuple[str, str]] = ()) -> None:
        """Take over what a forked copy of this loader read and reported."""
        self._adopted.update(read)
        self.diag.problems.extend(problems)
        self.diag.notices.extend(notices)
        self.diag.unread.extend(unread)

    def file(self, path: Path) -> HclFile | None:
        key = path.resolve()
        if self.trace is not None:
            self.trace.reads.append(("file", str(path)))
        if key not in self._files:
            with self._loading():
                try:
                    self._files[key] = load_hcl_file(path)
                except InputError as exc:
                    self.diag.problems.append(exc.problem)
                    self._files[key] = None
        return self._files[key]

    def module_dir(self, path: Path) -> ModuleDir:
        key = path.resolve()
        if key not in self._dirs:
            with self._loading():
                self._dirs[key] = self._read_dir(path)
        if self.trace is not None:
            self.trace.reads.append(("dir", str(path)))
            self.trace.reads.extend(("file", str(p)) for p in self._dir_files.get(key, ()))
        return self._dirs[key]

    @contextlib.contextmanager
    def _loading(self) -> Iterator[None]:
        """Problems and notices of a first load belong to the load, not to the root being traced."""
        before = (len(self.diag.problems), len(self.diag.notices))
        try:
            yield
        finally:
            if self.trace is not None:
                self.trace.loads.append((before, (len(self.diag.problems), len(self.diag.notices))))

    def _read_dir(self, path: Path) -> ModuleDir:
        mod = ModuleDir(path=path)
        try:
            names = sorted(p for p in path.iterdir() if p.suffix == ".tf" and (p.is_file() or p.is_symlink()))
        except OSError as exc:
            self.diag.problems.append(InputProblem(display_path(path), f"cannot read: {exc.strerror or exc}"))
            names = []
        names = [p for p in names if self._follow(p)]
        self._dir_files[path.resolve()] = names
        for p in names:
            f = self.file(p)
            if f is not None:
                mod.files.append(f)
        return mod

    def _follow(self, path: Path) -> bool:
        """Whether to read a ``.tf`` file: symlinks only with ``follow_symlinks`` or when named."""
        if not path.is_symlink():
            return True
        if not path.is_file():
            self.diag.notices.append(f"{display_path(path)}: broken symbolic link or link loop; skipped")
            return False
        if self.follow_symlinks or path.resolve() in self.explicit:
            return True
        self.diag.notices.append(symlink_notice(path))
        return False

    # -- instantiation ---------------------------------------------------
    def shown(self, path: Path) -> str:
        return display_path(path)

    def notice(self, text: str) -> None:
        self.diag.notices.append(text)

    def depends_on(self, path: Path) -> None:
        """The root being evaluated looked at ``path`` (whether it exists, what it is)."""
        if self.trace is not None:
            self.trace.reads.append(("path", str(path)))

    def unread(self, at: str, source: str) -> None:
        if self.trace is not None:
            self.trace.unread.append((at, source))
        if (at, source) not in self.diag.unread:
            self.diag.unread.append((at, source))

    def locked_providers(self, root: Path) -> dict[str, tuple[str, str]]:
        """Provider type name -> (version, lock file as shown), from ``root/.terraform.lock.hcl``."""
        resolved = root.resolve()
        if self.trace is not None:
            self.trace.reads.append(("data", str(root / ".terraform.lock.hcl")))
        if resolved not in self._locks:  # (its notices are the root's: replayed with them)
            self._locks[resolved] = read_lock_file(root, self.diag)
        return self._locks[resolved]

    def installed_module(self, root: Path, key: str) -> Path | None:
        """The folder ``terraform init`` put module ``key`` in (``.terraform/modules/modules.json``
        of ``root``), when it lies inside that ``.terraform/modules``; None otherwise."""
        resolved = root.resolve()
        if self.trace is not None:
            self.trace.reads.append(("data", str(root / ".terraform" / "modules" / "modules.json")))
        if resolved not in self._manifests:  # (its notices are the root's: replayed with them)
            self._manifests[resolved] = read_module_manifest(root, self.diag)
        return self._manifests[resolved].get(key)

    def root_resources(self, root: Path, only_files: set[Path] | None = None) -> list[Resource]:
        mod = self.module_dir(root)
        try:
            variables = self._root_variables(mod)
            inst = ModuleInstance(self, mod, prefix="", inputs=variables, depth=0, only_files=only_files)
            scope = display_path(root)  # addresses repeat across root folders (prod/, staging/)
            return [dataclasses.replace(r, scope=scope) for r in inst.resources()]
        except RecursionError:
            self.diag.problems.append(InputProblem(
                display_path(root), "Terraform expressions nest too deeply to evaluate (e.g. a very long "
                                    "chain of locals); module not scanned"))
            return []

    def _root_variables(self, mod: ModuleDir) -> dict[str, Any]:
        values: dict[str, Any] = {}
        auto = [mod.path / "terraform.tfvars", mod.path / "terraform.tfvars.json"]
        try:
            auto += sorted(
                p for p in mod.path.iterdir()
                if p.name.endswith(".auto.tfvars") or p.name.endswith(".auto.tfvars.json")
            )
        except OSError:
            pass
        for p in [a for a in auto if a.is_file()] + self.var_files:
            values.update(self._tfvars(p))
        return values

    def _tfvars(self, path: Path) -> dict[str, Any]:
        if path.name.endswith(".json"):
            if self.trace is not None:
                self.trace.reads.append(("data", str(path)))
            try:
                data = json.loads(read_source(path, display_path(path)))
            except InputError as exc:
                self.diag.problems.append(exc.problem)
                return {}
            except (ValueError, RecursionError) as exc:
                detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
                self.diag.problems.append(InputProblem(display_path(path), f"invalid tfvars JSON: {detail}",
                                                       getattr(exc, "lineno", 0)))
                return {}
            return data if isinstance(data, dict) else {}
        f = self.file(path)
        if f is None:
            return {}
        # tfvars hold literals only; evaluate with an empty scope
        scope = Scope(prefix="", variables={}, locals_nodes={})
        nodes = f.exprs.get(0, {}) if f.exprs is not None else {}
        return {k: scope.evaluate(nodes.get(k) or from_raw(v)) for k, v in f.body.items() if k not in META_KEYS}
