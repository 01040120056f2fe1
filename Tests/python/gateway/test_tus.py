"""TUS 1.0.0 at /api/v1/uploads/: tuspy uploads 50 MB in 5 MB chunks with per-chunk SHA-256, is interrupted mid
chunk, the gateway is killed and restarted, tuspy resumes, and the stored file's SHA-256 matches; plus the
protocol's edges (discovery, versions, offsets, checksums, limits, termination, expiry, commit retry)."""
import base64
import hashlib
import os
import socket
import time

import requests
from tusclient import client as tus_client
from tusclient.uploader import Uploader

from .gwsupport import Client, PASSWORD, sign_in, sign_up

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"


class SHA256Uploader(Uploader):
    """tuspy's uploader with sha256 for the checksum extension (its default is sha1)."""
    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def interrupt_mid_patch(gateway, path, token, offset, data):
    """Sends a PATCH declaring all of `data` but only half of it, then drops the connection."""
    head = (f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Tus-Resumable: 1.0.0\r\nContent-Type: {OCTETS}\r\nUpload-Offset: {offset}\r\n"
            f"Content-Length: {len(data)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", gateway.port)) as connection:
        connection.sendall(head + data[:len(data) // 2])
        time.sleep(0.5)


def test_tuspy_resumes_a_50_mb_upload_across_an_interruption_and_a_gateway_restart(start_gateway, mesh, tmp_path):
    data_dir = str(tmp_path)
    gateway = start_gateway(data_dir=data_dir, prefix="fileflow:test:tus-restart:")
    username, user_id = sign_up(gateway)
    token = sign_in(gateway, username)["access_token"]
    size, chunk = 50 << 20, 5 << 20
    path = os.path.join(data_dir, "payload.bin")
    with open(path, "wb") as out:
        out.write(os.urandom(size))
    with open(path, "rb") as source:
        expected = hashlib.sha256(source.read()).hexdigest()

    headers = {"Authorization": f"Bearer {token}"}
    uploader = SHA256Uploader(path, client=tus_client.TusClient(gateway.url("/api/v1/uploads/"), headers=headers),
                              chunk_size=chunk, metadata={"filename": "payload.bin", "filetype": "application/x-test"},
                              upload_checksum=True)
    uploader.upload(stop_at=3 * chunk)
    assert uploader.offset == 3 * chunk
    upload_path = uploader.url.split(str(gateway.port), 1)[1]
    with open(path, "rb") as source:
        source.seek(3 * chunk)
        interrupt_mid_patch(gateway, upload_path, token, 3 * chunk, source.read(chunk))
    # The bytes that arrived before the connection broke are kept (this PATCH had no checksum).
    offset = int(requests.head(uploader.url, headers={**headers, **TUS}, timeout=30).headers["Upload-Offset"])
    assert 3 * chunk < offset < 4 * chunk

    gateway.kill()  # no drain: what a crash looks like
    restarted = start_gateway(data_dir=data_dir, prefix="fileflow:test:tus-restart:")
    resumed = SHA256Uploader(path, url=restarted.url(upload_path), chunk_size=chunk, upload_checksum=True,
                             client=tus_client.TusClient(restarted.url("/api/v1/uploads/"), headers=headers))
    assert resumed.offset == offset
    resumed.upload()
    file_id = resumed.request.response_headers["x-file-id"]

    client = Client(restarted, username, PASSWORD, token, "", user_id)
    file = client.get(f"/api/v1/files/{file_id}").json()
    assert file["name"] == "payload.bin" and file["size"] == size and file["sha256"] == expected
    assert file["content_type"] == "application/x-test"
    digest = hashlib.sha256()
    with client.get(f"/api/v1/files/{file_id}/content", stream=True) as download:
        for piece in download.iter_content(1 << 20):
            digest.update(piece)
    assert digest.hexdigest() == expected
    head = requests.head(restarted.url(upload_path), headers={**headers, **TUS}, timeout=30)
    assert head.headers["X-File-Id"] == file_id and head.headers["Upload-Offset"] == str(size)
    assert not os.path.exists(os.path.join(data_dir, "tus", upload_path.rsplit("/", 1)[1] + ".data"))


def test_discovery_and_version_negotiation(gateway, new_client):
    options = requests.options(gateway.url("/api/v1/uploads/"), timeout=30)
    assert options.status_code == 204
    assert options.headers["Tus-Version"] == "1.0.0"
    assert set(options.headers["Tus-Extension"].split(",")) == {
        "creation", "creation-with-upload", "termination", "checksum", "expiration"}
    assert "sha256" in options.headers["Tus-Checksum-Algorithm"].split(",")
    assert int(options.headers["Tus-Max-Size"]) > 0
    client = new_client()
    old = client.post("/api/v1/uploads/", headers={"Tus-Resumable": "0.2.2", "Upload-Length": "1"})
    assert old.status_code == 412 and old.headers["Tus-Version"] == "1.0.0"
    assert client.post("/api/v1/uploads/", headers={"Upload-Length": "1"}).status_code == 412


def test_creation_patch_offsets_checksums_and_termination(new_client):
    client = new_client()
    metadata = f"filename {b64('notes é.txt'.encode())},filetype {b64(b'text/plain')},empty"
    created = client.post("/api/v1/uploads/", headers={**TUS, "Upload-Length": "10", "Upload-Metadata": metadata})
    assert created.status_code == 201 and created.headers["Tus-Resumable"] == "1.0.0"
    assert created.headers["Location"].startswith("/api/v1/uploads/")
    assert created.headers["Upload-Expires"].endswith(" GMT")
    path = created.headers["Location"]
    head = client.request("HEAD", path, headers=TUS)
    assert head.status_code == 200 and head.headers["Upload-Offset"] == "0" and head.headers["Upload-Length"] == "10"
    assert head.headers["Upload-Metadata"] == metadata and head.headers["Cache-Control"] == "no-store"

    def patch(offset, body, **extra):
        return client.request("PATCH", path, data=body, headers={
            **TUS, "Content-Type": OCTETS, "Upload-Offset": str(offset), **extra})

    assert patch(1, b"abc").status_code == 409
    assert client.request("PATCH", path, data=b"abc", headers={**TUS, "Upload-Offset": "0",
                                                                "Content-Type": "text/plain"}).status_code == 415
    mismatch = patch(0, b"abcd", **{"Upload-Checksum": "sha256 " + b64(hashlib.sha256(b"wxyz").digest())})
    assert mismatch.status_code == 460 and mismatch.json()["error"]["code"] == "checksum_mismatch"
    assert patch(0, b"abcd", **{"Upload-Checksum": "md5 " + b64(b"0" * 16)}).status_code == 400
    assert patch(0, b"0123456789ABC").status_code == 413
    assert client.request("HEAD", path, headers=TUS).headers["Upload-Offset"] == "0"  # refused bodies left no trace

    first = patch(0, b"abcd", **{"Upload-Checksum": "sha256 " + b64(hashlib.sha256(b"abcd").digest())})
    assert first.status_code == 204 and first.headers["Upload-Offset"] == "4" and "X-File-Id" not in first.headers
    second = patch(4, b"efg", **{"Upload-Checksum": "sha1 " + b64(hashlib.sha1(b"efg").digest())})
    assert second.status_code == 204 and second.headers["Upload-Offset"] == "7"
    last = client.post(path, data=b"hij", headers={**TUS, "X-HTTP-Method-Override": "PATCH", "Content-Type": OCTETS,
                                                    "Upload-Offset": "7"})
    assert last.status_code == 204 and last.headers["Upload-Offset"] == "10"
    file = client.get(f"/api/v1/files/{last.headers['X-File-Id']}").json()
    assert file["name"] == "notes é.txt" and file["content_type"] == "text/plain"
    assert client.get(f"/api/v1/files/{file['file_id']}/content").content == b"abcdefghij"

    doomed = client.post("/api/v1/uploads/", headers={**TUS, "Upload-Length": "5"}).headers["Location"]
    assert client.request("DELETE", doomed, headers=TUS).status_code == 204
    assert client.request("HEAD", doomed, headers=TUS).status_code == 404
    assert client.request("HEAD", "/api/v1/uploads/not-an-id", headers=TUS).status_code == 404


def test_creation_with_upload_and_empty_uploads(new_client):
    client = new_client()
    whole = client.post("/api/v1/uploads/", data=b"all at once", headers={
        **TUS, "Upload-Length": "11", "Content-Type": OCTETS, "Upload-Metadata": f"filename {b64(b'once.txt')}"})
    assert whole.status_code == 201 and whole.headers["Upload-Offset"] == "11"
    assert client.get(f"/api/v1/files/{whole.headers['X-File-Id']}/content").content == b"all at once"
    partial = client.post("/api/v1/uploads/", data=b"half", headers={**TUS, "Upload-Length": "8",
                                                                     "Content-Type": OCTETS})
    assert partial.status_code == 201 and partial.headers["Upload-Offset"] == "4" and "X-File-Id" not in partial.headers
    empty = client.post("/api/v1/uploads/", headers={**TUS, "Upload-Length": "0",
                                                     "Upload-Metadata": f"filename {b64(b'empty.txt')}"})
    assert empty.status_code == 201
    assert client.get(f"/api/v1/files/{empty.headers['X-File-Id']}").json()["size"] == 0
    tagged = client.post("/api/v1/uploads/", data=b"tagged", headers={
        **TUS, "Upload-Length": "6", "Content-Type": OCTETS,
        "Upload-Metadata": f"filename {b64(b'tagged.txt')},labels {b64(b'source=tus&team%2Fa=x+y')}"})
    assert tagged.status_code == 201, tagged.text
    file = client.get(f"/api/v1/files/{tagged.headers['X-File-Id']}").json()
    assert file["labels"] == {"source": "tus", "team/a": "x y"}
    for headers in [{"Upload-Length": "-1"}, {"Upload-Length": "ten"}, {}, {"Upload-Defer-Length": "1"},
                    {"Upload-Length": "1", "Upload-Metadata": f"labels {b64(b'bad key=v')}"},
                    {"Upload-Length": "1", "Upload-Metadata": "bad key with spaces"},
                    {"Upload-Length": "1", "Upload-Metadata": "filename !!notbase64!!"}]:
        assert client.post("/api/v1/uploads/", headers={**TUS, **headers}).status_code == 400, headers


def test_limits_expiry_and_a_commit_retried_after_the_service_was_down(start_gateway, mesh, new_client, tmp_path):
    data_dir = str(tmp_path)
    down = start_gateway("--max-upload-bytes", "1000", "--tus-expiry-seconds", "2", "--file-process", "127.0.0.1:9",
                         data_dir=data_dir, prefix="fileflow:test:tus-limits:")
    client = new_client(on=down)
    assert client.post("/api/v1/uploads/", headers={**TUS, "Upload-Length": "1001"}).status_code == 413

    stale = client.post("/api/v1/uploads/", headers={**TUS, "Upload-Length": "5"}).headers["Location"]
    time.sleep(2.5)
    assert client.request("HEAD", stale, headers=TUS).status_code == 410
    assert client.request("HEAD", stale, headers=TUS).status_code == 404

    # The last byte lands while the file-process service is unreachable: stored, but not committed (503).
    path = client.post("/api/v1/uploads/", headers={**TUS, "Upload-Length": "5"}).headers["Location"]
    failed = client.request("PATCH", path, data=b"12345", headers={**TUS, "Content-Type": OCTETS, "Upload-Offset": "0"})
    assert failed.status_code == 503
    assert down.terminate() == 0
    up = start_gateway("--tus-expiry-seconds", "60", data_dir=data_dir, prefix="fileflow:test:tus-limits:")
    again = Client(up, client.username, PASSWORD, client.token, "", client.user_id)
    head = again.request("HEAD", path, headers=TUS)
    assert head.status_code == 200 and head.headers["Upload-Offset"] == "5"
    assert again.get(f"/api/v1/files/{head.headers['X-File-Id']}/content").content == b"12345"
