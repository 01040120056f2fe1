"""The security list of issue #7: every protected route refuses a missing or bad token (401); another user's ids
answer 404 on every route; path traversal, invalid UTF-8 and 10 KB names are 400; a 100 MB JSON body is 413; the
CORS policy and the Content-Security-Policy are explicit."""
import http.client
import uuid

import pytest
import requests

from .gwsupport import PASSWORD, Client, forge_jwt, jwt_claims, sign_in, sign_up


@pytest.fixture(scope="module")
def uploader(gateway):
    username, user_id = sign_up(gateway)
    tokens = sign_in(gateway, username)
    return Client(gateway, username, PASSWORD, tokens["access_token"], tokens["refresh_token"], user_id)


def operations(gateway):
    document = requests.get(gateway.url("/api/v1/openapi.json"), timeout=30).json()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def concrete(path):
    return (path.replace("{id}", str(uuid.uuid4())).replace("{username}", "someone")
            if "/uploads/" not in path else path.replace("{id}", uuid.uuid4().hex))


def test_every_protected_route_refuses_missing_and_bad_tokens(gateway, new_client):
    protected = [(path, method) for path, method, operation in operations(gateway) if operation.get("security")]
    assert len(protected) == 24  # every route of CONTRACT.md §4 but sign-up/in/refresh/out, TUS discovery, ops
    client = new_client()
    expired = forge_jwt({**jwt_claims(client.token), "exp": 1})
    for path, method in protected:
        url = gateway.url(concrete(path))
        headers = {"Tus-Resumable": "1.0.0"}
        for token in [None, client.token[:-3] + "abc", expired]:
            auth = {"Authorization": f"Bearer {token}"} if token else {}
            response = requests.request(method, url, headers={**headers, **auth}, timeout=30)
            assert response.status_code == 401, (method, path, token is None, response.text)
            if method != "HEAD":
                assert response.json()["error"]["code"] in {"unauthenticated", "invalid_token"}


def test_another_users_ids_are_404_on_every_route(new_client):
    owner, stranger = new_client(), new_client()
    file = owner.upload("private.txt", b"top secret\n", "text/plain")
    file_id, job_id = file["file_id"], file["job_id"]
    share_with = new_client()
    assert owner.post(f"/api/v1/files/{file_id}/shares",
                      json={"username": share_with.username, "permission": "read"}).status_code == 201
    upload = owner.post("/api/v1/uploads/", headers={"Tus-Resumable": "1.0.0", "Upload-Length": "10"})
    assert upload.status_code == 201
    upload_path = upload.headers["Location"]
    tus = {"Tus-Resumable": "1.0.0"}
    attempts = [
        ("GET", f"/api/v1/files/{file_id}", {}),
        ("GET", f"/api/v1/files/{file_id}/content", {}),
        ("HEAD", f"/api/v1/files/{file_id}/content", {}),
        ("DELETE", f"/api/v1/files/{file_id}", {}),
        ("POST", f"/api/v1/files/{file_id}/restore", {}),
        ("POST", f"/api/v1/files/{file_id}/shares", {"json": {"username": stranger.username, "permission": "write"}}),
        ("GET", f"/api/v1/files/{file_id}/shares", {}),
        ("DELETE", f"/api/v1/files/{file_id}/shares/{share_with.username}", {}),
        ("GET", f"/api/v1/jobs/{job_id}", {}),
        ("HEAD", upload_path, {"headers": tus}),
        ("PATCH", upload_path, {"headers": {**tus, "Upload-Offset": "0",
                                            "Content-Type": "application/offset+octet-stream"}, "data": b"0123456789"}),
        ("DELETE", upload_path, {"headers": tus}),
    ]
    for method, path, kwargs in attempts:
        response = stranger.request(method, path, **kwargs)
        assert response.status_code == 404, (method, path, response.status_code, response.text)
    # Nothing the stranger tried had an effect.
    assert owner.get(f"/api/v1/files/{file_id}/content").content == b"top secret\n"
    assert [s["username"] for s in owner.get(f"/api/v1/files/{file_id}/shares").json()["shares"]] == [share_with.username]
    assert owner.request("HEAD", upload_path, headers=tus).headers["Upload-Offset"] == "0"
    # The stranger's own lists and searches do not show it either.
    assert stranger.get("/api/v1/files").json()["files"] == []
    assert stranger.get("/api/v1/shared-with-me").json()["files"] == []
    assert stranger.get("/api/v1/search", params={"q": "private"}).json()["hits"] == []


@pytest.mark.parametrize("name", [
    "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "a/b.txt", "a\\b.txt", "..", ".", "%2e%2e", "%FF%FE.txt",
    "%C3%28.txt", "x%00y", "line%0Abreak", "%", "%zz", "a" * 10240, "%C3%A9" * 200, "%20%20",
])
def test_bad_file_names_are_400(uploader, name):
    response = uploader.post("/api/v1/files", data=b"content", headers={"X-File-Name": name})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_file_name"


def test_bad_names_through_multipart_tus_query_and_path_are_400(new_client):
    client = new_client()
    for filename in ["../../etc/passwd", "a" * 10240]:
        response = client.post("/api/v1/files", files={"file": (filename, b"x")})
        assert response.status_code == 400, filename
    import base64
    for raw in [b"../secret", b"\xff\xfe", b"a" * 300]:
        response = client.post("/api/v1/uploads/", headers={
            "Tus-Resumable": "1.0.0", "Upload-Length": "1",
            "Upload-Metadata": "filename " + base64.b64encode(raw).decode()})
        assert response.status_code == 400, raw
    assert client.get("/api/v1/search?q=%FF%FE").status_code == 400
    invalid_json = requests.post(client.gateway.url("/api/v1/auth/register"), timeout=30,
                                 data=b'{"username": "\xff\xfeab", "password": "correct horse battery 9"}',
                                 headers={"Content-Type": "application/json"})
    assert invalid_json.status_code == 400 and invalid_json.json()["error"]["code"] == "invalid_json"
    assert client.get("/api/v1/files?cursor=%C3%28").status_code == 400
    assert client.get("/api/v1/files/..%2F..%2Fetc%2Fpasswd").status_code == 400
    file = client.upload("ok.txt", b"ok")
    assert client.request("DELETE", f"/api/v1/files/{file['file_id']}/shares/%FF%FE").status_code == 400
    # The literal traversal path never reaches a file outside the web UI's directory.
    connection = http.client.HTTPConnection("127.0.0.1", client.gateway.port, timeout=30)
    connection.request("GET", "/../../../../etc/passwd")
    response = connection.getresponse()
    assert response.status in (400, 404) and b"root:" not in response.read()


def test_a_100_mb_json_body_is_413_without_being_read(gateway, new_client):
    client = new_client()
    huge = b'{"email": "' + b"a" * (100 << 20) + b'"}'
    response = client.request("PATCH", "/api/v1/users/me", data=huge, headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "body_too_large"

    def chunks():  # no Content-Length: refused once 1 MiB has arrived
        yield b'{"username": "'
        for _ in range(100):
            yield b"a" * (1 << 20)
        yield b'"}'
    response = requests.post(gateway.url("/api/v1/auth/register"), data=chunks(),
                             headers={"Content-Type": "application/json"}, timeout=120)
    assert response.status_code == 413
    assert client.get("/api/v1/users/me").status_code == 200  # the gateway keeps serving


def test_cors_allows_only_the_configured_origin(gateway):
    allowed, denied = "https://app.example", "https://evil.example"
    preflight = requests.options(gateway.url("/api/v1/files"), headers={
        "Origin": allowed, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"}, timeout=30)
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == allowed
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    assert preflight.headers["Vary"] == "Origin"
    refused = requests.options(gateway.url("/api/v1/files"), headers={
        "Origin": denied, "Access-Control-Request-Method": "POST"}, timeout=30)
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers
    simple = requests.get(gateway.url("/api/v1/openapi.json"), headers={"Origin": allowed}, timeout=30)
    assert simple.headers["Access-Control-Allow-Origin"] == allowed
    assert "Upload-Offset" in simple.headers["Access-Control-Expose-Headers"]
    assert "Origin" in simple.headers["Vary"]
    foreign = requests.get(gateway.url("/api/v1/openapi.json"), headers={"Origin": denied}, timeout=30)
    assert foreign.status_code == 200 and "Access-Control-Allow-Origin" not in foreign.headers
    same_origin = requests.get(gateway.url("/api/v1/openapi.json"), timeout=30)
    assert "Access-Control-Allow-Origin" not in same_origin.headers


def test_the_web_ui_and_the_api_carry_a_strict_content_security_policy(gateway):
    page = requests.get(gateway.url("/"), timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    for response in [page, requests.get(gateway.url("/api/v1/openapi.json"), timeout=30),
                     requests.get(gateway.url("/api/v1/files"), timeout=30)]:
        policy = response.headers["Content-Security-Policy"]
        assert policy.startswith("default-src 'self'") and "unsafe" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
    missing = requests.get(gateway.url("/no-such-page.html"), timeout=30)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
