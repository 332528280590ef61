"""The client configuration of a kubeconfig context (or of the in-cluster service account)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from soc2iac.errors import Soc2iacError

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
