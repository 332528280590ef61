from __future__ import annotations

import pytest

from soc2iac.errors import InputError
from soc2iac.parsers import kubernetes
from soc2iac.parsers.kubernetes import POD_SPEC_PATHS, parse_text


def test_multi_document_list_and_non_k8s_documents() -> None:
    text = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: ns}
---
not: kubernetes
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: s}
    spec:
      type: NodePort
"""
    res = parse_text(text, "x.yaml")
    assert [r.address for r in res] == ["ns/ConfigMap/a", "Service/s"]
    svc = res[1]
    assert svc.location.start_line == 10 and svc.line_of("spec.type") == 14


@pytest.mark.parametrize("kind", sorted(POD_SPEC_PATHS))
def test_every_workload_kind_gets_pod_spec_with_lines(kind: str) -> None:
    path = POD_SPEC_PATHS[kind]
    nested = "containers:\n  - name: app\n    image: nginx\n"
    for part in reversed(path.split(".")):
        nested = f"{part}:\n" + "".join("  " + ln + "\n" for ln in nested.splitlines())
    text = f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: w\n{nested}"
    (res,) = parse_text(text, "w.yaml")
    assert res.attributes["podSpec"]["containers"][0]["image"] == "nginx"
    image_line = next(i for i, ln in enumerate(text.splitlines(), 1) if "image: nginx" in ln)
    assert res.line_of("podSpec.containers[0].image") == image_line


def test_bad_yaml_names_file_and_line() -> None:
    with pytest.raises(InputError) as err:
        parse_text("apiVersion: v1\nkind: Pod\nmetadata: [1,\n", "bad.yaml")
    assert err.value.problem.file == "bad.yaml" and err.value.problem.line >= 3


def test_alias_bomb_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kubernetes, "MAX_NODES", 10_000)
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 9) + "]")
    with pytest.raises(InputError, match="alias bomb"):
        parse_text("\n".join(lines) + "\n", "bomb.yaml")


def test_binary_input_is_an_input_error() -> None:
    with pytest.raises(InputError, match="binary"):
        parse_text("a\x00b", "bin.yaml")
