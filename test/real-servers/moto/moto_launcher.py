"""Runs moto's server on a free loopback port for one test file (see test/support/moto-server.ts).

Prints one JSON line, {"port": N}, once the socket is bound, then serves until its stdin closes:
the test process holds the other end, so the server ends with it even when the test run crashes.

One addition to moto's own routes, under /_eks-lambda-scaler/: seeding the fields of an EKS
cluster that moto generates itself (endpoint, certificate authority, access config), so
DescribeCluster can name a real test API server. Everything else is moto as published.
"""

import json
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

SEED_PREFIX = "/_eks-lambda-scaler/"


class QuietRequestHandler(MotoRequestHandler):
    """No access log line per request: the test output stays readable."""

    def log_request(self, *args, **kwargs):  # noqa: D401
        pass


def seed_eks_cluster(body):
    # Imported here: moto loads service backends lazily.
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.eks.models import eks_backends

    account = body.get("accountId", DEFAULT_ACCOUNT_ID)
    cluster = eks_backends[account][body["region"]].clusters.get(body["name"])
    if cluster is None:
        return Response(json.dumps({"error": f"no EKS cluster {body['name']} in {body['region']}: create it first"}), 404)
    if "endpoint" in body:
        cluster.endpoint = body["endpoint"]
    if "certificateAuthorityData" in body:
        cluster.certificate_authority = {"data": body["certificateAuthorityData"]}
    if "authenticationMode" in body:
        cluster.access_config = {"authenticationMode": body["authenticationMode"]}
    if "status" in body:
        cluster.status = body["status"]
    return Response(json.dumps({"status": "ok"}), 200, content_type="application/json")


def with_seed_routes(app):
    def wrapped(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(SEED_PREFIX):
            request = Request(environ)
            if path == SEED_PREFIX + "eks-cluster" and request.method == "POST":
                response = seed_eks_cluster(json.loads(request.get_data() or b"{}"))
            else:
                response = Response(json.dumps({"error": f"unknown seed route {request.method} {path}"}), 404)
            return response(environ, start_response)
        return app(environ, start_response)

    return wrapped


def main():
    app = with_seed_routes(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    # Block until the test process closes our stdin (or dies), then stop.
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
