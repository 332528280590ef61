"""Collect the objects the policies need from a live Kubernetes API server.

Read-only and discreet by construction:

* only ``GET`` requests: ``/version``, discovery (``/apis``, ``/apis/<group>/<version>``)
  and paginated lists (``limit`` + ``continue``); every request has a timeout, every
  answer a time and size budget, every list a page cap, the run a time limit
  (:class:`soc2iac.cluster.api.Limits`); 429 and 5xx answers (and dropped connections)
  are retried with exponential backoff a bounded number of times;
* Secrets are listed as ``PartialObjectMetadataList`` (an ``Accept`` header), so the
  server sends names, labels and annotations but never values; whatever a server
  sends anyway is dropped here, and so is the ``last-applied-configuration``
  annotation of every object, which holds a copy of the object as applied (Secret data,
  env values) in clear; on a Secret, the annotation is kept as the data keys of the copy
  with every value replaced by a redaction marker, so the report can say whether the data
  is readable there by anyone who may read the Secret's metadata (the notices say both);
* a 403 on a kind does not stop the run: the kind is recorded as not collected
  (forbidden) with the RBAC rule that would allow it, so the policies that need it
  report "not evaluated" instead of passing.

Objects become :class:`~soc2iac.model.Resource` records through the same function
as manifests (:func:`soc2iac.parsers.kubernetes.to_resource`) with
``source="cluster"`` and a location ``<context>/<namespace>/<Kind>/<name>``.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import quote

from soc2iac.clock import utc_now
from soc2iac.cluster.api import JSON_ACCEPT, Api, Forbidden, Limits, NotFound, RequestFailed, Restart
from soc2iac.cluster.discovery import Discovery
from soc2iac.cluster.kinds import KINDS, KindSpec, NotCollected, format_rule
from soc2iac.cluster.kubeconfig import IN_CLUSTER_CONTEXT, load_configuration, tls_unverified_notice
from soc2iac.errors import Soc2iacError
from soc2iac.model import Location, Resource
from soc2iac.parsers.kubernetes import to_resource
from soc2iac.redact import marker, redact_text, shown_url

SOURCE = "cluster"
SECRET_METADATA_ACCEPT = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
DEFAULT_LIMITS = Limits()


@dataclass
class Collection:
    """What a collection read, what it could not read, and the scope for the report."""

    resources: list[Resource] = field(default_factory=list)
    not_collected: list[NotCollected] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # label -> objects collected (collected kinds only)
    server: str = ""
    context: str = ""
    version: str = ""
    namespaces: tuple[str, ...] | None = None  # the namespaces read (None: all, names not known)
    all_namespaces: bool = True
    excluded_namespaces: tuple[str, ...] = ()
    collected_at: str = ""
    notices: list[str] = field(default_factory=list)
    last_applied: dict[str, int] = field(default_factory=dict)  # "dropped"/"redacted" -> objects

    @property
    def scope(self) -> tuple[tuple[str, str], ...]:
        """(key, value) pairs for :attr:`soc2iac.result.Scope.cluster`."""
        pairs = [
            ("server", self.server),
            ("context", self.context),
            ("version", self.version),
            ("namespaces", _namespaces_text(self.all_namespaces, self.namespaces)),
        ]
        if self.excluded_namespaces:
            pairs.append(("excluded_namespaces", ", ".join(self.excluded_namespaces)))
        pairs.append(("collected_at", self.collected_at))
        pairs.append(("kinds", ", ".join(f"{k}={n}" for k, n in sorted(self.counts.items()))))
        if self.not_collected:
            pairs.append(("not_collected", ", ".join(
                f"{n.kind}{'@' + n.namespace if n.namespace else ''}={n.reason}" for n in self.not_collected)))
        return tuple(pairs)


def _namespaces_text(everything: bool, names: tuple[str, ...] | None) -> str:
    listed = ", ".join(names or ())
    if everything:
        return f"all ({listed})" if listed else "all"
    return listed or "none"

class Progress:
    """A line per kind on stderr, only when stderr is a terminal and not quiet."""

    def __init__(self, stream: IO[str] | None, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled and stream is not None

    def start(self, label: str, index: int, total: int) -> None:
        if self.enabled:
            assert self.stream is not None
            self.stream.write(f"\rsoc2iac: [{index}/{total}] {label} ...\x1b[K")
            self.stream.flush()

    def done(self, label: str, index: int, total: int, outcome: str) -> None:
        if self.enabled:
            assert self.stream is not None
            self.stream.write(f"\rsoc2iac: [{index}/{total}] {label}: {outcome}\x1b[K\n")
            self.stream.flush()


def collect(
    *,
    kubeconfig: str | os.PathLike[str] | None = None,
    context: str | None = None,
    namespaces: Sequence[str] = (),
    all_namespaces: bool = True,
    exclude_namespaces: Sequence[str] = (),
    quiet: bool = False,
    kinds: Sequence[KindSpec] = KINDS,
    page_size: int = 500,
    time_limit: float = DEFAULT_LIMITS.time_limit,
    timeout: float | tuple[float, float] = DEFAULT_LIMITS.timeout,
    answer_seconds: float = DEFAULT_LIMITS.answer_seconds,
    max_answer_bytes: int = DEFAULT_LIMITS.max_answer_bytes,
    max_pages: int = DEFAULT_LIMITS.max_pages,
    max_retries: int = DEFAULT_LIMITS.max_retries,
    backoff: float = DEFAULT_LIMITS.backoff,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    progress_stream: IO[str] | None = None,
) -> Collection:
    """Read every kind of ``kinds`` from the cluster of the kubeconfig context.

    Namespaces: ``namespaces`` when given (each listed on its own); otherwise all
    namespaces when ``all_namespaces`` (cluster-wide lists), else the context's
    default namespace; ``exclude_namespaces`` are dropped in every case.
    Cluster-scoped kinds (Namespace, ClusterRole, ...) are always read.
    Raises :class:`Soc2iacError` when the cluster cannot be used at all
    (bad kubeconfig, 401, server unreachable).

    Bounds (:class:`soc2iac.cluster.api.Limits`): ``time_limit`` seconds for the whole
    collection; ``timeout`` per request (connect, read); ``answer_seconds`` and
    ``max_answer_bytes`` per answer; ``max_pages`` per list. A kind cut short by any of
    them is not collected ("error: ..."), so the policies that need it are not evaluated.
    """
    limits = Limits(time_limit=time_limit, timeout=timeout if isinstance(timeout, tuple) else (timeout, timeout),
                    answer_seconds=answer_seconds, max_answer_bytes=max_answer_bytes, max_pages=max_pages,
                    max_retries=max_retries, backoff=backoff)
    try:
        return _collect_from(kubeconfig=kubeconfig, context=context, namespaces=namespaces,
                             all_namespaces=all_namespaces, exclude_namespaces=exclude_namespaces, quiet=quiet,
                             kinds=kinds, page_size=page_size, limits=limits, sleep=sleep, clock=clock,
                             progress_stream=progress_stream)
    except Soc2iacError as exc:  # a kubeconfig or library message may quote the server URL, credentials included
        raise Soc2iacError(redact_text(str(exc))) from None


def _collect_from(*, kubeconfig: str | os.PathLike[str] | None, context: str | None, namespaces: Sequence[str],
                  all_namespaces: bool, exclude_namespaces: Sequence[str], quiet: bool, kinds: Sequence[KindSpec],
                  page_size: int, limits: Limits, sleep: Callable[[float], None], clock: Callable[[], float],
                  progress_stream: IO[str] | None) -> Collection:
    configuration, context_name, default_ns = load_configuration(kubeconfig, context)
    excluded = tuple(dict.fromkeys(exclude_namespaces))
    chosen: tuple[str, ...] | None
    if namespaces:
        chosen = tuple(ns for ns in dict.fromkeys(namespaces) if ns not in excluded)
    elif all_namespaces:
        chosen = None
    else:
        chosen = tuple(ns for ns in (default_ns or "default",) if ns not in excluded)
    stream = progress_stream if progress_stream is not None else sys.stderr
    progress = Progress(stream, not quiet and _isatty(stream))
    shown_host = shown_url(str(configuration.host))
    api = Api(configuration, limits=limits, sleep=sleep, clock=clock, shown_host=shown_host)
    out = Collection(server=shown_host, context=context_name, namespaces=chosen,
                     all_namespaces=chosen is None, excluded_namespaces=excluded, collected_at=utc_now())
    unprotected = tls_unverified_notice(configuration, shown_host, context_name)
    if unprotected:
        out.notices.append(unprotected)  # said once here, so urllib3's warning on every request is silenced
    try:
        with warnings.catch_warnings():
            if unprotected:
                import urllib3

                warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            _collect(api, out, kinds, chosen, set(excluded), page_size, progress)
    finally:
        api.close()
    if chosen is None and "Namespace" in out.counts:
        out.namespaces = tuple(sorted(r.name for r in out.resources if r.type == "Namespace"))
    return out


def _isatty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _collect(api: Api, out: Collection, kinds: Sequence[KindSpec], chosen: tuple[str, ...] | None,
             excluded: set[str], page_size: int, progress: Progress) -> None:
    try:
        info = api.get("/version")
        out.version = str(info.get("gitVersion", "")) if isinstance(info, Mapping) else ""
    except Forbidden:
        out.version = "unknown (GET /version forbidden)"
    except (NotFound, RequestFailed) as exc:
        if isinstance(exc, RequestFailed) and not exc.status:
            raise Soc2iacError(f"{api.shown_host}: cannot reach the API server: {exc}") from None
        out.version = f"unknown ({exc})"

    discovery = Discovery(api)
    total = len(kinds)
    for index, spec in enumerate(kinds, 1):
        progress.start(spec.label, index, total)
        if api.clock() >= api.deadline:  # nothing more is asked: every kind left is not collected
            out.not_collected.append(NotCollected(spec.label, f"error: {api.out_of_time_reason()}", spec.rule(),
                                                  "", spec.kind))
            progress.done(spec.label, index, total, "not collected (time limit)")
            continue
        version = spec.versions[0]
        if spec.discovered:
            found = discovery.version_of(spec)
            if isinstance(found, NotCollected):
                out.not_collected.append(found)
                progress.done(spec.label, index, total, found.reason)
                continue
            version = found
        base = f"/api/{version}" if not spec.group else f"/apis/{spec.group}/{version}"
        if spec.namespaced and chosen is not None:
            paths = [(ns, f"{base}/namespaces/{quote(ns, safe='')}/{spec.plural}") for ns in chosen]
        else:
            paths = [("", f"{base}/{spec.plural}")]
        count = 0
        failures = 0
        for ns, path in paths:
            try:
                objects = _list_all(api, spec, version, path, page_size, out)
                for obj in objects:
                    namespace = _namespace_of(obj)
                    if spec.kind == "Namespace":
                        name = str((obj.get("metadata") or {}).get("name", ""))
                        if name in excluded or (chosen is not None and name not in chosen):
                            continue
                    elif namespace and namespace in excluded:
                        continue
                    out.resources.append(_resource(obj, out.context))
                    count += 1
            except Forbidden:
                failures += 1
                out.not_collected.append(NotCollected(spec.label, "forbidden", spec.rule(), ns, spec.kind))
            except NotFound:
                failures += 1
                out.not_collected.append(NotCollected(spec.label, "not present", None, ns, spec.kind))
            except RequestFailed as exc:
                failures += 1
                out.not_collected.append(NotCollected(spec.label, f"error: {exc}", spec.rule(), ns, spec.kind))
        if failures < len(paths):
            out.counts[spec.label] = count
        last = out.not_collected[-1].reason if failures else ""
        progress.done(spec.label, index, total, f"{count}" + (f" ({last})" if failures else ""))
    out.notices += discovery.notices
    out.notices += _last_applied_notice(out.last_applied)
    cut = [n.kind for n in out.not_collected if api.out_of_time_reason() in n.reason]
    if cut:
        out.notices.append(f"{api.out_of_time_reason()}: {len(cut)} kind(s) not collected ({', '.join(cut)}); "
                           "the policies that need them are not evaluated; a larger --timeout reads them")


def _list_all(api: Api, spec: KindSpec, version: str, path: str, page_size: int, out: Collection) -> list[dict[str, Any]]:
    """Every object at ``path`` (all pages), as plain manifests with apiVersion and kind set."""
    api_version = f"{spec.group}/{version}" if spec.group else version
    accept = SECRET_METADATA_ACCEPT if spec.metadata_only else JSON_ACCEPT
    for attempt in range(2):
        objects: list[dict[str, Any]] = []
        warned = False
        try:
            for list_kind, items in api.list(path, page_size=page_size, accept=accept):
                if spec.metadata_only and list_kind != "PartialObjectMetadataList" and not warned:
                    warned = True
                    out.notices.append(f"{spec.label}: the server answered the metadata-only list with "
                                       f"{list_kind or 'another kind'}; everything but metadata was discarded unread")
                for item in items:
                    if isinstance(item, Mapping):
                        objects.append(_clean(item, spec, api_version, out.last_applied))
            return objects
        except Restart:
            if attempt:
                raise RequestFailed("continue token expired twice (410 Gone)", 410) from None
            out.notices.append(f"{spec.label}: list expired while paging (410 Gone); listed again")
    raise AssertionError("unreachable")


def _clean(item: Mapping[str, Any], spec: KindSpec, api_version: str, counts: dict[str, int]) -> dict[str, Any]:
    """The object as a manifest; metadata only for metadata-only kinds; no managedFields and no
    ``last-applied-configuration`` annotation, except a redacted one on a Secret.

    kubectl apply copies the whole object as applied into that annotation: Secret data,
    env values and ConfigMap entries in clear, a second time. The policies judge the live
    object itself, so the copy is dropped rather than kept redacted: a copy that is not kept
    cannot leak into a finding, a report or a snapshot. A Secret is listed as metadata only,
    so its copy is the one place its data shows, to anyone allowed to list Secret metadata:
    the annotation keeps the copy's data keys with every value replaced by a marker
    (``soc2iac-redacted:secret:<length>``), which the policies judge and report.
    ``counts`` tallies what was done ("dropped", "redacted").
    """
    raw_meta = item.get("metadata")
    meta = {k: v for k, v in raw_meta.items() if k != "managedFields"} if isinstance(raw_meta, Mapping) else {}
    annotations = meta.get("annotations")
    if isinstance(annotations, Mapping) and LAST_APPLIED in annotations:
        kept = {k: v for k, v in annotations.items() if k != LAST_APPLIED}
        redacted = _redacted_secret_copy(annotations[LAST_APPLIED]) if spec.kind == "Secret" else None
        if redacted is not None:
            kept[LAST_APPLIED], holds_data = redacted
        meta["annotations"] = kept
        what = "dropped" if redacted is None else "redacted" if holds_data else "kept"
        counts[what] = counts.get(what, 0) + 1
    if spec.metadata_only:
        return {"apiVersion": api_version, "kind": spec.kind, "metadata": meta}
    obj = dict(item)
    obj["apiVersion"] = api_version
    obj["kind"] = spec.kind
    obj["metadata"] = meta
    return obj


def _redacted_secret_copy(text: Any) -> tuple[str, bool] | None:
    """The Secret data (``data``/``stringData``) of a last-applied copy, every value replaced by a
    marker, as the annotation's JSON (nothing else of the copy is kept), and whether it holds any;
    None when the copy is no JSON object."""
    try:
        applied = json.loads(text) if isinstance(text, str) and len(text) <= 4_000_000 else None
    except (ValueError, RecursionError):
        return None
    if not isinstance(applied, Mapping):
        return None
    held = {field: {str(k): marker(str(v), "secret") for k, v in value.items()}
            for field in ("data", "stringData") if isinstance(value := applied.get(field), Mapping) and value}
    return json.dumps({"apiVersion": "v1", "kind": "Secret", **held}, sort_keys=True), bool(held)


def _last_applied_notice(counts: Mapping[str, int]) -> list[str]:
    out = []
    if counts.get("dropped"):
        out.append(f"{LAST_APPLIED}: dropped from {counts['dropped']} object(s) (kubectl's copy of the object as "
                   "applied; the live object itself is judged)")
    if counts.get("kept"):
        out.append(f"{LAST_APPLIED}: on {counts['kept']} Secret(s) it holds no Secret data; kept (data keys only)")
    if counts.get("redacted"):
        out.append(f"{LAST_APPLIED}: on {counts['redacted']} Secret(s) it holds the Secret data in clear; "
                   "kept with every value redacted and reported (k8s-secret-data-not-in-last-applied)")
    return out


def _namespace_of(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata")
    return str(meta.get("namespace") or "") if isinstance(meta, Mapping) else ""


def object_location(obj: Mapping[str, Any], context: str) -> str:
    """``<context>/<namespace>/<Kind>/<name>``, or ``<context>/<Kind>/<name>`` when cluster-scoped."""
    meta = obj.get("metadata")
    name = str(meta.get("name") or "<unnamed>") if isinstance(meta, Mapping) else "<unnamed>"
    namespace = _namespace_of(obj)
    kind = str(obj.get("kind"))
    return f"{context}/{namespace}/{kind}/{name}" if namespace else f"{context}/{kind}/{name}"


def _resource(obj: Mapping[str, Any], context: str) -> Resource:
    return to_resource(obj, Location(object_location(obj, context)), {}, source=SOURCE)


__all__ = ["IN_CLUSTER_CONTEXT", "KINDS", "Collection", "KindSpec", "NotCollected", "SECRET_METADATA_ACCEPT",
           "collect", "format_rule", "load_configuration", "object_location"]
