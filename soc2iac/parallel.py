"""``scan --jobs``: work shared out among forked processes, results put back in serial order.

:func:`forked_map` runs a function on batches in forked workers that inherit what they need
(the engine's index, the Terraform loader); :func:`prefetch` parses files ahead of the scan.

Prefetch workers run the serial scan's parse functions on files the cache does
not hold yet and hand their cache entries to the parent (and write them to the
cache directory, when there is one); the scan then finds every parse in its
cache, so results and their order are those of a serial run by construction.
Small scans are not worth the process start-up and are left serial.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from soc2iac.cache import Cache, may_cache, using
from soc2iac.errors import InputError
from soc2iac.parsers import file_size_limit, read_source
from soc2iac.parsers.registry import Entry

R = TypeVar("R")
MIN_PARALLEL_BYTES = 256 * 1024  # below this, starting workers costs more than it saves


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def balanced(costs: Sequence[int], count: int) -> list[list[int]]:
    """Indices of ``costs`` shared out into at most ``count`` non-empty batches of similar total
    cost (largest first, each to the least loaded batch; ties by index, so the split is stable)."""
    batches: list[list[int]] = [[] for _ in range(max(1, count))]
    loads = [0] * len(batches)
    for i in sorted(range(len(costs)), key=lambda i: (-costs[i], i)):
        b = loads.index(min(loads))
        batches[b].append(i)
        loads[b] += costs[i]
    return [b for b in batches if b]


_INHERITED: Any = None  # what forked workers of forked_map() see (set just before the pool forks)


def forked_map(function: Callable[[Any, list[int]], R], shared: Any, batches: list[list[int]],
               jobs: int) -> list[R] | None:
    """``function(shared, batch)`` for each batch, in ``jobs`` forked processes that inherit
    ``shared`` (an index, a loader: never pickled); results in batch order. None where the fork
    start method does not exist or a worker failed (killed, out of memory): the caller then
    does the work itself, so a result is always the serial one."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    global _INHERITED
    _INHERITED = shared
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return pool.map(_run_inherited, [(function, batch) for batch in batches])
    except Exception:  # noqa: BLE001 - see the docstring
        return None
    finally:
        _INHERITED = None


def _run_inherited(item: tuple[Callable[[Any, list[int]], Any], list[int]]) -> Any:
    function, batch = item
    return function(_INHERITED, batch)


def prefetch(groups: Mapping[str, Mapping[Path, Any]], files: Sequence[Path], *, cache: Cache, jobs: int,
             max_bytes: int) -> int:
    """Parse in ``jobs`` processes the files of the grouped entries' ``groups`` and the single
    ``files`` whose registry entry can fill the parse cache (its parser has ``cache_parts`` and
    ``warm``); returns how many files the workers parsed (0: left to the serial scan)."""
    if jobs < 2:
        return 0
    from soc2iac.parsers import registry
    from soc2iac.parsers.terraform import display_path

    candidates: list[tuple[Entry | None, Path]] = [
        (entry, path) for entry in registry.grouped()
        for path in entry.parser().files_of(groups.get(entry.name, {}))]
    candidates += [(None, path) for path in files]
    todo: list[tuple[str, Path, int]] = []
    wanted: set[bytes] = set()
    for entry, path in candidates:
        shown = display_path(path)
        try:
            text = read_source(path, shown, max_bytes=max_bytes)
        except InputError:
            continue  # the serial scan reports it
        chosen = entry or registry.detect(path, text)
        if chosen is None or not hasattr(chosen.parser(), "cache_parts"):
            continue
        parts = chosen.parser().cache_parts(text, shown)
        key = cache.key(*parts)
        if key not in wanted and not cache.holds(parts[0], key):
            if cache.root is not None and not may_cache(parts[1]):
                continue  # never on disk (it may hold a secret): parsed by the serial scan, cold or warm
            wanted.add(key)  # files with the same text (module copies) are parsed once
            todo.append((chosen.name, path, len(text)))
    if sum(size for _, _, size in todo) < MIN_PARALLEL_BYTES:
        return 0
    work = [(name, str(path)) for name, path, _ in todo]
    shared = (work, str(cache.root) if cache.root is not None else None, max_bytes, cache.secret)
    handed = forked_map(_work, shared, balanced([size for _, _, size in todo], jobs * 4), jobs)
    for entries in handed or []:  # None: a worker failed; the serial scan parses what is missing
        for namespace, entry_key, value in entries:
            cache.memo[(namespace, entry_key)] = value
    return sum(len(entries) for entries in handed or [])


def _work(shared: tuple[list[tuple[str, str]], str | None, int, bytes | None],
          batch: list[int]) -> list[tuple[str, bytes, Any]]:
    """In a worker: parse each file as the serial scan would, recording the cache entries made."""
    work, root, max_bytes, secret = shared
    from soc2iac.parsers import registry
    from soc2iac.parsers.terraform import display_path

    cache = Cache(Path(root) if root else None, recorded=[], secret=secret)
    with using(cache), file_size_limit(max_bytes):
        for index in batch:
            name, file = work[index]
            path = Path(file)
            try:
                shown = display_path(path)
                registry.by_name(name).parser().warm(path, read_source(path, shown), shown)
            except (InputError, RecursionError):
                continue  # recorded (input errors are cached) or left to the serial scan to report
            except Exception:  # noqa: BLE001 - the serial scan meets it again and reports it
                continue
    return cache.recorded or []
