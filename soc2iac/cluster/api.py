"""GET requests to a Kubernetes API server: timeouts, bounded retries, paginated lists.

Only ``GET``; every request has a timeout, every answer a time and size budget, every
list a page cap, and the whole run a time limit (:class:`Limits`); 429 and 5xx answers
(and dropped connections) are retried with exponential backoff a bounded number of
times, a Retry-After header is honoured up to 30 s and only while the run has time.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from soc2iac.errors import Soc2iacError
from soc2iac.text import one_line

JSON_ACCEPT = "application/json"
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


RETRY_AFTER_CAP = 30.0  # seconds: the longest a Retry-After header may park one request
MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """The bounds of one live run (the defaults are :func:`soc2iac.cluster.collector.collect`'s).

    ``time_limit``: seconds for the whole collection (``--timeout``); every wait counts
    against it: connecting, reading, Retry-After and backoff sleeps. ``timeout``: per
    request (connect, read), the read part bounding each wait for the next bytes.
    ``answer_seconds``: one answer from its first to its last byte, so a server that
    trickles a byte at a time cannot hold a request open. ``max_pages``: pages of one
    list; a list that goes on longer, repeats a continue token or sends one that is not
    a string is abandoned.
    """

    time_limit: float = 600.0
    timeout: tuple[float, float] = (10.0, 30.0)
    answer_seconds: float = 120.0
    max_answer_bytes: int = 256 * MIB
    max_pages: int = 1000
    max_retries: int = 4
    backoff: float = 0.5


class Forbidden(Exception):
    pass


class NotFound(Exception):
    pass


class BadBody(Exception):
    """A 2xx answer whose body is not JSON (retried like a dropped connection)."""


class RequestFailed(Exception):
    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class OutOfTime(RequestFailed):
    """The run's time limit ran out: nothing more is asked."""


class _GaveUp(RequestFailed):
    """An answer not worth asking again (trickling, too large)."""


class Api:
    """GET requests through the ``kubernetes`` client's connection pool (its TLS, proxy and
    auth settings), with timeouts, bounded retries and the run's time limit."""

    def __init__(self, configuration: Any, *, limits: Limits, sleep: Callable[[float], None],
                 clock: Callable[[], float], shown_host: str) -> None:
        from kubernetes import client

        configuration.retries = False  # connection retries are counted here, with the others
        self.configuration = configuration
        self.api_client = client.ApiClient(configuration)
        self.limits = limits
        self.sleep = sleep
        self.clock = clock
        self.shown_host = shown_host
        self.deadline = clock() + limits.time_limit

    def close(self) -> None:
        close = getattr(self.api_client, "close", None)
        if callable(close):
            try:
                close()
            except Exception:  # noqa: BLE001 - closing a pool must not fail a finished collection
                pass

    def out_of_time_reason(self) -> str:
        return f"the run's time limit of {self.limits.time_limit:g} s (--timeout) ran out"

    def remaining(self) -> float:
        """Seconds left in the run; :class:`OutOfTime` when none."""
        left = self.deadline - self.clock()
        if left <= 0:
            raise OutOfTime(self.out_of_time_reason())
        return left

    def _headers(self, accept: str) -> dict[str, str]:
        headers = {"Accept": accept, "User-Agent": f"soc2iac/{_version()} (read-only audit)"}
        for setting in self.configuration.auth_settings().values():
            if setting.get("in") == "header" and setting.get("value"):
                headers[setting["key"]] = setting["value"]
        return headers

    def get(self, path: str, query: Sequence[tuple[str, str]] = (), *, accept: str = JSON_ACCEPT) -> Any:
        """The decoded JSON body of ``GET path``; :class:`Forbidden`, :class:`NotFound` or
        :class:`RequestFailed` (:class:`OutOfTime` once the run's time limit has run out)."""
        import urllib3

        url = self.configuration.host.rstrip("/") + path + (f"?{urlencode(list(query))}" if query else "")
        limits = self.limits
        attempt = 0
        while True:
            retry_after: float | None = None
            tries = f" after {attempt + 1} attempts" if attempt else ""
            left = self.remaining()
            try:
                response = self.api_client.rest_client.pool_manager.request(
                    "GET", url, headers=self._headers(accept), preload_content=False, retries=False,
                    timeout=urllib3.Timeout(connect=min(limits.timeout[0], left), read=min(limits.timeout[1], left)))
                status = int(response.status)
                headers = response.headers
                try:
                    data = self._body(response, path, status) if 200 <= status <= 299 else b""
                except BaseException:
                    response.close()  # half read: the connection is not reused
                    raise
                if data:
                    response.release_conn()
                else:
                    response.close()
                if 200 <= status <= 299:
                    try:
                        return json.loads(data)
                    except (ValueError, RecursionError):  # a cut or garbled body: asked again, within bounds
                        if attempt >= limits.max_retries:
                            raise RequestFailed(f"GET {path}: answer is not JSON (truncated?){tries}", status) from None
                        raise BadBody() from None
                if status == 401:
                    raise Soc2iacError(f"{self.shown_host}: unauthorized (401): the credentials of "
                                       "the kubeconfig context were rejected")
                if status == 403:
                    raise Forbidden(path)
                if status == 404:
                    raise NotFound(path)
                if status not in RETRYABLE_STATUS or attempt >= limits.max_retries:
                    reason = one_line(getattr(response, "reason", "") or "", 80).strip()
                    raise RequestFailed(f"HTTP {status} {reason}".strip() + tries, status)
                try:
                    retry_after = float(headers.get("Retry-After", ""))
                except (TypeError, ValueError):
                    retry_after = None
            except BadBody:
                pass
            except urllib3.exceptions.HTTPError as exc:
                if self.clock() >= self.deadline:
                    raise OutOfTime(self.out_of_time_reason()) from None
                if attempt >= limits.max_retries:
                    raise RequestFailed(f"{type(exc).__name__}: {one_line(exc, 300)}{tries}") from None
            delay = min(limits.backoff * (2 ** attempt), RETRY_AFTER_CAP) * (0.5 + random.random() / 2)
            if retry_after is not None:
                delay = max(delay, min(retry_after, RETRY_AFTER_CAP))
            if delay >= self.remaining():  # a wait that would outlast the run is not begun
                raise OutOfTime(f"{self.out_of_time_reason()} (a retry of GET {path} was due in {delay:g} s)")
            self.sleep(delay)
            attempt += 1

    def _body(self, response: Any, path: str, status: int) -> bytes:
        """The whole body, read as it arrives: bounded in time (the answer budget and the run's
        time limit, checked between reads) and in size."""
        limits = self.limits
        started = self.clock()
        budget = min(limits.answer_seconds, self.deadline - started)
        # read1 (urllib3 >= 2.1) returns what has arrived, so the budget is checked between arrivals;
        # an older urllib3 has only read(), which waits for a full 64 KiB chunk (or the read timeout)
        read = getattr(response, "read1", None) or response.read
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = read(64 * 1024)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limits.max_answer_bytes:
                raise _GaveUp(f"GET {path}: answer larger than {limits.max_answer_bytes // MIB} MiB; not read further",
                              status)
            chunks.append(chunk)
            if self.clock() - started > budget:
                if self.clock() >= self.deadline:
                    raise OutOfTime(self.out_of_time_reason())
                raise _GaveUp(f"GET {path}: answer still arriving after {budget:g} s ({size} bytes; "
                              "the server sends it too slowly)", status)

    def list(self, path: str, *, page_size: int, accept: str = JSON_ACCEPT) -> Iterator[tuple[str, list[Any]]]:
        """Yield ``(list kind, items)`` page by page (``limit`` and ``continue``), at most
        ``max_pages`` pages, each continue token once."""
        token = ""
        restarted = False
        seen: set[str] = set()  # digests of the continue tokens followed
        pages = 0
        while True:
            query = [("limit", str(page_size))] + ([("continue", token)] if token else [])
            try:
                body = self.get(path, query, accept=accept)
            except RequestFailed as exc:
                if exc.status == 410 and token and not restarted:
                    raise Restart() from None
                raise
            if not isinstance(body, Mapping):
                raise RequestFailed(f"GET {path}: answer is not a list")
            items = body.get("items") or []
            yield str(body.get("kind", "")), list(items) if isinstance(items, list) else []
            pages += 1
            meta = body.get("metadata")
            raw = meta.get("continue") if isinstance(meta, Mapping) else None
            if raw is None or raw == "":
                return
            token = self._next_token(path, raw, seen, pages)

    def _next_token(self, path: str, raw: Any, seen: set[str], pages: int) -> str:
        """The continue token to send, or :class:`RequestFailed` when following it could loop."""
        if not isinstance(raw, str):
            raise RequestFailed(f"GET {path}: the continue token is not a string ({type(raw).__name__}); "
                                f"list abandoned after {pages} page(s)")
        digest = hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()
        if digest in seen:
            raise RequestFailed(f"GET {path}: the server sent the same continue token again; list abandoned "
                                f"after {pages} page(s) (it would never end)")
        if pages >= self.limits.max_pages:
            raise RequestFailed(f"GET {path}: more than {self.limits.max_pages} pages; list abandoned (page cap)")
        seen.add(digest)
        return raw


class Restart(Exception):
    """A continue token expired (410 Gone): list the kind again from the start, once."""


def _version() -> str:
    from soc2iac import __version__

    return __version__
