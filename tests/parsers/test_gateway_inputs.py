"""Malformed gateway configs: one clear error line each, exit 2, other files still scanned."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import run

BROKEN = {
    "kong.yml": '_format_version: "3.0"\nservices:\n  - name: api\n    url: http://api:8080\n    routes: [\n',
    "envoy.yaml": "static_resources:\n  listeners:\n    - name: l\n      address: {socket_address: {address: 0.0.0.0\n",
    "nginx.conf": "http {\n  server {\n    listen 443 ssl;\n    ssl_protocols TLSv1.2\n  }\n",
    "traefik.toml": '[entryPoints]\n  [entryPoints.web]\n    address = ":80\n',
}
SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  type: NodePort\n"


def test_each_malformed_gateway_config_is_one_error_and_others_are_scanned(tmp_path: Path) -> None:
    for name, text in BROKEN.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "svc.yaml").write_text(SERVICE)
    proc = run("scan", str(tmp_path), "--format", "json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("soc2iac: input error:")]
    assert sorted(name for name in BROKEN if any(name in ln for ln in errors)) == sorted(BROKEN), errors
    assert len(errors) == len(BROKEN)
    doc = json.loads(proc.stdout)
    assert any(f["resource"] == "shop/Service/web" and f["verdict"] == "fail" for f in doc["findings"])
