"""The client configuration of a kubeconfig context (or of the in-cluster service account)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from soc2iac import yaml_load
from soc2iac.errors import Soc2iacError
from soc2iac.text import one_line, type_phrase

IN_CLUSTER_CONTEXT = "in-cluster"


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
        if part:
            check_types(Path(part).expanduser())
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


# Fields whose type kubectl enforces (client-go decodes the kubeconfig into typed structs and
# rejects the file on a mismatch), by section. The Python client reads them loosely: a quoted
# "false" for insecure-skip-tls-verify is a non-empty string, so it switched verification OFF.
_TYPED: dict[str, tuple[str, dict[str, type]]] = {
    "clusters": ("cluster", {"server": str, "certificate-authority": str, "certificate-authority-data": str,
                             "tls-server-name": str, "proxy-url": str, "insecure-skip-tls-verify": bool,
                             "disable-compression": bool}),
    "users": ("user", {"token": str, "tokenFile": str, "client-certificate": str, "client-certificate-data": str,
                       "client-key": str, "client-key-data": str, "username": str, "password": str, "as": str}),
    "contexts": ("context", {"cluster": str, "user": str, "namespace": str}),
}
_TYPE_NAMES = {bool: "a boolean (true or false, unquoted)", str: "a string"}


def check_types(path: Path) -> None:
    """Reject a kubeconfig whose typed fields have the wrong YAML type, as kubectl does.

    Only the type is named in the error, never the value (it may be a credential).
    A file that is not YAML is left to the client's own loader to report.
    """
    import yaml

    try:
        doc = yaml_load.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return
    if not isinstance(doc, dict):
        return
    current = doc.get("current-context")
    if current is not None and not isinstance(current, str):
        raise Soc2iacError(f"{path}: current-context must be a string, not {type_phrase(current)}")
    for section, (inner, fields) in _TYPED.items():
        entries = doc.get(section)
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            body = entry.get(inner) if isinstance(entry, dict) else None
            if not isinstance(body, dict):
                continue
            name = entry.get("name")
            where = f"{section}[{i}]" + (f" ({one_line(name, 60)})" if isinstance(name, str) else "")
            for key, wanted in fields.items():
                value = body.get(key)
                if value is not None and not isinstance(value, wanted):
                    quoted = " (quoted?)" if wanted is bool and isinstance(value, str) else ""
                    raise Soc2iacError(f"{path}: {where}: {inner}.{key} must be {_TYPE_NAMES[wanted]}, not "
                                       f"{type_phrase(value)}{quoted}; kubectl rejects this kubeconfig too")


def tls_unverified_notice(configuration: Any, shown_host: str, context: str) -> str | None:
    """The notice every report carries when the server's certificate is not checked (or there is none)."""
    if not str(configuration.host).lower().startswith("https:"):
        return (f"the API server {shown_host} is reached over plain HTTP: neither its identity nor the "
                "traffic (the credentials included) is protected")
    if getattr(configuration, "verify_ssl", True):
        return None
    return (f"TLS verification is OFF for {shown_host} (insecure-skip-tls-verify in kubeconfig context "
            f"{one_line(context, 80)}): the API server's identity was not checked, so these results could come "
            "from an impostor")
