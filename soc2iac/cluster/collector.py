"""Collect the objects the policies need from a live Kubernetes API server.

Read-only and discreet by construction:

* only ``GET`` requests: ``/version``, discovery (``/apis``, ``/apis/<group>/<version>``)
  and paginated lists (``limit`` + ``continue``); every request has a timeout; 429
  and 5xx answers (and dropped connections) are retried with exponential backoff a
  bounded number of times;
* Secrets are listed as ``PartialObjectMetadataList`` (an ``Accept`` header), so the
  server sends names, labels and annotations but never values; whatever a server
  sends anyway is dropped here, and so is the ``last-applied-configuration``
  annotation, which can hold a copy of the Secret's data;
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
import random
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlencode

from soc2iac.clock import utc_now
from soc2iac.errors import Soc2iacError
from soc2iac.model import Location, Resource
from soc2iac.parsers.kubernetes import to_resource

SOURCE = "cluster"
SECRET_METADATA_ACCEPT = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
JSON_ACCEPT = "application/json"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
IN_CLUSTER_CONTEXT = "in-cluster"


@dataclass(frozen=True)
class KindSpec:
    """One kind the collector lists.

    ``versions``: the API version of a built-in kind, or for a kind found through
    discovery (``discovered``), the versions accepted, preferred first (the
    server's preferred version wins when it is among them).
    """

    kind: str
    group: str  # "" for the core group
    versions: tuple[str, ...]
    plural: str
    namespaced: bool = True
    discovered: bool = False
    metadata_only: bool = False  # listed as PartialObjectMetadataList (Secrets)

    @property
    def label(self) -> str:
        """How the kind is named in counts and notices (group-qualified when the kind name is ambiguous)."""
        return f"{self.kind}.{self.group}" if _AMBIGUOUS.get(self.kind, 0) > 1 else self.kind

    @property
    def verbs(self) -> tuple[str, ...]:
        """Verbs the reviewer's role grants on it: ``list`` only for metadata-only kinds (no Secret ``get``)."""
        return ("list",) if self.metadata_only else ("get", "list")

    def rule(self) -> dict[str, list[str]]:
        """The RBAC rule that allows collecting this kind."""
        return {"apiGroups": [self.group], "resources": [self.plural], "verbs": list(self.verbs)}


_CORE, _APPS, _BATCH = "", "apps", "batch"
_NET, _RBAC, _STORAGE = "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io"
_GATEWAY, _ISTIO = "gateway.networking.k8s.io", "networking.istio.io"

KINDS: tuple[KindSpec, ...] = (
    KindSpec("Namespace", _CORE, ("v1",), "namespaces", namespaced=False),
    KindSpec("Pod", _CORE, ("v1",), "pods"),
    KindSpec("Service", _CORE, ("v1",), "services"),
    KindSpec("ConfigMap", _CORE, ("v1",), "configmaps"),
    KindSpec("Secret", _CORE, ("v1",), "secrets", metadata_only=True),
    KindSpec("ServiceAccount", _CORE, ("v1",), "serviceaccounts"),
    KindSpec("Deployment", _APPS, ("v1",), "deployments"),
    KindSpec("StatefulSet", _APPS, ("v1",), "statefulsets"),
    KindSpec("DaemonSet", _APPS, ("v1",), "daemonsets"),
    KindSpec("ReplicaSet", _APPS, ("v1",), "replicasets"),
    KindSpec("Job", _BATCH, ("v1",), "jobs"),
    KindSpec("CronJob", _BATCH, ("v1",), "cronjobs"),
    KindSpec("Ingress", _NET, ("v1",), "ingresses"),
    KindSpec("NetworkPolicy", _NET, ("v1",), "networkpolicies"),
    KindSpec("Role", _RBAC, ("v1",), "roles"),
    KindSpec("ClusterRole", _RBAC, ("v1",), "clusterroles", namespaced=False),
    KindSpec("RoleBinding", _RBAC, ("v1",), "rolebindings"),
    KindSpec("ClusterRoleBinding", _RBAC, ("v1",), "clusterrolebindings", namespaced=False),
    KindSpec("StorageClass", _STORAGE, ("v1",), "storageclasses", namespaced=False),
    KindSpec("Gateway", _GATEWAY, ("v1", "v1beta1"), "gateways", discovered=True),
    KindSpec("HTTPRoute", _GATEWAY, ("v1", "v1beta1"), "httproutes", discovered=True),
    KindSpec("GRPCRoute", _GATEWAY, ("v1", "v1alpha2"), "grpcroutes", discovered=True),
    KindSpec("TLSRoute", _GATEWAY, ("v1", "v1alpha3", "v1alpha2"), "tlsroutes", discovered=True),
    KindSpec("Gateway", _ISTIO, ("v1", "v1beta1", "v1alpha3"), "gateways", discovered=True),
    KindSpec("VirtualService", _ISTIO, ("v1", "v1beta1", "v1alpha3"), "virtualservices", discovered=True),
)

_AMBIGUOUS: dict[str, int] = {}
for _spec in KINDS:
    _AMBIGUOUS[_spec.kind] = _AMBIGUOUS.get(_spec.kind, 0) + 1


def format_rule(rule: Mapping[str, Sequence[str]]) -> str:
    """``apiGroups: [""], resources: ["pods"], verbs: ["get", "list"]`` (how notices name a rule)."""
    return ", ".join(f"{key}: {json.dumps(list(values))}" for key, values in rule.items())


@dataclass(frozen=True)
class NotCollected:
    """A kind (in one namespace, or everywhere) that could not be read."""

    kind: str  # the KindSpec label
    reason: str  # "forbidden", "not present" or "error: ..."
    rule: Mapping[str, Sequence[str]] | None = None  # RBAC rule that would allow it (forbidden / error)
    namespace: str = ""  # set when only the list in that namespace failed
    type: str = ""  # the plain Kubernetes kind (what policies name in applies_to.types)

    @property
    def blocks_evaluation(self) -> bool:
        """Forbidden and failed kinds leave the policies that need them not evaluated; absent kinds do not."""
        return self.reason != "not present"

    def describe(self) -> str:
        where = f" in namespace {self.namespace}" if self.namespace else ""
        text = f"{self.kind}{where}: {self.reason}"
        if self.rule and self.reason == "forbidden":
            scope = f"a Role in namespace {self.namespace}" if self.namespace else "a ClusterRole"
            text += f"; allow with {format_rule(self.rule)} (in {scope} bound to the reviewer)"
        return text


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


class _Forbidden(Exception):
    pass


class _NotFound(Exception):
    pass


class _BadBody(Exception):
    """A 2xx answer whose body is not JSON (retried like a dropped connection)."""


class _RequestFailed(Exception):
    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


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


class _Api:
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
        """The decoded JSON body of ``GET path``; :class:`_Forbidden`, :class:`_NotFound` or :class:`_RequestFailed`."""
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
                            raise _RequestFailed(f"GET {path}: answer is not JSON (truncated?)"
                                                 + (f" after {attempt + 1} attempts" if attempt else ""),
                                                 status) from None
                        raise _BadBody() from None
                error: ApiException = ApiException(status=status, reason=getattr(response, "reason", ""))
                error.headers = getattr(response, "headers", None)
                raise error
            except ApiException as exc:
                status = int(exc.status or 0)
                if status == 401:
                    raise Soc2iacError(f"{self.configuration.host}: unauthorized (401): the credentials of "
                                       "the kubeconfig context were rejected") from None
                if status == 403:
                    raise _Forbidden(path) from None
                if status == 404:
                    raise _NotFound(path) from None
                if status not in RETRYABLE_STATUS or attempt >= self.max_retries:
                    reason = (exc.reason or "").strip() if status else str(exc.reason or exc).splitlines()[-1]
                    tries = f" after {attempt + 1} attempts" if attempt else ""
                    raise _RequestFailed(f"HTTP {status} {reason}{tries}".strip() if status else reason, status) from None
                headers = exc.headers or {}
                try:
                    retry_after = float(headers.get("Retry-After", ""))
                except (TypeError, ValueError):
                    retry_after = None
            except _BadBody:
                pass
            except urllib3.exceptions.HTTPError as exc:
                if attempt >= self.max_retries:
                    raise _RequestFailed(f"{type(exc).__name__}: {exc}"
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
            except _RequestFailed as exc:
                if exc.status == 410 and token and not restarted:
                    raise _Restart() from None
                raise
            if not isinstance(body, Mapping):
                raise _RequestFailed(f"GET {path}: answer is not a list")
            items = body.get("items") or []
            yield str(body.get("kind", "")), list(items) if isinstance(items, list) else []
            meta = body.get("metadata")
            token = str(meta.get("continue") or "") if isinstance(meta, Mapping) else ""
            if not token:
                return


class _Restart(Exception):
    """A continue token expired (410 Gone): list the kind again from the start, once."""


def _version() -> str:
    from soc2iac import __version__

    return __version__


def load_configuration(kubeconfig: str | os.PathLike[str] | None, context: str | None
                       ) -> tuple[Any, str, str | None]:
    """(client Configuration, context name, the context's default namespace).

    In-cluster config is used when no kubeconfig is named or found and
    ``KUBERNETES_SERVICE_HOST`` is set (a pod with a service account).
    """
    from kubernetes import client
    from kubernetes.config import ConfigException, load_incluster_config, load_kube_config
    from kubernetes.config import list_kube_config_contexts

    configuration = client.Configuration()
    path = str(kubeconfig) if kubeconfig else os.environ.get("KUBECONFIG", "")
    default = Path.home() / ".kube" / "config"
    if not path and default.is_file():
        path = str(default)
    if not path:
        if os.environ.get("KUBERNETES_SERVICE_HOST"):
            if context:
                raise Soc2iacError(f"--context {context}: no kubeconfig (running with the in-cluster service account)")
            try:
                load_incluster_config(client_configuration=configuration)
            except ConfigException as exc:
                raise Soc2iacError(f"in-cluster configuration: {exc}") from None
            return configuration, IN_CLUSTER_CONTEXT, None
        raise Soc2iacError("no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, "
                           "or run in a pod with a service account")
    for part in path.split(os.pathsep):
        if part and not Path(part).expanduser().is_file():
            raise Soc2iacError(f"{part}: kubeconfig not found")
    try:
        contexts, active = list_kube_config_contexts(config_file=path)
    except ConfigException as exc:
        raise Soc2iacError(f"{path}: invalid kubeconfig: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - yaml errors, unreadable files
        raise Soc2iacError(f"{path}: cannot read kubeconfig: {exc}") from None
    names = {c.get("name"): c for c in contexts or []}
    chosen = context or (active or {}).get("name")
    if not chosen:
        raise Soc2iacError(f"{path}: no current context; pass --context ({', '.join(sorted(map(str, names))) or 'none defined'})")
    if chosen not in names:
        raise Soc2iacError(f"--context {chosen}: no such context in {path} (known: {', '.join(sorted(map(str, names)))})")
    try:
        load_kube_config(config_file=path, context=chosen, client_configuration=configuration, persist_config=False)
    except ConfigException as exc:
        raise Soc2iacError(f"{path}: context {chosen}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - auth plugins, missing certificate files
        raise Soc2iacError(f"{path}: context {chosen}: {type(exc).__name__}: {exc}") from None
    namespace = (names[chosen].get("context") or {}).get("namespace")
    return configuration, str(chosen), str(namespace) if namespace else None


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
    timeout: float | tuple[float, float] = (10.0, 60.0),
    max_retries: int = 4,
    backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    progress_stream: IO[str] | None = None,
) -> Collection:
    """Read every kind of ``kinds`` from the cluster of the kubeconfig context.

    Namespaces: ``namespaces`` when given (each listed on its own); otherwise all
    namespaces when ``all_namespaces`` (cluster-wide lists), else the context's
    default namespace; ``exclude_namespaces`` are dropped in every case.
    Cluster-scoped kinds (Namespace, ClusterRole, ...) are always read.
    Raises :class:`Soc2iacError` when the cluster cannot be used at all
    (bad kubeconfig, 401, server unreachable).
    """
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
    api = _Api(configuration, timeout=timeout, max_retries=max_retries, backoff=backoff, sleep=sleep)
    out = Collection(server=str(configuration.host), context=context_name, namespaces=chosen,
                     all_namespaces=chosen is None, excluded_namespaces=excluded, collected_at=utc_now())
    try:
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


def _collect(api: _Api, out: Collection, kinds: Sequence[KindSpec], chosen: tuple[str, ...] | None,
             excluded: set[str], page_size: int, progress: Progress) -> None:
    try:
        info = api.get("/version")
        out.version = str(info.get("gitVersion", "")) if isinstance(info, Mapping) else ""
    except _Forbidden:
        out.version = "unknown (GET /version forbidden)"
    except (_NotFound, _RequestFailed) as exc:
        if isinstance(exc, _RequestFailed) and not exc.status:
            raise Soc2iacError(f"{api.configuration.host}: cannot reach the API server: {exc}") from None
        out.version = f"unknown ({exc})"

    discovery = _Discovery(api)
    total = len(kinds)
    for index, spec in enumerate(kinds, 1):
        progress.start(spec.label, index, total)
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
            except _Forbidden:
                failures += 1
                out.not_collected.append(NotCollected(spec.label, "forbidden", spec.rule(), ns, spec.kind))
            except _NotFound:
                failures += 1
                out.not_collected.append(NotCollected(spec.label, "not present", None, ns, spec.kind))
            except _RequestFailed as exc:
                failures += 1
                out.not_collected.append(NotCollected(spec.label, f"error: {exc}", spec.rule(), ns, spec.kind))
        if failures < len(paths):
            out.counts[spec.label] = count
        last = out.not_collected[-1].reason if failures else ""
        progress.done(spec.label, index, total, f"{count}" + (f" ({last})" if failures else ""))


def _list_all(api: _Api, spec: KindSpec, version: str, path: str, page_size: int, out: Collection) -> list[dict[str, Any]]:
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
                        objects.append(_clean(item, spec, api_version))
            return objects
        except _Restart:
            if attempt:
                raise _RequestFailed("continue token expired twice (410 Gone)", 410) from None
            out.notices.append(f"{spec.label}: list expired while paging (410 Gone); listed again")
    raise AssertionError("unreachable")


def _clean(item: Mapping[str, Any], spec: KindSpec, api_version: str) -> dict[str, Any]:
    """The object as a manifest; metadata only for metadata-only kinds; no managedFields."""
    raw_meta = item.get("metadata")
    meta = {k: v for k, v in raw_meta.items() if k != "managedFields"} if isinstance(raw_meta, Mapping) else {}
    if spec.metadata_only:
        annotations = meta.get("annotations")
        if isinstance(annotations, Mapping) and LAST_APPLIED in annotations:
            # kubectl apply copies the whole object, data included, into this annotation
            meta["annotations"] = {k: v for k, v in annotations.items() if k != LAST_APPLIED}
        return {"apiVersion": api_version, "kind": spec.kind, "metadata": meta}
    obj = dict(item)
    obj["apiVersion"] = api_version
    obj["kind"] = spec.kind
    obj["metadata"] = meta
    return obj


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


class _Discovery:
    """Which version of a group serves a resource, from ``/apis`` and ``/apis/<group>/<version>``."""

    def __init__(self, api: _Api) -> None:
        self.api = api
        self._groups: dict[str, list[str]] | None = None
        self._groups_error: NotCollected | None = None
        self._resources: dict[str, set[str] | NotCollected] = {}

    def _load_groups(self, spec: KindSpec) -> dict[str, list[str]] | NotCollected:
        if self._groups is None and self._groups_error is None:
            try:
                body = self.api.get("/apis")
                groups: dict[str, list[str]] = {}
                for group in body.get("groups", []) if isinstance(body, Mapping) else []:
                    preferred = (group.get("preferredVersion") or {}).get("version")
                    versions = [v.get("version") for v in group.get("versions", []) if v.get("version")]
                    if preferred in versions:
                        versions.remove(preferred)
                        versions.insert(0, preferred)
                    groups[str(group.get("name"))] = versions
                self._groups = groups
            except _Forbidden:
                self._groups_error = NotCollected("", "forbidden", {"nonResourceURLs": ["/apis", "/apis/*"],
                                                                   "verbs": ["get"]})
            except (_NotFound, _RequestFailed) as exc:
                self._groups_error = NotCollected("", f"error: API discovery failed: {exc}")
        if self._groups_error is not None:
            err = self._groups_error
            return NotCollected(spec.label, err.reason, err.rule or spec.rule(), "", spec.kind)
        assert self._groups is not None
        return self._groups

    def version_of(self, spec: KindSpec) -> str | NotCollected:
        groups = self._load_groups(spec)
        if isinstance(groups, NotCollected):
            return groups
        served = groups.get(spec.group)
        if not served:
            return NotCollected(spec.label, "not present", None, "", spec.kind)
        for version in sorted(served, key=lambda v: (v not in spec.versions, served.index(v))):
            resources = self._resources_of(spec.group, version)
            if isinstance(resources, NotCollected):
                return NotCollected(spec.label, resources.reason, resources.rule, "", spec.kind)
            if spec.plural in resources:
                return version
        return NotCollected(spec.label, "not present", None, "", spec.kind)

    def _resources_of(self, group: str, version: str) -> set[str] | NotCollected:
        key = f"{group}/{version}"
        if key not in self._resources:
            try:
                body = self.api.get(f"/apis/{group}/{version}")
                self._resources[key] = {str(r.get("name")) for r in body.get("resources", [])
                                        if isinstance(r, Mapping)} if isinstance(body, Mapping) else set()
            except _Forbidden:
                self._resources[key] = NotCollected("", "forbidden", {"nonResourceURLs": [f"/apis/{key}"],
                                                                      "verbs": ["get"]})
            except _NotFound:
                self._resources[key] = set()
            except _RequestFailed as exc:
                self._resources[key] = NotCollected("", f"error: discovery of {key} failed: {exc}")
        return self._resources[key]
