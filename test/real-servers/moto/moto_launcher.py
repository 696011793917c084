"""Runs moto's server on a free loopback port for one test file (see test/support/moto-server.ts).

Prints one JSON line, {"port": N}, once the socket is bound, then serves until its stdin closes:
the test process holds the other end, so the server ends with it even when the test run crashes.

Two additions to moto's own routes, under /_eks-lambda-scaler/, and nothing else changed:
- seeding the fields of an EKS cluster that moto generates itself (endpoint, certificate
  authority, access config), so DescribeCluster can name a real test API server;
- a request log (what reached the server, after the SDK's serialization and retries), so tests
  count calls on the wire. moto's own recorder appends to a file from many threads at once, which
  can interleave lines; this one keeps the requests in memory under a lock.
"""

import io
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


class RequestLog:
    def __init__(self):
        self.lock = threading.Lock()
        self.on = False
        self.requests = []

    def start(self):
        with self.lock:
            self.on = True
            self.requests = []

    def add(self, environ):
        if not self.on or environ.get("PATH_INFO", "").startswith("/moto-api/"):
            return
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        # Give moto the body back, unread.
        environ["wsgi.input"] = io.BytesIO(body)
        entry = {
            "method": environ.get("REQUEST_METHOD", ""),
            "path": environ.get("PATH_INFO", ""),
            "query": environ.get("QUERY_STRING", ""),
            "target": environ.get("HTTP_X_AMZ_TARGET", ""),
            # The X-Amz-* headers that say what was asked (e.g. X-Amz-Invocation-Type); never the
            # session token, which is a credential.
            "amzHeaders": {
                key[5:].replace("_", "-").lower(): value
                for key, value in environ.items()
                if key.startswith("HTTP_X_AMZ_") and key not in ("HTTP_X_AMZ_SECURITY_TOKEN", "HTTP_X_AMZ_DATE", "HTTP_X_AMZ_CONTENT_SHA256", "HTTP_X_AMZ_USER_AGENT")
            },
            # Only the credential scope (key id/date/region/service), never the signature.
            "credential": environ.get("HTTP_AUTHORIZATION", "").partition("Credential=")[2].partition(",")[0],
            "body": body.decode("utf-8", "replace"),
        }
        with self.lock:
            self.requests.append(entry)

    def snapshot(self):
        with self.lock:
            return list(self.requests)


def with_seed_routes(app):
    log = RequestLog()

    def wrapped(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(SEED_PREFIX):
            request = Request(environ)
            route = (request.method, path[len(SEED_PREFIX):])
            if route == ("POST", "eks-cluster"):
                response = seed_eks_cluster(json.loads(request.get_data() or b"{}"))
            elif route == ("POST", "requests/start"):
                log.start()
                response = Response(json.dumps({"status": "ok"}), 200, content_type="application/json")
            elif route == ("GET", "requests"):
                response = Response(json.dumps(log.snapshot()), 200, content_type="application/json")
            else:
                response = Response(json.dumps({"error": f"unknown route {request.method} {path}"}), 404)
            return response(environ, start_response)
        log.add(environ)
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
