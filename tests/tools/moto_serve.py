#!/usr/bin/env python3
"""moto's server on loopback, with one protocol gap closed: short JSON targets.

AWS JSON-protocol services accept an operation named in ``X-Amz-Target`` in two
forms: the short one (``CloudTrail_20131101.CreateTrail``, what the Go SDK inside
the Terraform AWS provider 5.100.0 sends) and the fully qualified Smithy shape id
(``com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.CreateTrail``, what
botocore's service models have said since 2025). moto 5.2 routes a JSON request by
an exact match on the form botocore's model names, so it answers the provider's
CreateTrail with an empty ``404``. The middleware below rewrites a short target to
the qualified form when, and only when, the qualified prefix of the service named in
the request's SigV4 credential scope ends in the short prefix; anything else passes
through untouched.

Usage (what ``MotoServer`` runs)::

    python tests/tools/moto_serve.py -H 127.0.0.1 -p PORT
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable, Iterable
from typing import Any


@functools.lru_cache(maxsize=None)
def qualified_prefix(service: str) -> str:
    """botocore's ``targetPrefix`` for ``service`` (a SigV4 signing name), or ''."""
    import botocore.session

    try:
        model = botocore.session.get_session().get_service_model(service)
    except Exception:  # not a botocore service name: leave the request alone
        return ""
    return str(model.metadata.get("targetPrefix") or "")


def qualify_target(target: str, authorization: str) -> str:
    """The ``X-Amz-Target`` moto's router recognises for this request."""
    short, sep, operation = target.rpartition(".")
    if not sep or "." in short:
        return target
    try:  # "AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request, ..."
        service = authorization.split("Credential=", 1)[1].split(",", 1)[0].split("/")[3]
    except IndexError:
        return target
    full = qualified_prefix(service.lower())
    if full.endswith("." + short):
        return f"{full}.{operation}"
    return target


def compat(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target:
            environ["HTTP_X_AMZ_TARGET"] = qualify_target(target, environ.get("HTTP_AUTHORIZATION", ""))
        return app(environ, start_response)

    return wrapped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import run_simple

    run_simple(args.host, args.port, compat(DomainDispatcherApplication(create_backend_app)),
               threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
