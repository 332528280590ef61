"""Parse files in worker processes (``scan --jobs``) ahead of the serial scan.

The serial scan stays the only code path that builds results: workers run the
same parse functions on files the cache does not hold yet and hand their cache
entries to the parent (and write them to the cache directory, when there is
one). The parent then finds every parse in its cache, so results and their
order are those of a serial run by construction. Small scans are not worth the
process start-up and are left serial.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from soc2iac.cache import Cache, using
from soc2iac.errors import InputError
from soc2iac.parsers import file_size_limit, read_source

MIN_PARALLEL_BYTES = 256 * 1024  # below this, starting workers costs more than it saves


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def prefetch(tf_files: Sequence[Path], manifests: Sequence[Path], *, cache: Cache, jobs: int, max_bytes: int) -> int:
    """Parse ``tf_files`` and the plain Kubernetes ``manifests`` among the given files in ``jobs``
    processes; returns how many files the workers parsed (0: left to the serial scan)."""
    if jobs < 2:
        return 0
    from soc2iac.parsers import kubernetes, terraform
    from soc2iac.scanner import is_manifest_file

    terraform_files = set(tf_files)
    todo: list[tuple[Path, int]] = []
    wanted: set[bytes] = set()
    for path in [*tf_files, *manifests]:
        shown = terraform.display_path(path)
        try:
            text = read_source(path, shown, max_bytes=max_bytes)
        except InputError:
            continue  # the serial scan reports it
        if path in terraform_files:
            parts = terraform.cache_parts(text, shown)
        elif is_manifest_file(path, text):
            parts = kubernetes.cache_parts(text, shown)
        else:
            continue
        key = cache.key(*parts)
        if key not in wanted and not cache.holds(parts[0], key):
            wanted.add(key)  # files with the same text (module copies) are parsed once
            todo.append((path, len(text)))
    if sum(size for _, size in todo) < MIN_PARALLEL_BYTES:
        return 0
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    batches: list[list[str]] = [[] for _ in range(jobs * 4)]
    loads = [0] * len(batches)
    for path, size in sorted(todo, key=lambda t: (-t[1], str(t[0]))):  # largest first, to the least loaded batch
        i = loads.index(min(loads))
        batches[i].append(str(path))
        loads[i] += size
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    root = str(cache.root) if cache.root is not None else None
    tf = {str(p) for p in tf_files}
    parsed = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method)) as pool:
            futures = [pool.submit(_work, batch, tf, root, max_bytes) for batch in batches if batch]
            for future in futures:
                entries = future.result()
                for namespace, key, value in entries:
                    cache.memo[(namespace, key)] = value
                parsed += len(entries)
    except Exception:  # noqa: BLE001 - a worker problem (killed, out of memory): the serial scan parses instead
        return parsed
    return parsed


def _work(batch: list[str], tf: set[str], root: str | None, max_bytes: int) -> list[tuple[str, bytes, Any]]:
    """In a worker: parse each file as the serial scan would, recording the cache entries made."""
    from soc2iac.parsers import kubernetes
    from soc2iac.parsers.terraform import display_path, load_hcl_file
    from soc2iac.scanner import is_manifest_file

    cache = Cache(Path(root) if root else None, recorded=[])
    with using(cache), file_size_limit(max_bytes):
        for name in batch:
            path = Path(name)
            try:
                if name in tf:
                    load_hcl_file(path)
                    continue
                shown = display_path(path)
                text = read_source(path, shown)
                if is_manifest_file(path, text):
                    kubernetes.parse_text(text, shown)
            except (InputError, RecursionError):
                continue  # recorded (input errors are cached) or left to the serial scan to report
            except Exception:  # noqa: BLE001 - the serial scan meets it again and reports it
                continue
    return cache.recorded or []
