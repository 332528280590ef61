"""API discovery: which version of a group serves a resource (``/apis``, ``/apis/<group>/<version>``)."""

from __future__ import annotations

from collections.abc import Mapping

from soc2iac.cluster.api import Api, Forbidden, NotFound, RequestFailed
from soc2iac.cluster.kinds import KindSpec, NotCollected


class Discovery:
    """Which version of a group serves a resource, from ``/apis`` and ``/apis/<group>/<version>``."""

    def __init__(self, api: Api) -> None:
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
            except Forbidden:
                self._groups_error = NotCollected("", "forbidden", {"nonResourceURLs": ["/apis", "/apis/*"],
                                                                   "verbs": ["get"]})
            except (NotFound, RequestFailed) as exc:
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
            except Forbidden:
                self._resources[key] = NotCollected("", "forbidden", {"nonResourceURLs": [f"/apis/{key}"],
                                                                      "verbs": ["get"]})
            except NotFound:
                self._resources[key] = set()
            except RequestFailed as exc:
                self._resources[key] = NotCollected("", f"error: discovery of {key} failed: {exc}")
        return self._resources[key]
