"""Canary secrets planted in every kind of input never appear in any report format.

The fixtures are written by the test: Terraform literals in secret-named arguments and
provider keys, variable defaults, an AWS key id in user_data, an inline PEM private key,
a Lambda environment, a plan JSON with sensitive values (``after_sensitive`` and
``sensitive_values``), Kubernetes env, ConfigMap data, Secret data and stringData, a
malformed file whose parse error could echo a secret, and a Kong declarative config when
the Kong parser is registered. Every format of :data:`soc2iac.reporters.FORMATS` is
rendered with ``--show-passes``, and standard output and error are checked too.
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest

from conftest import soc2iac_cmd
from soc2iac.parsers import registry
from soc2iac.reporters import FORMATS

# each canary is unique and long enough that a redacted form ('Ca******' (24 chars)) cannot contain it
CANARIES = {
    "tf_password": "CanaryTfPassw0rdQx7Lm2Vb",
    "tf_token": "CanaryTfT0kenRr9Jd4Wk8Hs",
    "tf_provider_secret": "CanaryProvSecretZp3Nc6Ty",
    "tf_provider_key_id": "AKIACANARYPR0V1D3RK3",
    "tf_var_default": "CanaryVarDefaultGh5Ms1Qe",
    "tf_user_data_key": "AKIACANARYUS3RDATA99",
    "tf_private_key_body": "CanaryPemBodyMIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
    "tf_lambda_env": "CanaryLambdaEnvFw8Yp2Lk",
    "tf_template": "CanaryTemplateLitXo4Bn7",
    "tf_set_sensitive": "CanaryHelmSetSensJq6Ud3",
    "plan_password": "CanaryPlanPassw0rdKd2Ev9",
    "plan_sensitive_values": "CanaryPlanSensValYt5Hn1",
    "plan_before": "CanaryPlanBeforePwWm3Cz8",
    "k8s_env": "CanaryK8sEnvPassw0rdNs4Ga",
    "k8s_configmap": "CanaryConfigMapTokenPb7Ri",
    "k8s_secret_data": "CanarySecretDataVc2Xe6Tu",
    "k8s_secret_string": "CanarySecretStringLq9Oa5",
    "k8s_annotation_key": "AKIACANARYANN0TAT10N",
    "k8s_last_applied": "CanaryLastAppliedZr1Kd8",
    "bad_file": "CanaryBadFilePassw0rdHy3",
    "bad_tf": "CanaryBadTfTokenStrGe4Pw",
    "tfvars": "CanaryTfvarsValueKm8Rt3",
    "kong_credential": "CanaryKongKeyAuthBd6Wp4",
    "kong_basic_auth": "CanaryKongBasicPwUj2Fs9",
}
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    f"{CANARIES['tf_private_key_body']}\n"
    "Zm9vYmFyYmF6cXV4Y2FuYXJ5Y2FuYXJ5Y2FuYXJ5Y2FuYXJ5\n"
    "-----END RSA PRIVATE KEY-----"
)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def plant(root: Path) -> list[str]:
    c = CANARIES
    tf = root / "tf"
    tf.mkdir()
    (tf / "main.tf").write_text(f'''
provider "aws" {{
  region     = "eu-west-1"
  access_key = "{c['tf_provider_key_id']}"
  secret_key = "{c['tf_provider_secret']}"
}}

variable "db_password" {{
  type    = string
  default = "{c['tf_var_default']}"
}}

resource "aws_db_instance" "db" {{
  identifier        = "orders"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  username          = "admin"
  password          = "{c['tf_password']}"
  storage_encrypted = false
}}

resource "aws_elasticache_replication_group" "cache" {{
  replication_group_id = "sessions"
  description          = "sessions"
  auth_token           = "{c['tf_token']}${{var.suffix}}"
}}

variable "suffix" {{
  type = string
}}

resource "aws_instance" "web" {{
  ami           = "ami-12345678"
  instance_type = "t3.micro"
  user_data     = <<-EOT
    #!/bin/sh
    export AWS_ACCESS_KEY_ID={c['tf_user_data_key']}
    echo {c['tf_template']}
  EOT
}}

resource "tls_locally_signed_cert" "cert" {{
  ca_private_key_pem = <<-EOT
{PEM}
  EOT
}}

resource "aws_lambda_function" "fn" {{
  function_name = "fn"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "index.handler"
  runtime       = "python3.12"
  environment {{
    variables = {{
      API_TOKEN = "{c['tf_lambda_env']}"
    }}
  }}
}}

resource "helm_release" "app" {{
  name  = "app"
  chart = "app"
  set_sensitive {{
    name  = "db.password"
    value = "{c['tf_set_sensitive']}"
  }}
}}
''', encoding="utf-8")
    (tf / "terraform.tfvars").write_text(f'suffix = "{c["tfvars"]}"\n', encoding="utf-8")
    (root / "badtf").mkdir()
    (root / "badtf" / "main.tf").write_text(
        f'resource "aws_db_instance" "x" {{\n  password = "{c["bad_tf"]}" "{c["bad_tf"]}"\n}}\n', encoding="utf-8")
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": [
            {"address": "aws_db_instance.plan", "mode": "managed", "type": "aws_db_instance", "name": "plan",
             "values": {"identifier": "plan", "password": c["plan_password"], "storage_encrypted": False},
             "sensitive_values": {"password": True}},
            {"address": "aws_ssm_parameter.p", "mode": "managed", "type": "aws_ssm_parameter", "name": "p",
             "values": {"name": "p", "type": "String", "value": c["plan_sensitive_values"]},
             "sensitive_values": {"value": True}},
        ]}},
        "resource_changes": [
            {"address": "aws_db_instance.plan", "mode": "managed", "type": "aws_db_instance", "name": "plan",
             "change": {"actions": ["update"],
                        "before": {"identifier": "plan", "password": c["plan_before"], "storage_encrypted": True},
                        "after": {"identifier": "plan", "password": c["plan_password"], "storage_encrypted": False},
                        "after_unknown": {}, "before_sensitive": {"password": True},
                        "after_sensitive": {"password": True}}},
        ],
    }
    (root / "plan").mkdir()
    (root / "plan" / "tfplan.json").write_text(json.dumps(plan, indent=2), encoding="utf-8")
    k8s = root / "k8s"
    k8s.mkdir()
    last_applied = json.dumps({"apiVersion": "v1", "kind": "Secret", "stringData": {"password": c["k8s_last_applied"]}})
    (k8s / "app.yaml").write_text(f'''apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  annotations:
    deploy-key: {c['k8s_annotation_key']}
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1.0
          env:
            - name: DB_PASSWORD
              value: {c['k8s_env']}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  api_token: {c['k8s_configmap']}
  LOG_LEVEL: info
---
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{last_applied}'
type: Opaque
data:
  password: {b64(c['k8s_secret_data'])}
stringData:
  token: {c['k8s_secret_string']}
''', encoding="utf-8")
    # a manifest broken right after a secret: the parse error must not quote it
    (k8s / "broken.yaml").write_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: broken}}\ndata:\n  password: {c['bad_file']}\n"
        f"  other: [unclosed\n", encoding="utf-8")
    paths = ["tf", "badtf", "plan", "k8s"]
    if "soc2iac.parsers.kong" in {e.module for e in registry.ENTRIES}:
        kong = root / "kong"
        kong.mkdir()
        (kong / "kong.yaml").write_text(f'''_format_version: "3.0"
services:
  - name: orders
    url: http://orders.internal:8080
    routes:
      - name: orders
        paths: [/orders]
consumers:
  - username: partner
    keyauth_credentials:
      - key: {c['kong_credential']}
    basicauth_credentials:
      - username: partner
        password: {c['kong_basic_auth']}
''', encoding="utf-8")
        paths.append("kong")
    return paths


def forms(canary: str) -> list[str]:
    """What would betray a canary: itself, its tail past the 2 characters a redacted form
    shows, and its base64."""
    return [canary, canary[2:], b64(canary)]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("canaries")
    paths = plant(root)
    out: dict[str, str] = {}
    for fmt in FORMATS:
        dest = root / f"report.{fmt}"
        proc = subprocess.run([*soc2iac_cmd(), "scan", *paths, "--show-passes", "-f", fmt, "-o", str(dest)],
                              capture_output=True, text=True, cwd=root, timeout=120)
        assert proc.returncode == 2, proc.stderr  # broken.yaml is an input error
        assert "Traceback" not in proc.stderr
        out[fmt] = dest.read_text(encoding="utf-8")
        out[f"{fmt} (stdout+stderr)"] = proc.stdout + proc.stderr
    text = subprocess.run([*soc2iac_cmd(), "scan", *paths, "--show-passes"], capture_output=True, text=True,
                          cwd=root, timeout=120)
    out["text to stdout"] = text.stdout + text.stderr
    return out


def test_every_format_is_rendered(reports: dict[str, str]) -> None:
    assert set(FORMATS) <= set(reports)
    assert all(reports[fmt].strip() for fmt in FORMATS)


@pytest.mark.parametrize("name", sorted(CANARIES))
def test_no_canary_in_any_output(reports: dict[str, str], name: str) -> None:
    leaks = [(where, form) for where, text in reports.items() for form in forms(CANARIES[name]) if form in text]
    assert not leaks, f"canary {name} leaked: {leaks}"


def test_findings_show_a_redacted_form(reports: dict[str, str]) -> None:
    doc = json.loads(reports["json"])
    messages = "\n".join(f["message"] + "\n" + "\n".join(e["message"] for e in f["evidence"])
                         for f in doc["findings"] if f["verdict"] == "fail")
    c = CANARIES
    # first 2 characters and the length, e.g. 'Ca********' (24 chars)
    for name in ("tf_password", "tf_provider_secret", "tf_var_default", "k8s_env", "k8s_configmap"):
        assert f"'{c[name][:2]}********' ({len(c[name])} chars)" in messages, name
    assert f"'AK********' ({len(c['tf_user_data_key'])} chars)" in messages
    secret_fail = [f for f in doc["findings"] if f["policy_id"] == "k8s-secret-not-committed" and f["verdict"] == "fail"]
    assert secret_fail, "the committed Secret is reported"
