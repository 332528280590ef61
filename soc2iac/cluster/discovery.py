"""API discovery: which version of a group serves a resource (``/apis``, ``/apis/<group>/<version>``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from soc2iac.cluster.api import Api, Forbidden, NotFound, RequestFailed
from soc2iac.cluster.kinds import KindSpec, NotCollected
from soc2iac.text import one_line, type_phrase


_VERSION = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")  # a DNS-1123 label, as API versions are
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")  # a DNS-1123 subdomain (groups, resources)


class Discovery:
    """Which version of a group serves a resource, from ``/apis`` and ``/apis/<group>/<version>``.

    Discovery documents come from the server: entries of the wrong type or with names
    that are not valid API names are skipped, each named in :attr:`notices`, and the
    audit goes on with what is well formed (a version is later part of a request path,
    so ``../`` in one is never followed).
    """

    def __init__(self, api: Api) -> None:
        self.api = api
        self._groups: dict[str, list[str]] | None = None
        self._groups_error: NotCollected | None = None
        self._resources: dict[str, set[str] | NotCollected] = {}
        self.notices: list[str] = []

    def _ignored(self, where: str, skipped: list[str]) -> None:
        if skipped:
            shown = "; ".join(skipped[:5]) + (f"; and {len(skipped) - 5} more" if len(skipped) > 5 else "")
            self.notices.append(f"API discovery: ignored {len(skipped)} malformed entr"
                                f"{'y' if len(skipped) == 1 else 'ies'} of {where}: {shown}")

    def _parse_groups(self, body: Any) -> dict[str, list[str]]:
        skipped: list[str] = []
        groups: dict[str, list[str]] = {}
        entries = body.get("groups") if isinstance(body, Mapping) else None
        if not isinstance(entries, list):
            skipped.append(f"groups is {type_phrase(entries)}, not a list" if isinstance(body, Mapping)
                           else f"the answer is {type_phrase(body)}, not a map")
            entries = []
        for i, group in enumerate(entries):
            name = group.get("name") if isinstance(group, Mapping) else None
            if not isinstance(name, str) or not _NAME.match(name):
                skipped.append(f"groups[{i}] ({_shown(group) if not isinstance(group, Mapping) else 'name ' + _shown(name)})")
                continue
            versions: list[str] = []
            raw_versions = group.get("versions")
            for j, entry in enumerate(raw_versions if isinstance(raw_versions, list) else []):
                version = entry.get("version") if isinstance(entry, Mapping) else None
                if isinstance(version, str) and _VERSION.match(version):
                    versions.append(version)
                else:
                    skipped.append(f"{name} versions[{j}] ({_shown(entry)})")
            if not isinstance(raw_versions, list):
                skipped.append(f"{name} versions ({type_phrase(raw_versions)}, not a list)")
            preferred_entry = group.get("preferredVersion")
            preferred = preferred_entry.get("version") if isinstance(preferred_entry, Mapping) else None
            if preferred_entry is not None and not isinstance(preferred, str):
                skipped.append(f"{name} preferredVersion ({_shown(preferred_entry)})")
            if preferred in versions:
                versions.remove(str(preferred))
                versions.insert(0, str(preferred))
            groups[name] = versions
        self._ignored("/apis", skipped)
        return groups

    def _load_groups(self, spec: KindSpec) -> dict[str, list[str]] | NotCollected:
        if self._groups is None and self._groups_error is None:
            try:
                self._groups = self._parse_groups(self.api.get("/apis"))
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
                self._resources[key] = self._parse_resources(key, self.api.get(f"/apis/{key}"))
            except Forbidden:
                self._resources[key] = NotCollected("", "forbidden", {"nonResourceURLs": [f"/apis/{key}"],
                                                                      "verbs": ["get"]})
            except NotFound:
                self._resources[key] = set()
            except RequestFailed as exc:
                self._resources[key] = NotCollected("", f"error: discovery of {key} failed: {exc}")
        return self._resources[key]

    def _parse_resources(self, key: str, body: Any) -> set[str]:
        skipped: list[str] = []
        entries = body.get("resources") if isinstance(body, Mapping) else None
        if not isinstance(entries, list):
            skipped.append(f"resources is {type_phrase(entries)}, not a list" if isinstance(body, Mapping)
                           else f"the answer is {type_phrase(body)}, not a map")
            entries = []
        names: set[str] = set()
        for i, entry in enumerate(entries):
            name = entry.get("name") if isinstance(entry, Mapping) else None
            if isinstance(name, str) and name:
                names.add(name)
            else:
                skipped.append(f"resources[{i}] ({_shown(entry)})")
        self._ignored(f"/apis/{key}", skipped)
        return names


def _shown(value: Any) -> str:
    """A malformed entry as a notice shows it: short JSON, one line, or its type when large."""
    import json

    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError, RecursionError):
        text = type_phrase(value)
    return one_line(text, 60) if len(text) <= 60 else type_phrase(value)
