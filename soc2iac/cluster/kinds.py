"""The kinds the live collector reads, and the record of a kind it could not read."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


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
