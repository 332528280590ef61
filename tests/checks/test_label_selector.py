"""Label maps and metav1.LabelSelector matching, as far as they can be known statically."""

from __future__ import annotations

from typing import Any

import pytest

from soc2iac.label_selector import LabelSelector, UnknownValue, label_map, label_selector, scalar, show_labels, subset
from soc2iac.model import Ref, Unknown

WEB = {"app": "web", "tier": "api"}


@pytest.mark.parametrize("selector, labels, expected", [
    ({}, WEB, True),  # the empty selector selects everything
    (None, WEB, True),
    ({"matchLabels": {"app": "web"}}, WEB, True),
    ({"matchLabels": {"app": "web", "tier": "db"}}, WEB, False),
    ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "web2"]}]}, WEB, True),
    ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["db"]}]}, WEB, False),
    ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}, WEB, False),
    ({"matchExpressions": [{"key": "canary", "operator": "NotIn", "values": ["true"]}]}, WEB, True),
    ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, WEB, True),
    ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, WEB, False),
    ({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]}, WEB, True),
    ({"matchExpressions": [{"key": "app", "operator": "Matches", "values": ["w*"]}]}, WEB, None),  # unknown op
])
def test_selector_matching(selector: Any, labels: dict[str, str], expected: bool | None) -> None:
    sel = label_selector(selector)
    assert isinstance(sel, LabelSelector)
    assert sel.matches(labels) is expected


@pytest.mark.parametrize("selector", [
    "var.selector",
    {"matchLabels": Unknown("var.labels")},
    {"matchLabels": {"app": ["web"]}},
    {"matchExpressions": "x"},
    {"matchExpressions": [{"key": "app"}]},
    {"matchExpressions": [{"key": "app", "operator": "In", "values": [{"x": 1}]}]},
])
def test_selectors_that_cannot_be_known(selector: Any) -> None:
    assert isinstance(label_selector(selector), UnknownValue)


def test_pinned_values_and_text() -> None:
    sel = label_selector({"matchLabels": {"kubernetes.io/metadata.name": "kong"},
                          "matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In",
                                                "values": ["kong", "traefik"]},
                                               {"key": "team", "operator": "Exists"}]})
    assert isinstance(sel, LabelSelector)
    assert sel.pinned("kubernetes.io/metadata.name") == {"kong"}
    assert sel.pinned("team") is None
    assert str(sel) == ("kubernetes.io/metadata.name=kong, kubernetes.io/metadata.name in (kong,traefik), "
                        "team Exists")
    assert str(LabelSelector()) == "{} (everything)" and LabelSelector().empty


def test_label_maps() -> None:
    assert label_map(None) is None
    assert label_map({"app": "web", "replicas": 2, "on": True}) == {"app": "web", "replicas": "2", "on": "true"}
    ref = label_map(Ref("known after apply", address="kubernetes_deployment_v1.web", attribute="x"))
    assert isinstance(ref, UnknownValue) and "kubernetes_deployment_v1.web" in ref.reason
    assert isinstance(label_map(["app=web"]), UnknownValue)
    assert isinstance(label_map({"app": None}), UnknownValue)
    assert scalar(1.5) == "1.5" and scalar(None) is None


def test_map_selector_subset_and_display() -> None:
    assert subset({"app": "web"}, WEB) and not subset({"app": "db"}, WEB) and subset({}, WEB)
    assert show_labels(WEB) == "app=web,tier=api" and show_labels({}) == "(all)"
