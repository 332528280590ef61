"""A small renderer for the kustomization subset deploy/ uses (`resources` files and folders,
`namespace`, `images`), so the deploy test runs where no kustomize binary is; where `kubectl` is
on PATH, tests/test_deploy.py checks this renderer against `kubectl kustomize` on the same folder.
Anything outside the subset is an error, never silently ignored.
"""
from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

SUPPORTED = {"apiVersion", "kind", "namespace", "resources", "images"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass",
                  "CustomResourceDefinition"}


def _pod_specs(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc.get("spec", {})
    if doc["kind"] == "Pod":
        return [spec]
    if doc["kind"] == "CronJob":
        return [spec["jobTemplate"]["spec"]["template"]["spec"]]
    if "template" in spec:
        return [spec["template"]["spec"]]
    return []


def _set_image(image: str, rules: list[dict[str, str]]) -> str:
    name, tag = image, ""
    if "@" in name:
        name, tag = name.split("@", 1)
        tag = "@" + tag
    elif ":" in name.rsplit("/", 1)[-1]:
        name, tag = name.rsplit(":", 1)
        tag = ":" + tag
    for rule in rules:
        if rule["name"] == name:
            new = rule.get("newName", name)
            if "digest" in rule:
                return f"{new}@{rule['digest']}"
            return f"{new}:{rule['newTag']}" if "newTag" in rule else new + tag
    return image


def render(folder: Path) -> list[dict[str, Any]]:
    k = yaml.safe_load((folder / "kustomization.yaml").read_text())
    extra = set(k) - SUPPORTED
    if extra:
        raise ValueError(f"{folder}: kustomization fields this renderer does not implement: {sorted(extra)}")
    docs: list[dict[str, Any]] = []
    for entry in k.get("resources", []):
        path = folder / entry
        if path.is_dir():
            docs.extend(render(path))
        else:
            docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    docs = copy.deepcopy(docs)
    namespace = k.get("namespace")
    for doc in docs:
        if namespace and doc["kind"] not in CLUSTER_SCOPED:
            doc["metadata"]["namespace"] = namespace
        if namespace and doc["kind"] in ("RoleBinding", "ClusterRoleBinding"):
            for subject in doc.get("subjects", []):
                if subject.get("kind") == "ServiceAccount":
                    subject["namespace"] = namespace
        for pod in _pod_specs(doc):
            for c in pod.get("initContainers", []) + pod.get("containers", []):
                c["image"] = _set_image(c["image"], k.get("images", []))
    return docs


def kubectl_render(folder: Path) -> list[dict[str, Any]] | None:
    """`kubectl kustomize` of the folder, or None where kubectl is absent."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return None
    proc = subprocess.run([kubectl, "kustomize", str(folder)], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"kubectl kustomize {folder}: {proc.stderr}")
    return [d for d in yaml.safe_load_all(proc.stdout) if d]


def set_image(folder: Path, name: str, image: str) -> None:
    """What `kustomize edit set image NAME=IMAGE` writes into the kustomization (name:tag)."""
    path = folder / "kustomization.yaml"
    k = yaml.safe_load(path.read_text())
    new_name, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "")
    entry = {"name": name, "newName": new_name, **({"newTag": tag} if tag else {})}
    k["images"] = [i for i in k.get("images", []) if i["name"] != name] + [entry]
    path.write_text(yaml.safe_dump(k, sort_keys=False))


def cronjob_container(docs: list[dict[str, Any]]) -> dict[str, Any]:
    (job,) = [d for d in docs if d["kind"] == "CronJob"]
    (container,) = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    return dict(container)
