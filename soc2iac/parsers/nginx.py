"""NGINX configuration (``nginx.conf`` and ``conf.d`` fragments) -> resources.

Files are tokenized and parsed by `crossplane <https://github.com/nginxinc/crossplane>`_
(in single-file mode, without its context and argument checks, so fragments parse
alone); line numbers are crossplane's. ``include`` is followed (``nginx_config``), as nginx does,
relative to the main file's folder (its configuration folder; a fragment no main file includes,
such as a template, resolves them from the folder of the nginx.conf up to two folders above it); an absolute include (``/etc/nginx/conf.d/*.conf``)
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
``cors_allow_origin`` (each Access-Control-Allow-Origin header: its value as
``written``, ``credentials``, the ``map`` it names, the ``condition`` of the ``if``
it is sent in and the variables ``set`` inside ``if`` blocks; whether that restricts
the origin is decided by the ``cors_origin_restricted`` check kind),
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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soc2iac.errors import InputError
from soc2iac.model import Location, Resource, Unknown, join_path
from soc2iac.parsers import comment_markers, inside_tree, notice, read_source, tree_key, unique_address
from soc2iac.parsers.nginx_config import OUTSIDE, Config, Stmt, parse_config_text

SOURCE = "nginx"
SUFFIXES = (".conf",)

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


@dataclass(frozen=True)
class Unresolved:
    pattern: str
    file: str
    line: int
    depth: int = 0  # nesting level it stands at (http 0, server 1, location 2, ...)
    may_set: frozenset[str] = frozenset(DECISIVE)

    def __str__(self) -> str:
        return f"include {self.pattern} ({self.file}:{self.line})"


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
        if st.name == "include" and st.args[-1:] in (["<unresolved>"], [OUTSIDE]):
            pattern = st.args[0]
            relative_glob = glob.has_magic(pattern) and not os.path.isabs(pattern) and st.args[-1] != OUTSIDE
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
        including those inside ``if`` blocks of this level, described: the value as
        ``written``, the ``map`` it names (``via_map``), the ``condition`` of the ``if`` it is
        sent in, and the variables ``set`` inside ``if`` blocks here (``sets_under_if``)."""
        found: list[tuple[Stmt, str, list[str] | None]] = []  # (directive, value, condition of its if)
        credentials = False
        sets_under_if = _sets_under_if(st)

        def scan(stmts: Iterable[Stmt], condition: list[str] | None) -> None:
            nonlocal credentials
            for s in stmts:
                header = _header(s)
                if header is None:
                    continue
                name, value = header
                if name == "access-control-allow-origin":
                    found.append((s, value, condition))
                elif name == "access-control-allow-credentials" and value.lower() == "true":
                    credentials = True

        scan(level.eff.get("add_header", []) + level.eff.get("more_set_headers", []), None)
        for block in ifs:
            scan(block.block or [], list(block.args))
        out = []
        lines = []
        for s, value, condition in found:
            entry: dict[str, Any] = {"written": value, "via_map": "", "credentials": credentials, "directive": s.name}
            m = re.fullmatch(r"\$\{?(\w+)\}?", value)
            if m and value != "$http_origin" and f"${m.group(1)}" in level.maps:
                entry["via_map"] = f"${m.group(1)}"
                entry["map"] = _map_entries(level.maps[entry["via_map"]])
            if condition is not None:
                entry["condition"] = condition
            entry["sets_under_if"] = sets_under_if
            out.append(entry)
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


def _sets_under_if(st: Stmt) -> list[dict[str, Any]]:
    """The ``if`` blocks in this block and nested ones that ``set`` variables: their
    ``condition`` and the ``variables`` set (as in ``if ($http_origin ~ ...) { set $cors
    true; }``; blocks around this one are not visible here)."""
    out: list[dict[str, Any]] = []

    def walk(stmts: Iterable[Stmt]) -> None:
        for s in stmts:
            if s.name == "if" and s.block is not None:
                variables = [x.args[0] for x in s.block if x.name == "set" and x.args]
                if variables:
                    out.append({"condition": list(s.args), "variables": variables})
            if s.block is not None:
                walk(s.block)

    walk(st.block or [])
    return out


def _map_entries(mp: Stmt) -> dict[str, Any]:
    """A ``map`` block: the variable it reads (``source``), the one it sets, and its entries
    as ``[key, value]`` in order."""
    return {"source": mp.args[0] if mp.args else "", "variable": mp.args[1] if len(mp.args) > 1 else "",
            "entries": [[e.name, e.args[0] if e.args else ""] for e in mp.block or []]}


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


def _mains(path: Path) -> Iterable[Path]:
    """The nginx.conf files up to two folders above ``path``, nearest first, in the scanned tree."""
    resolved = path.resolve()
    folder = resolved.parent
    for candidate_dir in (folder, folder.parent, folder.parent.parent):
        candidate = candidate_dir / "nginx.conf"
        if candidate.is_file() and candidate.resolve() != resolved and inside_tree(candidate):
            yield candidate


def _find_main(path: Path) -> tuple[Path, Config] | None:
    """An nginx.conf up to two folders above ``path`` that includes it, parsed."""
    resolved = path.resolve()
    for candidate in _mains(path):
        try:
            cfg = _load_main(candidate)
        except (InputError, OSError):
            continue
        if resolved in cfg.included:
            return candidate, cfg
    return None


def _config_folder(path: Path) -> Path:
    """Where nginx resolves the relative includes of a fragment no main file includes (a
    template, a dot-file a ``conf.d/*.conf`` glob skips): its configuration folder, the folder
    of the nearest nginx.conf above it, else the fragment's own folder."""
    return next((main.parent for main in _mains(path)), path.parent)


def _is_fragment(text: str) -> bool:
    return not re.search(r"^[ \t]*http[ \t]*\{", text, re.MULTILINE)


def parse_text(text: str, shown: str, path: Path | None = None) -> list[Resource]:
    root = path.parent if path is not None else Path(".")
    if path is not None and path.is_file() and path.name != "nginx.conf" and _is_fragment(text):
        root = _config_folder(path)
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
