"""An on-disk cache of parse results, keyed by content.

Parsing is nearly all of a scan's cost, so each file's parse result is kept
under the user cache directory (``$SOC2IAC_CACHE_DIR``, else
``$XDG_CACHE_HOME/soc2iac``, else ``~/.cache/soc2iac``; ``scan --cache-dir``)
and found again by the SHA-256 of

* the code fingerprint: soc2iac's own sources and the parser libraries' sources
  (an upgrade or a local edit of a parser invalidates every entry), and
* what the entry depends on (a file's text, its shown path, options).

A file that may hold a secret in clear (a literal under a secret-looking key, a known secret
format) is never written to disk (:func:`may_cache`; ``--jobs`` workers still hand its parse over
in memory): the cache holds no secret value, and verdicts are those of a fresh parse.

Cache contents are untrusted (a CI cache may be restored from a pull request's run). Entries
are never trusted blindly: each is authenticated with an HMAC-SHA256 over its namespace, its
full key and its payload, under a per-user key kept *outside* the cache folder (see
:func:`secret_key`), so whoever can write the cache folder, but not read that key, cannot forge
or move an entry: a forged, truncated, corrupt or renamed entry is ignored and rebuilt. Entries
larger than :data:`MAX_ENTRY_BYTES` are neither written nor read. The payload is unpickled only
once authenticated, and then with an allow-list of soc2iac's own record types. The directory
must belong to the user and not be writable by others; otherwise the cache is not used (a
notice says so). Writers write a temporary file and rename it into place, so two processes
writing the same entry at once each leave a whole entry.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import io
import os
import pickle
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soc2iac.errors import InputError

MAGIC = b"soc2iac-cache/2\n"
_DIGEST = 32
MAX_ENTRY_BYTES = 256 * 1024 * 1024  # a parse of a file at the 20 MiB input limit stays well below
KEY_BYTES = 32

# modules whose classes a cache entry may contain (checked by the unpickler)
_ALLOWED = {
    "soc2iac.model": {"Resource", "Location", "Unknown", "Ref"},
    "soc2iac.errors": {"InputProblem"},
    "soc2iac.versions": {"ProviderVersions"},
    "copyreg": {"_reconstructor"},
    "builtins": {"object", "frozenset", "set", "tuple", "list", "dict"},
}

# parser libraries whose behaviour the entries depend on (their source is fingerprinted)
_LIBRARIES = ("hcl2", "lark", "yaml", "tree_sitter", "tree_sitter_hcl")


def default_root() -> Path:
    explicit = os.environ.get("SOC2IAC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "soc2iac"


def disabled_by_environment() -> bool:
    return bool(os.environ.get("SOC2IAC_NO_CACHE"))


def key_file() -> Path:
    """Where the per-user cache key lives: ``$XDG_STATE_HOME/soc2iac/cache-key``, else
    ``~/.local/state/soc2iac/cache-key`` (never inside a cache folder: :meth:`Cache.open` checks)."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "soc2iac" / "cache-key"


class KeyProblem(Exception):
    """The cache key cannot be had or trusted; the caches are then not used."""


def secret_key() -> bytes:
    """The key that authenticates cache entries. ``$SOC2IAC_CACHE_KEY`` when set (CI: from a
    secret, which a pull request's run does not get); else :func:`key_file`, created on first use
    with 32 random bytes, mode 0600. :class:`KeyProblem` when it cannot be created or read, or
    is a link, not the user's, or readable by others."""
    explicit = os.environ.get("SOC2IAC_CACHE_KEY")
    if explicit:
        return hashlib.sha256(b"soc2iac-cache-key\0" + explicit.encode("utf-8", "surrogateescape")).digest()
    path = key_file()
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise KeyProblem(f"cache key {path} cannot be read ({exc.strerror or exc})") from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(os.urandom(KEY_BYTES))
    except FileExistsError:
        pass  # another process made it first
    except OSError as exc:
        raise KeyProblem(f"cache key {path} cannot be created ({exc.strerror or exc})") from None
    try:
        return _read_key(path)
    except OSError as exc:
        raise KeyProblem(f"cache key {path} cannot be read ({exc.strerror or exc})") from None


def _read_key(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise KeyProblem(f"cache key {path} belongs to another user")
        if info.st_mode & 0o077:
            raise KeyProblem(f"cache key {path} can be read or written by other users (chmod 600 {path})")
        data = handle.read(KEY_BYTES + 1)
    if len(data) != KEY_BYTES:
        raise KeyProblem(f"cache key {path} is damaged (delete it: a new one is made)")
    return data


def seal(secret: bytes, label: bytes, payload: bytes) -> bytes:
    """The authentication tag of ``payload`` stored under ``label`` (namespace and key, file name)."""
    return hmac.new(secret, len(label).to_bytes(8, "big") + label + payload, hashlib.sha256).digest()


def read_bounded(path: Path, limit: int = MAX_ENTRY_BYTES) -> bytes | None:
    """A cache file's bytes, or None when it is absent, unreadable, not a regular file or over ``limit``."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
                return None
            data = handle.read(limit + 1)
    except OSError:
        return None
    return data if len(data) <= limit else None


def where_key_is_unsafe(root: Path) -> str | None:
    """Why the cache at ``root`` may not be used with :func:`key_file` (the key inside it), or None."""
    if os.environ.get("SOC2IAC_CACHE_KEY"):
        return None
    try:
        key_dir = key_file().parent.resolve()
        real = root.resolve()
    except (OSError, RuntimeError):
        return None
    if key_dir == real or key_dir.is_relative_to(real):
        return (f"cache directory {root} holds the cache key ({key_file()}); scanning without cache "
                "(choose another --cache-dir or XDG_STATE_HOME)")
    return None


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"class {module}.{name} is not allowed in a cache entry")


@functools.lru_cache(maxsize=1)
def _fingerprint() -> bytes:
    """SHA-256 over the names, sizes and mtimes of soc2iac's and the parser libraries' files (found without
    importing them)."""
    import importlib.util

    digest = hashlib.sha256(MAGIC)
    roots = [Path(__file__).resolve().parent]
    for name in _LIBRARIES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            roots.append(Path(spec.origin).resolve().parent)
        else:
            digest.update(f"no {name}\0".encode())
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".lark", ".yaml", ".json", ".so"):
                try:
                    info = path.stat()
                except OSError:
                    continue
                # size and modification time: any upgrade or local edit changes them
                digest.update(f"{path.relative_to(root)}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.digest()


@dataclass
class Stats:
    hits: int = 0
    misses: int = 0
    writes: int = 0
    rejected: int = 0  # corrupt, truncated or foreign entries ignored
    kept_out: int = 0  # parses not cached: their file may hold a secret in clear
    missed: dict[str, int] = field(default_factory=dict)  # misses by namespace


@dataclass
class Cache:
    """One cache directory. ``get``/``put`` never raise: a cache problem only costs time."""

    root: Path | None  # None: in memory only (``--no-cache`` with ``--jobs``: workers hand results over)
    stats: Stats = field(default_factory=Stats)
    memo: dict[tuple[str, bytes], Any] = field(default_factory=dict)  # entries handed over by workers
    recorded: list[tuple[str, bytes, Any]] | None = None  # a worker's new entries, to hand over
    secret: bytes | None = field(default=None, repr=False)  # the entry key (default: :func:`secret_key`,
    # read on first use)
    _no_key: bool = field(default=False, init=False, repr=False)  # none could be had: the folder is unused

    def _secret(self) -> bytes | None:
        if self.secret is None and not self._no_key:
            try:
                self.secret = secret_key()
            except KeyProblem:
                self._no_key = True
        return self.secret

    @classmethod
    def open(cls, root: Path | None = None) -> tuple[Cache | None, str | None]:
        """The cache at ``root`` (default :func:`default_root`), or None and the reason it is not used."""
        root = root or default_root()
        try:
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
            info = root.stat()
        except OSError as exc:
            return None, f"cache directory {root} cannot be used ({exc.strerror or exc}); scanning without cache"
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None, f"cache directory {root} belongs to another user; scanning without cache"
        if info.st_mode & 0o022:
            return None, (f"cache directory {root} is writable by other users; scanning without cache "
                          f"(chmod go-w {root})")
        unsafe = where_key_is_unsafe(root)
        if unsafe:
            return None, unsafe
        try:
            secret = secret_key()
        except KeyProblem as exc:
            return None, f"{exc}; scanning without cache"
        return cls(root, secret=secret), None

    def key(self, namespace: str, parts: Iterable[str | bytes]) -> bytes:
        digest = hashlib.sha256(_fingerprint() + namespace.encode() + b"\0")
        for part in parts:
            data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.digest()

    def _path(self, namespace: str, key: bytes) -> Path:
        assert self.root is not None
        name = key.hex()
        return self.root / namespace / name[:2] / name[2:]

    def holds(self, namespace: str, key: bytes) -> bool:
        """Whether an entry exists (not whether it is sound: :meth:`get` checks that)."""
        return (namespace, key) in self.memo or (self.root is not None and self._path(namespace, key).is_file())

    def get(self, namespace: str, key: bytes, *, record_miss: bool = True) -> Any | None:
        """The value stored under ``key``, or None (absent or not trustworthy)."""
        if (namespace, key) in self.memo:
            self.stats.hits += 1
            return self.memo[(namespace, key)]
        secret = self._secret() if self.root is not None else None
        if secret is None:
            if record_miss:
                self._miss(namespace)
            return None
        path = self._path(namespace, key)
        data = read_bounded(path)
        if data is None:
            if path.exists():  # there, but a link, a special file or over the size bound
                self.stats.rejected += 1
            elif record_miss:
                self._miss(namespace)
            return None
        head = len(MAGIC)
        payload = data[head + _DIGEST:]
        tag = seal(secret, namespace.encode() + b"\0" + key, payload)
        if data[:head] != MAGIC or not hmac.compare_digest(data[head:head + _DIGEST], tag):
            self.stats.rejected += 1
            return None
        try:
            stored_key, value = _Unpickler(io.BytesIO(payload)).load()
        except Exception:  # noqa: BLE001 - any undecodable entry is ignored and rebuilt
            self.stats.rejected += 1
            return None
        if stored_key != key:
            self.stats.rejected += 1
            return None
        self.stats.hits += 1
        return value

    def _miss(self, namespace: str) -> None:
        self.stats.misses += 1
        self.stats.missed[namespace] = self.stats.missed.get(namespace, 0) + 1

    def put(self, namespace: str, key: bytes, value: Any, *, disk: bool = True) -> None:
        """Store ``value``; ``disk=False``: only hand it over from a worker (in memory), never to disk."""
        if self.recorded is not None:
            self.recorded.append((namespace, key, value))
        secret = self._secret() if self.root is not None and disk else None
        if secret is None:
            return
        path = self._path(namespace, key)
        try:
            payload = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return
        if len(payload) + len(MAGIC) + _DIGEST > MAX_ENTRY_BYTES:
            return  # would not be read back
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(MAGIC + seal(secret, namespace.encode() + b"\0" + key, payload) + payload)
                os.replace(tmp, path)  # atomic: a reader sees the old entry or the new one, whole
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            return  # a full or read-only disk: the scan goes on uncached
        self.stats.writes += 1


_current: ContextVar[Cache | None] = ContextVar("soc2iac_cache", default=None)
_off: ContextVar[bool] = ContextVar("soc2iac_cache_off", default=False)


def current() -> Cache | None:
    """The cache of the scan in progress (None: not caching)."""
    return _current.get()


def policy_root() -> Path | None:
    """Where the validated policy pack is cached: the scan's cache folder, else the default one;
    None when caching is off (``--no-cache``, ``SOC2IAC_NO_CACHE``)."""
    cache = _current.get()
    if cache is not None:
        return cache.root
    if _off.get() or disabled_by_environment():
        return None
    return default_root()


@contextlib.contextmanager
def using(cache: Cache | None, *, off: bool = False) -> Iterator[None]:
    """Parse through ``cache`` inside the block; ``off``: no cache at all, not even the default one."""
    token, token_off = _current.set(cache), _off.set(off)
    try:
        yield
    finally:
        _current.reset(token)
        _off.reset(token_off)


def may_cache(parts: Sequence[str | bytes]) -> bool:
    """Whether a parse of these key parts (a file's text among them) may be written to disk: not
    when the file may hold a secret in clear (:func:`soc2iac.redact.holds_secret_literal`), so
    the cache, which CI uploads, holds none. Such a file is parsed on every run; verdicts are the
    same either way."""
    from soc2iac.redact import holds_secret_literal

    return not any(isinstance(p, str) and holds_secret_literal(p) for p in parts)


def cached_parse(namespace: str, parts: Sequence[str], shown: str, parse: Callable[[], Any]) -> Any:
    """``parse()``, or its earlier result for the same ``parts`` (file text, options...).

    An :class:`InputError` is cached too (a broken file is not re-parsed until it changes) and
    raised again, naming ``shown``.
    """
    cache = current()
    if cache is None:
        return parse()
    key = cache.key(namespace, parts)
    # an authenticated entry was written only for a text that passed may_cache (the key holds the
    # text): the scan for secrets runs on misses only
    stored = cache.get(namespace, key, record_miss=False)
    disk = True
    if stored is None:
        # a memory-only cache (--no-cache with --jobs) writes nothing to disk: no secret scan needed
        disk = cache.root is not None and may_cache(parts)
        if disk or cache.root is None:
            cache._miss(namespace)
        else:
            cache.stats.kept_out += 1
    if isinstance(stored, tuple) and len(stored) == 3:
        if stored[0] == "ok":
            return stored[1]
        if stored[0] == "error" and isinstance(stored[1], str) and isinstance(stored[2], int):
            raise InputError(shown, stored[1], stored[2])
    try:
        value = parse()
    except InputError as exc:
        cache.put(namespace, key, ("error", exc.problem.message, exc.problem.line), disk=disk)
        raise
    cache.put(namespace, key, ("ok", value, 0), disk=disk)
    return value
