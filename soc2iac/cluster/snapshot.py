"""Snapshot mode: the collected objects as YAML a reviewer can rescan or hand over.

Every secret is replaced by ``soc2iac-redacted:<format>:<length>`` before it touches
the disk, by the one redactor of :mod:`soc2iac.redact`: values under secret-looking
keys, env-style pairs and the argument after a secret flag whole; URL passwords,
Bearer/Basic credentials, ``--password=`` flags, ``key=value`` pairs and JSON held in
strings in place. The marker stays a literal where the value was a literal, and
carries its format, so ``soc2iac scan DIR`` gives the same verdicts as the live scan.

File names come from the server (namespace names) and the kubeconfig (the context
name): both are untrusted. A name that is not a valid Kubernetes name is replaced by
a fixed-form one (``_invalid-<digest>``, with a notice); every file is created inside
the snapshot folder through a directory descriptor, never through a symbolic link,
and moved into place by rename, so nothing planted in the folder redirects a write.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from soc2iac.errors import Soc2iacError
from soc2iac.model import VIEW_KEYS, Resource
from soc2iac.redact import MARKER, marker, redact_value
from soc2iac.text import one_line

__all__ = ["MARKER", "Snapshot", "redact_object", "safe_name", "write_snapshot"]

CLUSTER_FILE = "_cluster"  # cluster-scoped kinds (not a valid namespace name: no clash)
_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")  # DNS-1123 label, as namespaces are
_CONTEXT_CHARS = re.compile(r"[^A-Za-z0-9._@+=-]+")
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


@dataclass
class Snapshot:
    """What :func:`write_snapshot` wrote, and what it had to rename."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def redact_object(value: Any, key: str = "") -> Any:
    """A copy of an object with every secret replaced by a marker (derived views such as
    ``podSpec`` dropped: the snapshot holds the object as the server has it)."""
    if isinstance(value, Mapping) and not key:
        value = {k: v for k, v in value.items() if k not in VIEW_KEYS}
    return redact_value(value, key, mark=marker)


def safe_name(name: str, *, namespace: bool) -> str:
    """A file or folder name that cannot leave its folder.

    Namespaces are DNS-1123 labels on a real server; anything else (``../../x``, ``/etc``,
    control characters) becomes ``_invalid-<sha256 prefix>``. Context names are the
    kubeconfig's own (``arn:aws:eks:...:cluster/prod``): characters other than letters,
    digits and ``._@+=-`` become ``_``, and a leading dot is dropped.
    """
    if namespace:
        return name if _NAMESPACE.match(name) else "_invalid-" + hashlib.sha256(name.encode()).hexdigest()[:16]
    cleaned = _CONTEXT_CHARS.sub("_", name).lstrip(".")[:120]
    return cleaned or "cluster"


def write_snapshot(resources: Iterable[Resource], directory: Path, *, context: str) -> Snapshot:
    """One multi-document YAML file per namespace (``_cluster.yaml`` for cluster-scoped kinds),
    in ``directory/<context>/``."""
    by_namespace: dict[str | None, list[dict[str, Any]]] = {}  # None: cluster-scoped
    for res in resources:
        meta = res.attributes.get("metadata")
        namespace = meta.get("namespace") if isinstance(meta, Mapping) else None
        by_namespace.setdefault(str(namespace) if namespace else None, []).append(redact_object(dict(res.attributes)))
    folder_name = safe_name(context or "cluster", namespace=False)
    out = Snapshot(directory / folder_name)
    if folder_name != (context or "cluster"):
        out.notices.append(f"snapshot: context {one_line(context)!r} is written to the folder {folder_name}")
    try:
        directory.mkdir(parents=True, exist_ok=True)  # the user's own choice of folder
        root = os.open(directory, os.O_RDONLY | _DIRECTORY)
        try:
            folder = _subfolder(root, folder_name, directory)
            try:
                for namespace, objects in sorted(by_namespace.items(), key=lambda kv: (kv[0] is not None, kv[0] or "")):
                    name = CLUSTER_FILE if namespace is None else safe_name(namespace, namespace=True)
                    if namespace is not None and name != namespace:
                        out.notices.append(f"snapshot: namespace name {one_line(namespace, 80)!r} sent by the server "
                                           f"is not a valid Kubernetes name; its {len(objects)} object(s) are "
                                           f"in {name}.yaml")
                    objects.sort(key=lambda o: (str(o.get("kind")), str((o.get("metadata") or {}).get("name"))))
                    text = (f"# soc2iac snapshot of {one_line(context or 'the cluster')}, namespace "
                            f"{one_line(namespace or CLUSTER_FILE)}; secrets redacted\n"
                            + yaml.safe_dump_all(objects, sort_keys=False, allow_unicode=True))
                    _write_inside(folder, f"{name}.yaml", text, out.folder)
                    out.files.append(out.folder / f"{name}.yaml")
            finally:
                os.close(folder)
        finally:
            os.close(root)
    except OSError as exc:
        raise Soc2iacError(f"{directory}: cannot write snapshot: {exc.strerror or exc}") from None
    return out


def _subfolder(parent: int, name: str, shown: Path) -> int:
    """A descriptor of ``parent/name``, created if missing; a symbolic link there is refused
    (``O_NOFOLLOW``: the check and the open are one step)."""
    try:
        os.mkdir(name, 0o755, dir_fd=parent)
    except FileExistsError:
        pass
    try:
        return os.open(name, os.O_RDONLY | _DIRECTORY | _NO_FOLLOW, dir_fd=parent)
    except OSError as exc:
        if stat.S_ISLNK(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode):
            raise Soc2iacError(f"{shown / name}: is a symbolic link; the snapshot is not written through it") from None
        raise exc


def _write_inside(folder: int, name: str, text: str, shown: Path) -> None:
    """Write ``name`` in the folder of descriptor ``folder``: a new temporary file (never an
    existing one, never through a link), then renamed over ``name``, which replaces a planted
    link or file instead of writing through it."""
    target = os.path.normpath(shown / name)
    if os.path.dirname(target) != os.path.normpath(shown) or name in (".", ".."):
        raise Soc2iacError(f"{shown}: refusing the file name {one_line(name)!r}: it leaves the snapshot folder")
    temp = f".{name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW, 0o644, dir_fd=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        try:
            os.unlink(temp, dir_fd=folder)
        except OSError:
            pass
        raise
