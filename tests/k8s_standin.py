"""A stand-in Kubernetes API server for tests (no real cluster on these machines).

A threaded HTTP(S) server on 127.0.0.1 (free port) that answers like an API
server for what the collector reads:

* ``/version``, ``/api``, ``/api/v1``, ``/apis``, ``/apis/<group>/<version>`` discovery;
* list endpoints ``/api/v1/[namespaces/<ns>/]<plural>`` and
  ``/apis/<group>/<version>/[namespaces/<ns>/]<plural>`` from in-memory objects
  (:func:`load_fixture_objects` reads them from ``k8s_fixtures/`` YAML), with
  ``limit``/``continue`` pagination (opaque continue tokens);
* Secrets as ``PartialObjectMetadataList`` when the Accept header asks for it
  (``leak_secret_data`` puts data in the items anyway, ``ignore_metadata_accept``
  answers with full Secrets, to prove the client never passes values on);
* bearer-token authentication (wrong or missing token: 401);
* ``forbidden``: plurals (or ``(plural, namespace)`` pairs) answered with 403;
* ``flaky``: plural -> statuses answered first (429/503, with ``Retry-After: 0``),
  then normal answers; a status repeated many times makes a kind fail for good;
* ``slow``: plural -> seconds to wait before answering (request timeouts);
* faults, each plural -> how many answers it spoils before answering normally:
  ``reset`` (the connection is closed without an answer), ``truncated`` (a 200 whose
  JSON body is cut in half, with a matching Content-Length), ``short_body`` (a 200 that
  promises more bytes than it sends, then closes); ``retry_after`` is the header sent
  with ``flaky`` answers; ``expire_token_after``: requests after which the token is
  rejected (401), as when a token expires mid-run;
* hostile modes: ``endless`` (plural -> ``"same"``, ``"new"`` or ``"number"``: every list
  page carries a continue token, the same one, a new one each time, or a JSON number),
  ``trickle`` (plural -> seconds between the bytes of a list answer, one byte at a time),
  ``apis_body`` / ``group_bodies`` (the ``/apis`` answer and ``/apis/<group>/<version>``
  answers, replaced by any JSON, e.g. malformed discovery documents);
* a request log (method, path, query, Accept header) for assertions;
* HTTPS with a CA and server certificate generated at start (``tls=True``,
  needs ``cryptography``), or plain HTTP.

Only GET is served; any other method gets 405 (and is logged).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
FAULT = "X-Standin-Fault"  # internal: the fault to play on this answer (never sent)
FIXTURES = ROOT / "k8s_fixtures"


@dataclass(frozen=True)
class ApiResource:
    kind: str
    group: str
    version: str
    plural: str
    namespaced: bool = True

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


BUILTIN = (
    ApiResource("Namespace", "", "v1", "namespaces", False),
    ApiResource("Pod", "", "v1", "pods"),
    ApiResource("Service", "", "v1", "services"),
    ApiResource("ConfigMap", "", "v1", "configmaps"),
    ApiResource("Secret", "", "v1", "secrets"),
    ApiResource("ServiceAccount", "", "v1", "serviceaccounts"),
    ApiResource("Deployment", "apps", "v1", "deployments"),
    ApiResource("StatefulSet", "apps", "v1", "statefulsets"),
    ApiResource("DaemonSet", "apps", "v1", "daemonsets"),
    ApiResource("ReplicaSet", "apps", "v1", "replicasets"),
    ApiResource("Job", "batch", "v1", "jobs"),
    ApiResource("CronJob", "batch", "v1", "cronjobs"),
    ApiResource("Ingress", "networking.k8s.io", "v1", "ingresses"),
    ApiResource("NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies"),
    ApiResource("Role", "rbac.authorization.k8s.io", "v1", "roles"),
    ApiResource("ClusterRole", "rbac.authorization.k8s.io", "v1", "clusterroles", False),
    ApiResource("RoleBinding", "rbac.authorization.k8s.io", "v1", "rolebindings"),
    ApiResource("ClusterRoleBinding", "rbac.authorization.k8s.io", "v1", "clusterrolebindings", False),
    ApiResource("StorageClass", "storage.k8s.io", "v1", "storageclasses", False),
)
GATEWAY_API = (
    ApiResource("Gateway", "gateway.networking.k8s.io", "v1", "gateways"),
    ApiResource("HTTPRoute", "gateway.networking.k8s.io", "v1", "httproutes"),
    ApiResource("GRPCRoute", "gateway.networking.k8s.io", "v1", "grpcroutes"),
    ApiResource("GatewayClass", "gateway.networking.k8s.io", "v1", "gatewayclasses", False),
    # TLSRoute is only served in an alpha version (as in Gateway API v1.2 standard + experimental)
    ApiResource("TLSRoute", "gateway.networking.k8s.io", "v1alpha2", "tlsroutes"),
)
ISTIO = (
    ApiResource("Gateway", "networking.istio.io", "v1beta1", "gateways"),
    ApiResource("VirtualService", "networking.istio.io", "v1beta1", "virtualservices"),
)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: Mapping[str, str]
    accept: str
    authorization: str


@dataclass
class StandIn:
    """Configure, then :meth:`start`; :attr:`url` is set once serving."""

    objects: list[dict[str, Any]] = field(default_factory=list)
    token: str = "standin-token"
    tls: bool = True
    resources: tuple[ApiResource, ...] = BUILTIN + GATEWAY_API
    forbidden: set[Any] = field(default_factory=set)  # "roles" or ("roles", "payments")
    flaky: dict[str, list[int]] = field(default_factory=dict)  # plural -> statuses answered first
    leak_secret_data: bool = False
    ignore_metadata_accept: bool = False
    slow: dict[str, float] = field(default_factory=dict)  # plural -> seconds to wait before answering
    reset: dict[str, int] = field(default_factory=dict)  # plural -> connections closed without an answer
    truncated: dict[str, int] = field(default_factory=dict)  # plural -> 200s with half a JSON body
    short_body: dict[str, int] = field(default_factory=dict)  # plural -> 200s shorter than their Content-Length
    retry_after: str = "0"  # Retry-After header of flaky answers
    expire_token_after: int = 0  # 401 for every request after this many (0: never)
    max_page: int = 0  # server-side cap on page size (0: honour limit)
    endless: dict[str, str] = field(default_factory=dict)  # plural -> "same" | "new" | "number" continue tokens
    trickle: dict[str, float] = field(default_factory=dict)  # plural -> seconds between bytes of the answer
    apis_body: Any = None  # the /apis answer when set (any JSON)
    group_bodies: dict[str, Any] = field(default_factory=dict)  # "group/version" -> its discovery answer
    git_version: str = "v1.30.4-standin"
    requests: list[Request] = field(default_factory=list)
    url: str = ""
    ca_file: str = ""
    ca_data: bytes = b""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._stopping = threading.Event()
        self._pages = 0

    # ------------------------------------------------------------------ control

    def start(self) -> StandIn:
        handler = type("Handler", (_Handler,), {"standin": self})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        scheme = "http"
        if self.tls:
            self._tmp = tempfile.TemporaryDirectory(prefix="k8s-standin-")
            ca_pem, cert_pem, key_pem = make_certificates()
            folder = Path(self._tmp.name)
            (folder / "ca.crt").write_bytes(ca_pem)
            (folder / "server.crt").write_bytes(cert_pem)
            (folder / "server.key").write_bytes(key_pem)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(folder / "server.crt", folder / "server.key")
            server.socket = context.wrap_socket(server.socket, server_side=True)
            self.ca_file = str(folder / "ca.crt")
            self.ca_data = ca_pem
            scheme = "https"
        self._server = server
        self.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="k8s-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._tmp is not None:
            self._tmp.cleanup()

    def write_kubeconfig(self, path: Path, *, context: str = "standin", namespace: str | None = None,
                         token: str | None = None) -> Path:
        cluster: dict[str, Any] = {"server": self.url}
        if self.tls:
            cluster["certificate-authority-data"] = base64.b64encode(self.ca_data).decode()
        ctx: dict[str, Any] = {"cluster": "standin-cluster", "user": "reviewer"}
        if namespace:
            ctx["namespace"] = namespace
        doc = {
            "apiVersion": "v1", "kind": "Config", "current-context": context,
            "clusters": [{"name": "standin-cluster", "cluster": cluster}],
            "contexts": [{"name": context, "context": ctx}],
            "users": [{"name": "reviewer", "user": {"token": token if token is not None else self.token}}],
        }
        path.write_text(yaml.safe_dump(doc), encoding="utf-8")
        return path

    def log(self) -> list[Request]:
        with self._lock:
            return list(self.requests)

    def list_requests(self, plural: str) -> list[Request]:
        return [r for r in self.log() if r.path.rstrip("/").endswith("/" + plural)]

    # ------------------------------------------------------------------ answers

    def answer(self, method: str, target: str, headers: Mapping[str, str]) -> tuple[int, dict[str, Any], dict[str, str]]:
        parts = urlsplit(target)
        path = unquote(parts.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        accept = headers.get("Accept", "")
        auth = headers.get("Authorization", "")
        with self._lock:
            self.requests.append(Request(method, path, query, accept, auth))
        if method != "GET":
            return 405, _status(405, "MethodNotAllowed", f"{method} is not served by the stand-in"), {}
        scheme, _, credential = auth.partition(" ")
        if scheme.lower() != "bearer" or credential.strip() != self.token:  # the scheme is case-insensitive
            return 401, _status(401, "Unauthorized", "Unauthorized"), {}
        if self.expire_token_after and len(self.requests) > self.expire_token_after:
            return 401, _status(401, "Unauthorized", "token has expired"), {}
        if path == "/version":
            return 200, {"major": "1", "minor": "30", "gitVersion": self.git_version, "platform": "linux/amd64"}, {}
        if path == "/api":
            return 200, {"kind": "APIVersions", "versions": ["v1"]}, {}
        if path == "/apis":
            return 200, self._group_list() if self.apis_body is None else self.apis_body, {}
        segments = [s for s in path.split("/") if s]
        if segments[:1] == ["api"] and len(segments) >= 2:
            group, version, rest = "", segments[1], segments[2:]
        elif segments[:1] == ["apis"] and len(segments) >= 3:
            group, version, rest = segments[1], segments[2], segments[3:]
        else:
            return 404, _status(404, "NotFound", "the server could not find the requested resource"), {}
        served = [r for r in self.resources if r.group == group and r.version == version]
        if not served:
            return 404, _status(404, "NotFound", "the server could not find the requested resource"), {}
        if not rest:
            key = f"{group}/{version}"
            if key in self.group_bodies:
                return 200, self.group_bodies[key], {}
            return 200, self._resource_list(group, version, served), {}
        namespace = None
        if len(rest) == 3 and rest[0] == "namespaces":
            namespace, plural = rest[1], rest[2]
        elif len(rest) == 1:
            plural = rest[0]
        else:
            return 404, _status(404, "NotFound", "only list endpoints are served by the stand-in"), {}
        resource = next((r for r in served if r.plural == plural), None)
        if resource is None or (namespace is not None and not resource.namespaced):
            return 404, _status(404, "NotFound", "the server could not find the requested resource"), {}
        with self._lock:
            queue = self.flaky.get(plural)
            status = queue.pop(0) if queue else 0
            fault = next((name for name, left in (("reset", self.reset), ("truncated", self.truncated),
                                                  ("short_body", self.short_body)) if left.get(plural)), "")
            if fault:
                getattr(self, fault)[plural] -= 1
        if plural in self.slow:
            time.sleep(self.slow[plural])
        if status:
            return status, _status(status, "TooManyRequests" if status == 429 else "ServiceUnavailable",
                                   "try again later"), {"Retry-After": self.retry_after}
        if fault:
            code, body, extra = self._list(resource, namespace, query, accept)
            return code, body, {**extra, FAULT: fault}
        if plural in self.trickle:
            code, body, extra = self._list(resource, namespace, query, accept)
            return code, body, {**extra, FAULT: f"trickle:{self.trickle[plural]}"}
        if plural in self.forbidden or (plural, namespace) in self.forbidden:
            scope = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
            return 403, _status(403, "Forbidden", f'{plural} is forbidden: User "reviewer" cannot list resource '
                                                  f'"{plural}" in API group "{group}"{scope}'), {}
        return self._list(resource, namespace, query, accept)

    def _group_list(self) -> dict[str, Any]:
        groups: dict[str, list[str]] = {}
        for r in self.resources:
            if r.group and r.version not in groups.setdefault(r.group, []):
                groups[r.group].append(r.version)
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
            {"name": name, "versions": [{"groupVersion": f"{name}/{v}", "version": v} for v in versions],
             "preferredVersion": {"groupVersion": f"{name}/{versions[0]}", "version": versions[0]}}
            for name, versions in groups.items()]}

    @staticmethod
    def _resource_list(group: str, version: str, served: Iterable[ApiResource]) -> dict[str, Any]:
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}" if group else version,
                "resources": [{"name": r.plural, "singularName": r.kind.lower(), "namespaced": r.namespaced,
                               "kind": r.kind, "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]}
                              for r in served]}

    def _list(self, resource: ApiResource, namespace: str | None, query: Mapping[str, str],
              accept: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        items = [o for o in self.objects if o.get("kind") == resource.kind
                 and _group_of(str(o.get("apiVersion", ""))) == resource.group
                 and (namespace is None or o.get("metadata", {}).get("namespace") == namespace)]
        items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        if resource.plural in self.endless:
            return self._endless(resource, query)
        try:
            start = int(base64.urlsafe_b64decode(query["continue"]).decode()) if query.get("continue") else 0
        except ValueError:
            return 400, _status(400, "BadRequest", "invalid continue token"), {}
        limit = int(query.get("limit") or 0)
        if self.max_page and (not limit or limit > self.max_page):
            limit = self.max_page
        end = start + limit if limit else len(items)
        page = items[start:end]
        meta: dict[str, Any] = {"resourceVersion": "12345"}
        if end < len(items):
            meta["continue"] = base64.urlsafe_b64encode(str(end).encode()).decode()
            meta["remainingItemCount"] = len(items) - end
        metadata_only = "as=PartialObjectMetadataList" in accept and not self.ignore_metadata_accept
        if metadata_only:
            out_items = []
            for o in page:
                item: dict[str, Any] = {"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata",
                                        "metadata": o["metadata"]}
                if self.leak_secret_data:
                    item.update({k: o[k] for k in ("data", "stringData", "type") if k in o})
                out_items.append(item)
            return 200, {"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
                         "metadata": meta, "items": out_items}, {}
        # list items carry no apiVersion/kind, as on a real server
        body_items = [{k: v for k, v in o.items() if k not in ("apiVersion", "kind")} for o in page]
        return 200, {"kind": f"{resource.kind}List", "apiVersion": resource.group_version,
                     "metadata": meta, "items": body_items}, {}


    def _endless(self, resource: ApiResource, query: Mapping[str, str]) -> tuple[int, dict[str, Any], dict[str, str]]:
        """A page of the kind's objects that always promises another page."""
        mode = self.endless[resource.plural]
        with self._lock:
            self._pages += 1
            page = self._pages
        token: Any = {"same": "c2FtZS10b2tlbg", "new": f"bmV3LXRva2Vu-{page}", "number": 7}[mode]
        items = [{k: v for k, v in o.items() if k not in ("apiVersion", "kind")} for o in self.objects
                 if o.get("kind") == resource.kind][: int(query.get("limit") or 500)]
        return 200, {"kind": f"{resource.kind}List", "apiVersion": resource.group_version,
                     "metadata": {"resourceVersion": "1", "continue": token}, "items": items}, {}


class _Handler(BaseHTTPRequestHandler):
    standin: StandIn
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        status, body, extra = self.standin.answer(self.command, self.path, self.headers)
        fault = extra.pop(FAULT, "")
        data = json.dumps(body).encode()
        if fault == "reset":  # no answer at all: the connection is dropped
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if fault == "truncated":
            data = data[: len(data) // 2]
        if fault.startswith("trickle:"):
            self._trickle(status, data, float(fault.split(":", 1)[1]))
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data) + (1000 if fault == "short_body" else 0)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)
        if fault == "short_body":
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _trickle(self, status: int, data: bytes, interval: float) -> None:
        """Headers at once, then the body one byte every ``interval`` seconds (until the client
        gives up or the stand-in stops)."""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.flush()
        for byte in data:
            if self.standin._stopping.wait(interval):
                break
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:  # the client hung up
                break
        self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
        pass


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


def _group_of(api_version: str) -> str:
    return api_version.split("/")[0] if "/" in api_version else ""


def load_fixture_objects(patterns: Iterable[str] = ("*/*.yaml",), *, default_namespace: str = "default",
                         kinds: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Kubernetes objects of the ``k8s_fixtures`` files matching ``patterns`` (glob under k8s_fixtures/).

    Namespaced objects without a namespace get ``default_namespace``, as on apply.
    """
    cluster_scoped = {"Namespace", "ClusterRole", "ClusterRoleBinding", "StorageClass", "GatewayClass"}
    wanted = set(kinds) if kinds is not None else None
    out: list[dict[str, Any]] = []
    for pattern in patterns:
        for path in sorted(FIXTURES.glob(pattern)):
            for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                if not isinstance(doc, dict) or "kind" not in doc:
                    continue
                if wanted is not None and doc["kind"] not in wanted:
                    continue
                meta = doc.setdefault("metadata", {})
                if doc["kind"] not in cluster_scoped:
                    meta.setdefault("namespace", default_namespace)
                out.append(doc)
    return out


def make_certificates() -> tuple[bytes, bytes, bytes]:
    """(CA certificate, server certificate for 127.0.0.1 and localhost, server key), PEM."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "soc2iac stand-in CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(ca_ski, critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    return (ca.public_bytes(pem), cert.public_bytes(pem),
            key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
