"""NGINX configuration (``nginx.conf`` and ``conf.d`` fragments) -> resources.

Files are tokenized and parsed by `crossplane <https://github.com/nginxinc/crossplane>`_
(in single-file mode, without its context and argument checks, so fragments parse
alone); line numbers are crossplane's. ``include`` is followed here, as nginx does,
relative to the main file's folder; an absolute include (``/etc/nginx/conf.d/*.conf``)
is looked for under the main file's folder by its trailing path components, never
on the scanning machine. An include that cannot be found is recorded: directives a
policy needs that are absent where such an include could have set them are
*unknown*, not assumed at their default. During a scan, an include is read only when its
real path lies in the scanned tree (the folders named, a named file's folder, ``scan
--include-root``); one leading outside it is never read nor quoted: a notice names the include
and it counts as unresolved. The ``nginx.conf`` a fragment is read through must lie there too.

Resources:

- ``nginx_server``: one per ``server`` block of the ``http`` context, with the
  directives in effect there (its own, else inherited from ``http``: a directive
  set at a level replaces the inherited one entirely, which is nginx's rule for
  array directives such as ``add_header``, ``access_log`` and ``limit_req`` too);
- ``nginx_location``: one per ``location`` (nested ones too), inheriting from its
  server or enclosing location.

Attributes: each directive by name (a string of its arguments; directives that may
repeat, such as ``listen``, ``add_header``, ``access_log``, ``limit_req``, give a
list of strings), plus ``tls`` (a ``listen ... ssl``/``quic`` or ``ssl on``),
``proxied`` (``proxy_pass``/``fastcgi_pass``/... in the location),
``internal``, ``ssl_cipher_tokens`` (``ssl_ciphers`` split into its tokens),
``cors_allow_origin`` (each Access-Control-Allow-Origin header with
its effective ``value``, ``credentials`` and ``gated``: inside an ``if`` that
tests ``$http_origin``, or mapped from it through an allow-list ``map``),
``inherited`` (directive -> ``file:line`` it comes from) and
``unresolved_includes``.

A fragment (no ``http`` block) scanned alone is read in the context of an
``nginx.conf`` up to two folders above that includes it, so it inherits what it
would in nginx; otherwise its top level is taken as the ``http`` context.
"""

from __future__ import annotations

import functools
import glob
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soc2iac.errors import InputError
from soc2iac.model import Location, Resource, Unknown, join_path
from soc2iac.parsers import comment_markers, inside_tree, notice, one_line, read_source, tree_key, unique_address

SOURCE = "nginx"
SUFFIXES = (".conf",)

MAX_INCLUDE_DEPTH = 20
MAX_NESTING = 100  # block depth (real configs stay under 10)
MAX_FILES = 500
_OUTSIDE = "<outside the scanned tree>"  # an include's mark: it matched files the scan may not read

# directives that may appear several times at one level: kept as a list of strings
MULTI = frozenset({
    "listen", "server_name", "add_header", "add_trailer", "access_log", "error_log", "limit_req",
    "limit_conn", "proxy_set_header", "proxy_hide_header", "proxy_pass_header", "grpc_set_header",
    "fastcgi_param", "uwsgi_param", "scgi_param", "error_page", "allow", "deny", "ssl_certificate",
    "ssl_certificate_key", "ssl_conf_command", "more_set_headers", "more_clear_headers",
    "auth_request_set", "sub_filter", "set", "rewrite", "log_format", "limit_req_zone",
    "limit_conn_zone", "real_ip_from", "set_real_ip_from", "include", "env", "load_module",
})
# directives that apply to their own block only (not merged into nested levels)
NOT_INHERITED = frozenset({
    "listen", "server_name", "proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass",
    "memcached_pass", "return", "rewrite", "try_files", "alias", "internal", "set", "break",
    "include", "limit_req_zone", "limit_conn_zone", "log_format", "map", "upstream", "geo",
    "split_clients", "server", "location", "if", "limit_except", "auth_request_set",
})
PASS_DIRECTIVES = ("proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass")
# directives policies decide on: unknown (not defaulted, not inherited) where an unresolved
# include could set them
DECISIVE = ("ssl_protocols", "ssl_ciphers", "access_log", "limit_req", "limit_req_dry_run", "auth_basic",
            "auth_request")
# well-known files outside a repository and the decisive directives they set
KNOWN_INCLUDES = {
    re.compile(r"(^|/)options-ssl-nginx\.conf$"): frozenset({"ssl_protocols", "ssl_ciphers"}),  # Certbot
}
# files of the standard distribution that set none of the directives policies read
STANDARD_INCLUDES = re.compile(
    r"(^|/)(mime\.types|fastcgi_params|fastcgi\.conf|scgi_params|uwsgi_params|proxy_params|"
    r"koi-utf|koi-win|win-utf|modules-enabled/.*|modules/.*)$")

_BLOCK_RE = re.compile(r"^[ \t]*(http|server|events|stream|upstream[ \t]+[\w.-]+|location[ \t]+[^{;\n]*)[ \t]*\{",
                       re.MULTILINE)
_DIRECTIVE_RE = re.compile(
    r"^[ \t]*(listen|server_name|(?:ssl|proxy|fastcgi|uwsgi|grpc|limit|auth|gzip|client|keepalive)_\w+|"
    r"access_log|error_log|worker_processes|worker_connections|root|try_files|add_header|sendfile|gzip|"
    r"return|rewrite|index|default_type|error_page|expires|resolver|include|user|pid|worker_\w+)"
    r"[ \t]+[^;={}\n]*;", re.MULTILINE)
_TRIVIAL_ORIGIN_RE = {"", ".*", "^.*$", ".+", "^.+$", "^.*", ".*$", "^https?://.*$", "^https?://.*", "https?://.*",
                      "^http", "^https", "http", "https", "://"}


def detect(path: Path, text: str) -> bool:
    """An nginx config: a ``server``/``http``/``location``/... block with a ``;``-terminated
    directive, or at least two well-known directives (a snippet such as ssl-params.conf)."""
    if "=>" in text:  # Logstash pipelines have http { ... } blocks too
        return False
    block = _BLOCK_RE.search(text)
    if block and path.name == "nginx.conf":
        return True
    directives = len(_DIRECTIVE_RE.findall(text))
    if block and directives >= 1:
        return True
    return directives >= 2


# -- parsing ------------------------------------------------------------------------


@dataclass
class Stmt:
    name: str
    args: list[str]
    file: str  # as shown in findings
    line: int
    end: int
    block: list[Stmt] | None = None


@dataclass(frozen=True)
class Unresolved:
    pattern: str
    file: str
    line: int
    depth: int = 0  # nesting level it stands at (http 0, server 1, location 2, ...)
    may_set: frozenset[str] = frozenset(DECISIVE)

    def __str__(self) -> str:
        return f"include {self.pattern} ({self.file}:{self.line})"


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
                if len(targets) < len(found):
                    st.args = [*st.args[:1], _OUTSIDE]  # files matched and were refused: unresolved
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


# -- resources ----------------------------------------------------------------------


@dataclass
class _Level:
    """Directives in effect at one level, with where each came from."""

    eff: dict[str, list[Stmt]]
    unresolved: list[Unresolved]
    maps: dict[str, Stmt]  # $var -> its map block (http level)
    depth: int = 0
    origin: dict[str, int] = field(default_factory=dict)  # directive -> depth it was set at


def _own(block: Sequence[Stmt]) -> dict[str, list[Stmt]]:
    own: dict[str, list[Stmt]] = {}
    for st in block:
        if st.block is not None and st.name not in ("types",):
            continue
        if st.name == "include":
            continue
        own.setdefault(st.name, []).append(st)
    return own


def _unresolved_in(block: Sequence[Stmt], depth: int) -> list[Unresolved]:
    out = []
    for st in block:
        if st.name == "include" and st.args[-1:] in (["<unresolved>"], [_OUTSIDE]):
            pattern = st.args[0]
            relative_glob = glob.has_magic(pattern) and not os.path.isabs(pattern) and st.args[-1] != _OUTSIDE
            if relative_glob or STANDARD_INCLUDES.search(pattern):
                continue  # nothing matched in the repository, or a file that sets nothing checked
            may_set = next((known for rx, known in KNOWN_INCLUDES.items() if rx.search(pattern)),
                           frozenset(DECISIVE))
            out.append(Unresolved(pattern, st.file, st.line, depth, may_set))
    return out


def _child(parent: _Level, block: Sequence[Stmt], depth: int) -> _Level:
    eff = {k: v for k, v in parent.eff.items() if k not in NOT_INHERITED}
    origin = {k: v for k, v in parent.origin.items() if k in eff}
    own = _own(block)
    eff.update(own)
    origin.update({k: depth for k in own})
    return _Level(eff, [*parent.unresolved, *_unresolved_in(block, depth)], parent.maps, depth, origin)


class _Builder:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.resources: list[Resource] = []
        self.addresses: set[str] = set()

    def run(self) -> list[Resource]:
        top = self.cfg.stmts
        http_blocks = [s for s in top if s.name == "http" and s.block is not None]
        if http_blocks:
            for http in http_blocks:
                self.http(http.block or [])
        else:  # a conf.d fragment: its top level is the http context
            self.http(top)
        return self.resources

    def http(self, block: Sequence[Stmt]) -> None:
        maps = {}
        for st in block:
            if st.name == "map" and st.block is not None and len(st.args) >= 2:
                maps[st.args[1]] = st
        level = _child(_Level({}, [], maps), block, 0)
        servers = [s for s in block if s.name == "server" and s.block is not None]
        for server in servers:
            self.server(server, level)
        loose = [s for s in block if s.name == "location" and s.block is not None]
        if loose:  # a snippet of locations, included into some server
            for loc in loose:
                self.location(loc, level, None)

    def server(self, st: Stmt, http: _Level) -> None:
        block = st.block or []
        level = _child(http, block, 1)
        names = [n for s in level.eff.get("server_name", []) for n in s.args] or ["_"]
        ports = [_listen_port(s.args) for s in level.eff.get("listen", [])] or ["80"]
        address = self.unique(f"{st.file}/server({names[0]}:{ports[0]})")
        locations = [s for s in block if s.name == "location" and s.block is not None]
        attrs, lines = self.attributes(st, level, block)
        attrs["server_name"] = names
        attrs["locations"] = [" ".join(s.args) for s in locations]
        self.emit("nginx_server", names[0], address, st, attrs, lines)
        for loc in locations:
            self.location(loc, level, (address, names))

    def location(self, st: Stmt, parent: _Level, server: tuple[str, list[str]] | None) -> None:
        block = st.block or []
        level = _child(parent, block, parent.depth + 1)
        path = " ".join(st.args)
        base = server[0] if server else f"{st.file}/server(?)"
        address = self.unique(f"{base}/location({path})")
        attrs, lines = self.attributes(st, level, block)
        attrs["location"] = st.args[-1] if st.args else ""
        attrs["modifier"] = st.args[0] if len(st.args) > 1 else ""
        attrs["server"] = server[0] if server else None
        attrs["server_name"] = server[1] if server else []
        attrs["internal"] = "internal" in _own(block)
        self.emit("nginx_location", path, address, st, attrs, lines)
        for nested in block:
            if nested.name == "location" and nested.block is not None:
                self.location(nested, level, server)

    def unique(self, address: str) -> str:
        return unique_address(self.addresses, address)

    def attributes(self, st: Stmt, level: _Level, block: Sequence[Stmt]) -> tuple[dict[str, Any], dict[str, int]]:
        attrs: dict[str, Any] = {}
        lines: dict[str, int] = {}
        own = _own(block)
        inherited: dict[str, str] = {}

        def here(occ: Stmt) -> int:  # a line in the block's own file, else the block's first line
            return occ.line if occ.file == st.file else st.line

        for name, occs in level.eff.items():
            if name in MULTI:
                attrs[name] = [" ".join(o.args) for o in occs]
                for i, o in enumerate(occs):
                    lines[join_path(name, i)] = here(o)
            else:
                attrs[name] = " ".join(occs[-1].args)
            lines[name] = here(occs[-1] if name not in MULTI else occs[0])
            if name not in own:
                inherited[name] = f"{occs[0].file}:{occs[0].line}"
        for name in DECISIVE:
            # an include nginx would read but the scan cannot could set it (where it is absent), or
            # override it (where it is inherited from a level above the include)
            could = [u for u in level.unresolved if name in u.may_set
                     and (name not in attrs or u.depth > level.origin.get(name, -1))]
            if could:
                note = ", ".join(str(u) for u in could[:3])
                if name in attrs:
                    attrs[name] = Unknown(f"inherited from {inherited.get(name, 'a level above')}, but the "
                                          f"unresolved {note} may override it")
                else:
                    attrs[name] = Unknown(f"not set in the scanned files; the unresolved {note} may set it")
        ciphers = attrs.get("ssl_ciphers")
        if isinstance(ciphers, (str, Unknown)):  # the OpenSSL cipher string, token by token
            attrs["ssl_cipher_tokens"] = ciphers if isinstance(ciphers, Unknown) else [
                t for t in re.split(r"[:,\s]+", ciphers) if t]
            if "ssl_ciphers" in lines:
                lines["ssl_cipher_tokens"] = lines["ssl_ciphers"]
        attrs["inherited"] = inherited
        attrs["unresolved_includes"] = [u.pattern for u in level.unresolved]
        listens = level.eff.get("listen", []) if st.name == "server" else []
        attrs["tls"] = any(a in ("ssl", "quic") for s in listens for a in s.args[1:]) or (
            attrs.get("ssl") == "on")
        ifs = [s for s in block if s.name == "if" and s.block is not None]
        attrs["proxied"] = any(n in own for n in PASS_DIRECTIVES) or any(
            s.name in PASS_DIRECTIVES for b in ifs for s in b.block or [])
        attrs["auth"] = [n for n in ("auth_basic", "auth_request", "auth_jwt")
                         if isinstance(attrs.get(n), str) and attrs[n] != "off"]
        cors, cors_lines = self.cors(st, level, ifs, here)
        attrs["cors_allow_origin"] = cors
        for i, ln in enumerate(cors_lines):
            lines[join_path("cors_allow_origin", i)] = ln
        return attrs, lines

    def cors(self, st: Stmt, level: _Level, ifs: Sequence[Stmt], here: Any) -> tuple[list[dict[str, Any]], list[int]]:
        """The Access-Control-Allow-Origin headers in effect (add_header, more_set_headers),
        including those inside ``if`` blocks of this level."""
        found: list[tuple[Stmt, str, bool]] = []  # (directive, value, gated)
        credentials = False
        gating_vars = _origin_gating_vars(st)

        def scan(stmts: Iterable[Stmt], gated: bool) -> None:
            nonlocal credentials
            for s in stmts:
                header = _header(s)
                if header is None:
                    continue
                name, value = header
                if name == "access-control-allow-origin":
                    found.append((s, value, gated))
                elif name == "access-control-allow-credentials" and value.lower() == "true":
                    credentials = True

        scan(level.eff.get("add_header", []) + level.eff.get("more_set_headers", []), False)
        for block in ifs:
            scan(block.block or [], _gates_origin(block.args, gating_vars))
        out = []
        lines = []
        for s, value, gated in found:
            effective, via_map = value, ""
            m = re.fullmatch(r"\$\{?(\w+)\}?", value)
            if m and value != "$http_origin" and f"${m.group(1)}" in level.maps:
                via_map = f"${m.group(1)}"
                effective = _map_origin(level.maps[via_map])
                gated = gated or effective != "$http_origin"
            out.append({"value": effective, "written": value, "via_map": via_map, "gated": gated,
                        "credentials": credentials, "directive": s.name})
            lines.append(here(s))
        return out, lines

    def emit(self, rtype: str, name: str, address: str, st: Stmt, attrs: dict[str, Any],
             lines: dict[str, int]) -> None:
        file_lines = self.cfg.files.get(st.file, [])
        comments = comment_markers(file_lines, st.line, st.end) if file_lines else ()
        self.resources.append(Resource(
            source=SOURCE, type=rtype, name=name, address=address, attributes=attrs,
            location=Location(st.file, st.line, st.end), lines=lines, comments=comments))


def _listen_port(args: Sequence[str]) -> str:
    if not args:
        return "80"
    addr = args[0]
    if addr.startswith("unix:"):
        return addr
    m = re.search(r"(?:^|:|\])(\d+)$", addr)
    if m:
        return m.group(1)
    return "80"


def _header(s: Stmt) -> tuple[str, str] | None:
    if s.name == "add_header" and len(s.args) >= 2:
        return s.args[0].lower(), s.args[1]
    if s.name == "more_set_headers":
        for arg in s.args:
            if not arg.startswith("-") and ":" in arg:
                name, _, value = arg.partition(":")
                return name.strip().lower(), value.strip()
    return None


def _gates_origin(cond: Sequence[str], gating_vars: set[str]) -> bool:
    """Whether an ``if`` condition restricts on the request's Origin."""
    if not cond:
        return False
    var = cond[0]
    if var == "$http_origin" and len(cond) == 3 and cond[1] in ("~", "~*", "="):
        return cond[2].strip() not in _TRIVIAL_ORIGIN_RE
    return any(var == v or var.startswith(v) for v in gating_vars)


def _origin_gating_vars(st: Stmt) -> set[str]:
    """Variables ``set`` inside ``if`` blocks that test ``$http_origin`` (the classic
    ``if ($http_origin ~ ...) { set $cors true; }`` pattern), in this block and the
    blocks around it are not visible here, so in this block and nested ones."""
    out: set[str] = set()

    def walk(stmts: Iterable[Stmt]) -> None:
        for s in stmts:
            if s.name == "if" and s.block is not None and _gates_origin(s.args, set()):
                out.update(x.args[0] for x in s.block if x.name == "set" and x.args)
            if s.block is not None:
                walk(s.block)

    walk(st.block or [])
    return out


def _map_origin(mp: Stmt) -> str:
    """``$http_origin`` when a ``map $http_origin $x {...}`` lets any origin through, else
    a description of the allow-list."""
    if not mp.args or mp.args[0] != "$http_origin":
        return f"<map of {mp.args[0] if mp.args else '?'}>"
    for entry in mp.block or []:
        key = entry.name
        value = entry.args[0] if entry.args else ""
        if value == "$http_origin" and (key == "default" or key.lstrip("~*") in _TRIVIAL_ORIGIN_RE):
            return "$http_origin"
        if value == "*":
            return "*"
    return f"<allow-list map {mp.args[1]}>"


# -- entry points -----------------------------------------------------------------


def _load_main(main: Path) -> Config:
    """A main nginx.conf with its includes (cached while the file is unchanged: every
    fragment of a conf.d folder looks its main file up)."""
    from soc2iac.parsers.terraform import display_path

    info = main.stat()
    return _load_main_cached(str(main.resolve()), info.st_mtime_ns, info.st_size, os.getcwd(), display_path(main),
                             tree_key())


@functools.lru_cache(maxsize=16)
def _load_main_cached(resolved: str, mtime_ns: int, size: int, cwd: str, shown: str,
                      tree: tuple[str, ...] | None = None) -> Config:
    main = Path(resolved)
    return parse_config_text(read_source(main, shown), shown, main.parent, main)


def _find_main(path: Path) -> tuple[Path, Config] | None:
    """An nginx.conf up to two folders above ``path`` that includes it, parsed."""
    resolved = path.resolve()
    folder = resolved.parent
    for candidate_dir in (folder, folder.parent, folder.parent.parent):
        candidate = candidate_dir / "nginx.conf"
        if candidate.is_file() and candidate.resolve() != resolved and inside_tree(candidate):
            try:
                cfg = _load_main(candidate)
            except (InputError, OSError):
                continue
            if resolved in cfg.included:
                return candidate, cfg
    return None


def _is_fragment(text: str) -> bool:
    return not re.search(r"^[ \t]*http[ \t]*\{", text, re.MULTILINE)


def parse_text(text: str, shown: str, path: Path | None = None) -> list[Resource]:
    root = path.parent if path is not None else Path(".")
    if path is not None and path.is_file() and path.name != "nginx.conf" and _is_fragment(text):
        found = _find_main(path)
        if found is not None:
            _, cfg = found
            for refused in cfg.refused:
                notice(refused)
            mine = path.resolve()
            out = []
            for res in _Builder(cfg).run():
                if cfg.real.get(res.location.file) == mine:
                    out.append(_reshown(res, shown))
            return out
    cfg = parse_config_text(text, shown, root, path if path is not None and path.is_file() else None)
    for refused in cfg.refused:
        notice(refused)
    return _Builder(cfg).run()


def _reshown(res: Resource, shown: str) -> Resource:
    from dataclasses import replace

    loc = Location(shown, res.location.start_line, res.location.end_line)
    return replace(res, location=loc)
