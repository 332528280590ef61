"""GET requests to a Kubernetes API server: timeouts, bounded retries, paginated lists.

Only ``GET``; every request has a timeout; 429 and 5xx answers (and dropped
connections) are retried with exponential backoff a bounded number of times.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from soc2iac.errors import Soc2iacError

JSON_ACCEPT = "application/json"
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


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


class Api:
    """GET requests through the ``kubernetes`` client's REST layer, with timeout and bounded retries."""

    def __init__(self, configuration: Any, *, timeout: float | tuple[float, float], max_retries: int,
                 backoff: float, sleep: Callable[[float], None]) -> None:
        from kubernetes import client

        configuration.retries = False  # connection retries are counted here, with the others
        self.configuration = configuration
        self.api_client = client.ApiClient(configuration)
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.sleep = sleep

    def close(self) -> None:
        close = getattr(self.api_client, "close", None)
        if callable(close):
            try:
                close()
            except Exception:  # noqa: BLE001 - closing a pool must not fail a finished collection
                pass

    def _headers(self, accept: str) -> dict[str, str]:
        headers = {"Accept": accept, "User-Agent": f"soc2iac/{_version()} (read-only audit)"}
        for setting in self.configuration.auth_settings().values():
            if setting.get("in") == "header" and setting.get("value"):
                headers[setting["key"]] = setting["value"]
        return headers

    def get(self, path: str, query: Sequence[tuple[str, str]] = (), *, accept: str = JSON_ACCEPT) -> Any:
        """The decoded JSON body of ``GET path``; :class:`Forbidden`, :class:`NotFound` or :class:`RequestFailed`."""
        import urllib3
        from kubernetes.client.exceptions import ApiException

        url = self.configuration.host.rstrip("/") + path + (f"?{urlencode(list(query))}" if query else "")
        attempt = 0
        while True:
            retry_after: float | None = None
            try:
                response = self.api_client.rest_client.request(
                    "GET", url, headers=self._headers(accept), _request_timeout=self.timeout)
                status = int(response.status)
                data = response.data if getattr(response, "data", None) is not None else response.read()
                if 200 <= status <= 299:
                    try:
                        return json.loads(data)
                    except (ValueError, RecursionError):  # a cut or garbled body: asked again, within bounds
                        if attempt >= self.max_retries:
                            raise RequestFailed(f"GET {path}: answer is not JSON (truncated?)"
                                                 + (f" after {attempt + 1} attempts" if attempt else ""),
                                                 status) from None
                        raise BadBody() from None
                error: ApiException = ApiException(status=status, reason=getattr(response, "reason", ""))
                error.headers = getattr(response, "headers", None)
                raise error
            except ApiException as exc:
                status = int(exc.status or 0)
                if status == 401:
                    raise Soc2iacError(f"{self.configuration.host}: unauthorized (401): the credentials of "
                                       "the kubeconfig context were rejected") from None
                if status == 403:
                    raise Forbidden(path) from None
                if status == 404:
                    raise NotFound(path) from None
                if status not in RETRYABLE_STATUS or attempt >= self.max_retries:
                    reason = (exc.reason or "").strip() if status else str(exc.reason or exc).splitlines()[-1]
                    tries = f" after {attempt + 1} attempts" if attempt else ""
                    raise RequestFailed(f"HTTP {status} {reason}{tries}".strip() if status else reason, status) from None
                headers = exc.headers or {}
                try:
                    retry_after = float(headers.get("Retry-After", ""))
                except (TypeError, ValueError):
                    retry_after = None
            except BadBody:
                pass
            except urllib3.exceptions.HTTPError as exc:
                if attempt >= self.max_retries:
                    raise RequestFailed(f"{type(exc).__name__}: {exc}"
                                         + (f" after {attempt + 1} attempts" if attempt else "")) from None
            delay = min(self.backoff * (2 ** attempt), 30.0) * (0.5 + random.random() / 2)
            if retry_after is not None:
                delay = max(delay, min(retry_after, 30.0))
            self.sleep(delay)
            attempt += 1

    def list(self, path: str, *, page_size: int, accept: str = JSON_ACCEPT) -> Iterator[tuple[str, list[Any]]]:
        """Yield ``(list kind, items)`` page by page (``limit`` and ``continue``)."""
        token = ""
        restarted = False
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
            meta = body.get("metadata")
            token = str(meta.get("continue") or "") if isinstance(meta, Mapping) else ""
            if not token:
                return


class Restart(Exception):
    """A continue token expired (410 Gone): list the kind again from the start, once."""


def _version() -> str:
    from soc2iac import __version__

    return __version__
