"""NGINX configuration files read as nginx reads them: crossplane's statements, with ``include``
followed relative to the main file's folder and spliced in where it stands (the nginx
parser's first step; ``soc2iac.parsers.nginx`` turns the statements into resources).

During a scan, an include is read only when its real path lies in the scanned tree (the folders
named, a named file's folder, ``scan --include-root``); one leading outside it is never read nor
quoted: a notice names the include and it counts as unresolved.
"""

from __future__ import annotations

import glob
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soc2iac.errors import InputError
from soc2iac.parsers import inside_tree, one_line, read_source

MAX_INCLUDE_DEPTH = 20
MAX_NESTING = 100  # block depth (real configs stay under 10)
MAX_FILES = 500
OUTSIDE = "<outside the scanned tree>"  # an include's mark: it matched files the scan may not read


@dataclass
class Stmt:
    name: str
    args: list[str]
    file: str  # as shown in findings
    line: int
    end: int
    block: list[Stmt] | None = None


@dataclass
class Config:
    """One parsed configuration, includes spliced in where they stand."""

    stmts: list[Stmt]
    files: dict[str, list[str]] = field(default_factory=dict)  # shown -> text lines
    real: dict[str, Path] = field(default_factory=dict)  # shown -> resolved path
    included: set[Path] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)  # notices: includes outside the scanned tree


def _crossplane() -> Any:
    import crossplane  # imported here only: the rest of soc2iac does not need it

    return crossplane


def parse_config_text(text: str, shown: str, root: Path, real: Path | None = None) -> Config:
    """Parse ``text`` (shown as ``shown``), following includes relative to ``root``."""
    loader = _Loader(root)
    if real is not None:
        loader.stack.append(real.resolve())
    stmts = loader.parse_text(text, shown)
    cfg = Config(loader.expand(stmts, 0), loader.files, loader.real, loader.included, loader.refused)
    if real is not None:
        cfg.real[shown] = real.resolve()
    return cfg


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, list[str]] = {}
        self.real: dict[str, Path] = {}
        self.included: set[Path] = set()
        self.refused: list[str] = []
        self.stack: list[Path] = []
        self.count = 0

    def parse_text(self, text: str, shown: str) -> list[Stmt]:
        self.files[shown] = text.splitlines()
        cp = _crossplane()
        with tempfile.TemporaryDirectory(prefix="soc2iac-nginx-") as tmp:
            tmpfile = os.path.join(tmp, "nginx.conf")
            with open(tmpfile, "w", encoding="utf-8") as fh:
                fh.write(f"{text}\n\n{_END_MARK}\n")
            ends = _block_ends(cp, tmpfile, shown)
            payload = cp.parse(tmpfile, single=True, comments=False, check_ctx=False, check_args=False,
                               onerror=lambda e: e)
        for err in payload.get("errors", []):
            exc = err.get("callback")
            line = getattr(exc, "lineno", None) or err.get("line") or 0
            reason = getattr(exc, "strerror", None) or str(exc or err.get("error"))
            raise InputError(shown, f"invalid nginx config: {one_line(reason)}", line=int(line))
        parsed = payload["config"][0]["parsed"] if payload.get("config") else []
        order = iter(ends)
        return [_convert(s, shown, order) for s in parsed]

    def expand(self, stmts: list[Stmt], depth: int) -> list[Stmt]:
        out: list[Stmt] = []
        for st in stmts:
            if st.name == "include" and st.block is None and st.args:
                out.append(st)  # kept: tells where an include stood (and whether it resolved)
                found = self.targets(st.args[0])
                targets = [t for t in found if inside_tree(t)]
                if len(targets) < len(found):  # never read, never quoted: a notice names the include only
                    self.refused.append(f"{st.file}:{st.line}: include {one_line(st.args[0], 80)} leads outside "
                                        "the scanned folder; not read (`scan --include-root DIR` allows a folder)")
                    st.args = [*st.args[:1], OUTSIDE]  # files matched and were refused: unresolved
                elif not targets:
                    st.args = [*st.args[:1], "<unresolved>"]
                for target in targets:
                    out.extend(self.include(target, st, depth))
                continue
            if st.block is not None:
                st.block = self.expand(st.block, depth)
            out.append(st)
        return out

    def include(self, target: Path, at: Stmt, depth: int) -> list[Stmt]:
        resolved = target.resolve()
        if resolved in self.stack:
            raise InputError(at.file, f"include {one_line(at.args[0], 80)} includes itself (a cycle)", line=at.line)
        if depth >= MAX_INCLUDE_DEPTH:
            raise InputError(at.file, f"includes nested more than {MAX_INCLUDE_DEPTH} deep", line=at.line)
        self.count += 1
        if self.count > MAX_FILES:
            raise InputError(at.file, f"more than {MAX_FILES} included files", line=at.line)
        from soc2iac.parsers.terraform import display_path

        shown = display_path(target)
        text = read_source(target, shown)
        self.included.add(resolved)
        self.real[shown] = resolved
        self.stack.append(resolved)
        try:
            return self.expand(self.parse_text(text, shown), depth + 1)
        finally:
            self.stack.pop()

    def targets(self, pattern: str) -> list[Path]:
        """Files an ``include`` names, found under the main file's folder."""
        if os.path.isabs(pattern):
            parts = Path(pattern).parts[1:]
            magic = glob.has_magic(parts[-1]) if parts else False
            for i in range(len(parts)):
                rel = parts[i:]
                if magic and len(rel) < 2 <= len(parts):
                    break  # a bare "*.conf" would match unrelated files of the main folder
                found = _glob(self.root.joinpath(*rel))
                if found:
                    return found
            return []
        return _glob(self.root / pattern)


def _glob(path: Path) -> list[Path]:
    text = str(path)
    if glob.has_magic(text):
        return [Path(p) for p in sorted(glob.glob(text)) if os.path.isfile(p)]
    return [path] if path.is_file() else []


def _convert(raw: Mapping[str, Any], shown: str, ends: Iterable[tuple[int, int]]) -> Stmt:
    line = int(raw.get("line") or 0)
    st = Stmt(str(raw["directive"]), [str(a) for a in raw.get("args", [])], shown, line, line)
    if "block" in raw:
        start_end = next(iter(ends), None)
        children = [_convert(c, shown, ends) for c in raw["block"]]
        st.block = children
        st.end = start_end[1] if start_end else max([line, *(c.end for c in children)])
    return st


# A comment written after the text: crossplane's lexer silently drops a quoted string still
# open at the end of the file (and all that follows its opening quote), this mark with it.
_END_MARK = "#soc2iac:end-of-file"


def _block_ends(cp: Any, filename: str, shown: str) -> list[tuple[int, int]]:
    """(start, end) line of every block in document order; InputError on a syntax error
    crossplane lets through (a directive not terminated by ``;``, a quote not closed)."""
    ends: list[tuple[int, int]] = []
    open_blocks: list[int] = []
    pending: tuple[str, int] | None = None
    last = 1
    closed = False  # the end mark was read
    try:
        for token, line, quoted in cp.lex(filename):
            closed = not quoted and token == _END_MARK
            if closed:
                continue
            last = line
            if not quoted and token.startswith("#"):
                continue
            if quoted or token not in ("{", "}", ";"):
                if pending is None:
                    pending = (token, line)
                continue
            if token == "{":
                if pending is None:
                    raise InputError(shown, 'invalid nginx config: unexpected "{"', line=line)
                open_blocks.append(len(ends))
                if len(open_blocks) > MAX_NESTING:
                    raise InputError(shown, f"invalid nginx config: blocks nested more than {MAX_NESTING} deep",
                                     line=line)
                ends.append((pending[1], 0))
                pending = None
            elif token == ";":
                if pending is None:
                    raise InputError(shown, 'invalid nginx config: unexpected ";"', line=line)
                pending = None
            else:
                if pending is not None:
                    raise InputError(shown, f'invalid nginx config: unexpected "}}" (missing ";" after '
                                            f'"{one_line(pending[0], 80)}" on line {pending[1]}?)', line=line)
                if open_blocks:
                    i = open_blocks.pop()
                    ends[i] = (ends[i][0], line)
    except InputError:
        raise
    except Exception as exc:  # crossplane's NgxParserSyntaxError (unbalanced braces) and lexer errors
        lineno = last if closed else getattr(exc, "lineno", None) or last  # at the end: the last token's line
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise InputError(shown, f"invalid nginx config: {one_line(reason)}", line=int(lineno)) from None
    if not closed:
        raise InputError(shown, "invalid nginx config: unexpected end of file in a quoted string (a quote "
                                "after this line is not closed)", line=last)
    if pending is not None:
        raise InputError(shown, f'invalid nginx config: unexpected end of file, expecting ";" or "}}" '
                                f'after "{one_line(pending[0], 80)}"', line=pending[1])
    return ends
