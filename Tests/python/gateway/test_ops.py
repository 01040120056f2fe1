"""The gateway's own endpoints: health, readiness, Prometheus metrics by route template, the OpenAPI document, and
keep-alive connections that stay in sync after HEAD answers (which carry no body)."""
import socket
from concurrent.futures import ThreadPoolExecutor

import requests


def test_health_readiness_and_metrics(gateway, new_client):
    assert requests.get(gateway.url("/healthz"), timeout=30).text == "ok\n"
    assert requests.get(gateway.url("/readyz"), timeout=30).status_code == 200
    client = new_client()
    file = client.upload("metered.bin", b"m" * 1000)
    client.get(f"/api/v1/files/{file['file_id']}/content")
    client.get(f"/api/v1/files/{file['file_id']}")
    text = requests.get(gateway.url("/metrics"), timeout=30).text
    assert 'fileflow_http_requests_total{route="/api/v1/files/{id}",method="GET",status="200"}' in text
    assert 'fileflow_http_requests_total{route="/api/v1/files/{id}/content",method="GET",status="200"}' in text
    assert file["file_id"] not in text  # raw paths never become labels
    assert "fileflow_http_request_duration_seconds_bucket" in text
    for name in ["fileflow_bytes_uploaded_total", "fileflow_bytes_downloaded_total", "fileflow_uploads_total"]:
        value = next(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " "))
        assert value >= 1000 if "bytes" in name else value >= 1, name
    assert "fileflow_rpc_client_requests_total" in text  # the mesh clients are instrumented too


def resident_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def test_mesh_calls_leave_no_memory_behind(gateway):
    """Every /readyz makes health calls to the services over the mesh clients; a call's state must go when the
    call does (it once outlived it, about 1 KiB a call)."""
    def hammer(count):
        def worker(_):
            with requests.Session() as session:
                for _ in range(count // 10):
                    assert session.get(gateway.url("/readyz"), timeout=30).status_code == 200
        with ThreadPoolExecutor(10) as pool:
            list(pool.map(worker, range(10)))

    hammer(2_000)  # warm-up: pools, caches and allocator arenas reach their working size
    before = resident_kib(gateway.process.pid)
    hammer(15_000)
    grown = resident_kib(gateway.process.pid) - before
    assert grown < 6 * 1024, f"resident memory grew {grown} KiB over 15,000 requests"


def test_the_openapi_document_describes_every_route(gateway):
    document = requests.get(gateway.url("/api/v1/openapi.json"), timeout=30).json()
    assert document["openapi"].startswith("3.0")
    paths = document["paths"]
    for path in ["/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout",
                 "/api/v1/users/me", "/api/v1/files", "/api/v1/files/{id}", "/api/v1/files/{id}/content",
                 "/api/v1/files/{id}/restore", "/api/v1/files/{id}/shares", "/api/v1/files/{id}/shares/{username}",
                 "/api/v1/shared-with-me", "/api/v1/search", "/api/v1/notifications",
                 "/api/v1/notifications/{id}/read", "/api/v1/events", "/api/v1/jobs/{id}", "/api/v1/admin/metrics",
                 "/api/v1/uploads", "/api/v1/uploads/{id}", "/api/v1/openapi.json"]:
        assert path in paths, path
    for path, methods in paths.items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            assert "default" in codes, (method, path)
            if operation.get("security"):
                assert {"401", "429"} <= codes, (method, path)


def test_head_answers_leave_a_kept_alive_connection_usable(gateway):
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=30) as connection:
        request = ("HEAD /api/v1/users/me HTTP/1.1\r\nHost: x\r\n\r\n"
                   "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").encode()
        connection.sendall(request)
        received = b""
        while b"ok\n" not in received:
            piece = connection.recv(65536)
            assert piece, received
            received += piece
    head, rest = received.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 401")
    assert rest.startswith(b"HTTP/1.1 200"), received  # nothing of the 401's JSON leaked into the stream


def test_expect_100_continue_is_answered_before_the_body_is_sent(gateway, new_client):
    client = new_client()
    body = b"x" * 2048
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=5) as connection:
        connection.sendall((f"POST /api/v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {client.token}\r\n"
                            f"X-File-Name: expect.bin\r\nContent-Length: {len(body)}\r\n"
                            "Expect: 100-continue\r\n\r\n").encode())
        interim = connection.recv(4096)  # socket.timeout here: the gateway waited for the body instead
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n"), interim
        connection.sendall(body)
        final = b""
        while b"\r\n\r\n" not in final:
            final += connection.recv(65536)
    assert final.startswith(b"HTTP/1.1 201"), final
