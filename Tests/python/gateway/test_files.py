"""Files through the REST edge: streamed raw and multipart uploads, downloads with Range, ETag and 304, listing and
paging, trash and restore, sharing, search, jobs, notifications, quotas (507), the upload limit (413), and memory
that stays flat while a large file streams through in both directions."""
import datetime
import hashlib
import random
import re
import uuid

from .gwsupport import eventually, set_quota


def test_raw_upload_then_download_with_etag_range_and_304(new_client):
    client = new_client()
    content = random.Random(1).randbytes(300_000)
    file = client.upload("réport 2024.bin", content, headers={"Idempotency-Key": "k-" + uuid.uuid4().hex})
    assert file["name"] == "réport 2024.bin" and file["size"] == len(content)
    assert file["sha256"] == hashlib.sha256(content).hexdigest() and file["permission"] == "owner"
    assert file["status"] in {"uploaded", "processing", "processed"} and uuid.UUID(file["job_id"])
    for key in ("created_at", "updated_at"):  # RFC 3339, UTC, milliseconds, and now
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", file[key]), file[key]
        stamp = datetime.datetime.strptime(file[key], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
        assert abs((datetime.datetime.now(datetime.timezone.utc) - stamp).total_seconds()) < 300, file[key]
    path = f"/api/v1/files/{file['file_id']}/content"

    whole = client.get(path)
    assert whole.status_code == 200 and whole.content == content
    tag = whole.headers["ETag"]
    assert tag == f'"{file["sha256"]}"' and whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Disposition"] == \
        "attachment; filename=\"r_port 2024.bin\"; filename*=UTF-8''r%C3%A9port%202024.bin"

    assert client.get(path, headers={"If-None-Match": tag}).status_code == 304
    assert client.get(path, headers={"If-None-Match": f'"other", W/{tag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200

    for header, first, last in [("bytes=0-99", 0, 99), ("bytes=299990-", 299990, 299999),
                                ("bytes=-10", 299990, 299999), ("bytes=100-999999", 100, 299999)]:
        part = client.get(path, headers={"Range": header})
        assert part.status_code == 206, header
        assert part.content == content[first:last + 1], header
        assert part.headers["Content-Range"] == f"bytes {first}-{last}/{len(content)}"
    unsatisfiable = client.get(path, headers={"Range": "bytes=300000-"})
    assert unsatisfiable.status_code == 416 and unsatisfiable.headers["Content-Range"] == "bytes */300000"
    assert client.get(path, headers={"Range": "bytes=0-9", "If-Range": '"stale"'}).status_code == 200
    assert client.get(path, headers={"Range": "bytes=0-9,20-29"}).status_code == 200  # several ranges: all of it

    head = client.request("HEAD", path)
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len(content)) and head.content == b""


def test_idempotency_key_makes_a_retried_upload_commit_once(new_client):
    client = new_client()
    key = {"Idempotency-Key": "retry-" + uuid.uuid4().hex}
    first = client.upload("same.txt", b"v1", headers=key)
    again = client.upload("same.txt", b"v1", headers=key)
    assert again["file_id"] == first["file_id"]
    assert client.get(f"/api/v1/files/{first['file_id']}").json()["version_count"] == 1
    newer = client.upload("same.txt", b"v2")
    assert newer["file_id"] == first["file_id"] and newer["version"] == 2


def test_multipart_and_chunked_uploads(new_client):
    client = new_client()
    boundary_like = b"\r\n--not-the-boundary\r\n" * 1000  # content that resembles a boundary
    response = client.post("/api/v1/files", files={"note": (None, "ignored"),
                                                   "file": ("form.bin", boundary_like, "application/x-test")})
    assert response.status_code == 201, response.text
    file = response.json()
    assert file["name"] == "form.bin" and file["content_type"] == "application/x-test"
    assert client.get(f"/api/v1/files/{file['file_id']}/content").content == boundary_like

    def pieces():
        for index in range(20):
            yield bytes([index]) * 10_000
    chunked = client.post("/api/v1/files", data=pieces(), headers={"X-File-Name": "chunked.bin"})
    assert chunked.status_code == 201 and chunked.json()["size"] == 200_000
    assert client.post("/api/v1/files", files={"other": ("x.bin", b"x")}).status_code == 400
    truncated = client.post("/api/v1/files", data=b"--b\r\nContent-Disposition: form-data; name=\"file\"; "
                            b"filename=\"t.bin\"\r\n\r\nno closing boundary",
                            headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert truncated.status_code == 400 and truncated.json()["error"]["code"] == "invalid_multipart"
    assert client.post("/api/v1/files", data=b"x").status_code == 400  # no X-File-Name


def test_labels_travel_with_uploads_and_bad_ones_are_400_before_storing(new_client):
    client = new_client()
    raw = client.upload("tagged.txt", b"labelled", headers={"X-File-Labels": "team%2Fdata=Q3+%22report%22&env=prod"})
    assert raw["labels"] == {"team/data": 'Q3 "report"', "env": "prod"}
    form = client.post("/api/v1/files", files={"file": ("form.txt", b"x", "text/plain")},
                       headers={"X-File-Labels": "kind=form&empty="})
    assert form.status_code == 201 and form.json()["labels"] == {"kind": "form", "empty": ""}
    plain = client.upload("plain.txt", b"none")
    assert plain["labels"] == {}
    listed = {f["file_id"]: f["labels"] for f in client.get("/api/v1/files").json()["files"]}
    assert listed[raw["file_id"]] == raw["labels"] and listed[plain["file_id"]] == {}
    assert client.get(f"/api/v1/files/{raw['file_id']}").json()["labels"] == raw["labels"]

    before = len(client.get("/api/v1/files").json()["files"])
    for bad in ["has space=v", "=v", "k=" + "v" * 257, "a=1&a=2", "k=%ZZ", "k=line%0Abreak",
                "&".join(f"k{i}=v" for i in range(33)), "x" * 20_000]:
        response = client.post("/api/v1/files", data=b"never stored",
                               headers={"X-File-Name": "refused.txt", "X-File-Labels": bad})
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_labels", (bad, response.text)
    assert len(client.get("/api/v1/files").json()["files"]) == before


def test_a_file_object_is_the_same_json_in_every_response(new_client):
    """Listings, file objects and upload responses write their JSON by hand; search results encode the same
    representation with JSONEncoder. Hostile text (quotes, backslashes, markup, non-ASCII; control characters are
    refused earlier) must come out identical, and parse, in all of them."""
    client = new_client()
    word = "zj" + uuid.uuid4().hex[:10]
    name = f'q"uo"te {word} \u00fcn\u00ef \U0001F389 <b>&amp;.txt'
    created = client.upload(name, f"{word} text".encode(), "text/plain",
                            headers={"X-File-Labels": "note=say+%22hi%22%5Cnow&emoji=%F0%9F%8E%89"})
    assert created["name"] == name and created["labels"] == {"note": 'say "hi"\\now', "emoji": "\U0001F389"}
    assert created["job_id"] and "deleted_at" not in created
    file_id = created["file_id"]
    path = f"/api/v1/files/{file_id}"
    eventually(lambda: client.get(path).json()["status"] == "processed", "processing to finish")
    hit = eventually(lambda: client.get("/api/v1/search", params={"q": word}).json()["hits"], "the file in search")
    got = client.get(path).json()
    listed = next(f for f in client.get("/api/v1/files").json()["files"] if f["file_id"] == file_id)
    assert got == listed == hit[0]["file"], (got, listed, hit[0]["file"])
    assert {k: v for k, v in created.items() if k not in ("job_id", "status", "updated_at", "detected_type")} == {
        k: v for k, v in got.items() if k not in ("status", "updated_at", "detected_type")}


def test_listing_sorting_and_paging(new_client):
    client = new_client()
    sizes = {"b.txt": 3, "a.txt": 1, "c.txt": 2}
    for name, size in sizes.items():
        client.upload(name, b"x" * size)
    names = lambda sort: [f["name"] for f in client.get("/api/v1/files", params={"sort": sort}).json()["files"]]
    assert names("created_asc") == ["b.txt", "a.txt", "c.txt"]
    assert names("created_desc") == ["c.txt", "a.txt", "b.txt"]
    assert names("name_asc") == ["a.txt", "b.txt", "c.txt"]
    assert names("size_desc") == ["b.txt", "c.txt", "a.txt"]
    assert client.get("/api/v1/files", params={"sort": "sideways"}).status_code == 400
    seen, cursor = [], None
    while True:
        page = client.get("/api/v1/files", params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [f["name"] for f in page["files"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == ["a.txt", "b.txt", "c.txt"] and len(seen) == 3
    for bad in [{"limit": 0}, {"limit": 1001}, {"limit": "many"}, {"cursor": "not-a-cursor"}]:
        assert client.get("/api/v1/files", params=bad).status_code == 400, bad


def test_trash_and_restore(new_client):
    client = new_client()
    file = client.upload("temp.txt", b"temporary")
    assert client.request("DELETE", f"/api/v1/files/{file['file_id']}").status_code == 204
    assert client.get(f"/api/v1/files/{file['file_id']}").status_code == 404
    assert client.get(f"/api/v1/files/{file['file_id']}/content").status_code == 404
    assert all(f["file_id"] != file["file_id"] for f in client.get("/api/v1/files").json()["files"])
    restored = client.post(f"/api/v1/files/{file['file_id']}/restore")
    assert restored.status_code == 200 and restored.json()["file_id"] == file["file_id"]
    assert "deleted_at" not in restored.json()
    assert client.get(f"/api/v1/files/{file['file_id']}/content").content == b"temporary"


def test_sharing_read_and_write(new_client):
    owner, reader, writer = new_client(), new_client(), new_client()
    file = owner.upload("shared.txt", b"shared words")
    path = f"/api/v1/files/{file['file_id']}"
    share = owner.post(f"{path}/shares", json={"username": reader.username, "permission": "read"})
    assert share.status_code == 201
    assert share.json()["username"] == reader.username and share.json()["permission"] == "read"
    assert owner.post(f"{path}/shares", json={"username": writer.username, "permission": "write"}).status_code == 201
    assert owner.post(f"{path}/shares", json={"username": reader.username, "permission": "admin"}).status_code == 400
    assert owner.post(f"{path}/shares", json={"username": f"ghost-{uuid.uuid4().hex[:8]}",
                                              "permission": "read"}).status_code == 404
    assert owner.post(f"{path}/shares", json={"username": owner.username, "permission": "read"}).status_code == 400
    assert sorted(s["username"] for s in owner.get(f"{path}/shares").json()["shares"]) == \
        sorted([reader.username, writer.username])

    got = reader.get(path).json()
    assert got["permission"] == "read" and got["owner_username"] == owner.username
    assert reader.get(f"{path}/content").content == b"shared words"
    assert [f["file_id"] for f in reader.get("/api/v1/shared-with-me").json()["files"]] == [file["file_id"]]
    by_name = reader.get("/api/v1/shared-with-me", params={"sort": "name_asc"}).json()["files"]
    assert [(f["file_id"], f["permission"]) for f in by_name] == [(file["file_id"], "read")]
    assert reader.get("/api/v1/shared-with-me", params={"sort": "sideways"}).status_code == 400
    assert reader.post(f"{path}/shares", json={"username": writer.username, "permission": "read"}).status_code == 403
    assert reader.get(f"{path}/shares").status_code == 403
    assert writer.get(path).json()["permission"] == "write"

    assert owner.request("DELETE", f"{path}/shares/{reader.username}").status_code == 204
    assert reader.get(path).status_code == 404
    assert owner.request("DELETE", f"{path}/shares/{reader.username}").status_code == 404


def test_search_finds_names_and_content_of_readable_files_only(new_client):
    owner, friend, stranger = new_client(), new_client(), new_client()
    word = "zq" + uuid.uuid4().hex[:10]
    file = owner.upload(f"minutes-{word}.txt", f"The {word} meeting discussed budgets.\n".encode() * 20, "text/plain")
    found = eventually(lambda: owner.get("/api/v1/search", params={"q": word}).json()["hits"], "search by content")
    assert found[0]["file"]["file_id"] == file["file_id"] and found[0]["score"] > 0
    results = owner.get("/api/v1/search", params={"q": f"minutes-{word[:6]}*", "limit": 5}).json()
    assert results["total"] >= 1 and results["took_ms"] >= 0
    assert stranger.get("/api/v1/search", params={"q": word}).json()["hits"] == []
    owner.post(f"/api/v1/files/{file['file_id']}/shares", json={"username": friend.username, "permission": "read"})
    eventually(lambda: friend.get("/api/v1/search", params={"q": word}).json()["hits"], "search after sharing")
    by_owner = friend.get("/api/v1/search", params={"q": word, "owner": owner.username}).json()["hits"]
    assert [hit["file"]["file_id"] for hit in by_owner] == [file["file_id"]]
    assert friend.get("/api/v1/search", params={"q": word, "owner": stranger.username}).json()["hits"] == []
    assert owner.get("/api/v1/search", params={"q": "  "}).status_code == 400
    assert owner.get("/api/v1/search").status_code == 400


def test_jobs_and_notifications(new_client):
    client = new_client()
    file = client.upload("notes.txt", b"plain text notes\n" * 10, "text/plain")
    job = eventually(lambda: (lambda j: j if j["state"] == "succeeded" else None)(
        client.get(f"/api/v1/jobs/{file['job_id']}").json()), "the processing job")
    assert job["file_id"] == file["file_id"] and job["progress"] == 1
    processed = client.get(f"/api/v1/files/{file['file_id']}").json()
    assert processed["status"] == "processed" and processed["detected_type"]
    notes = eventually(lambda: [n for n in client.get("/api/v1/notifications").json()["notifications"]
                                if n["kind"] == "processing_done" and n["file_id"] == file["file_id"]],
                       "a processing_done notification")
    note = notes[0]
    assert note["read"] is False and note["sequence"] > 0
    assert client.post(f"/api/v1/notifications/{note['notification_id']}/read").status_code == 204
    unread = client.get("/api/v1/notifications", params={"unread_only": "true"}).json()["notifications"]
    assert all(n["notification_id"] != note["notification_id"] for n in unread)
    assert client.get("/api/v1/notifications", params={"unread_only": "maybe"}).status_code == 400
    assert client.get(f"/api/v1/jobs/{uuid.uuid4()}").status_code == 404


def test_quota_is_507_and_the_upload_limit_is_413(start_gateway, new_client):
    gateway = start_gateway("--max-upload-bytes", "100000")
    client = new_client(on=gateway)
    set_quota(client.user_id, 50_000)
    over_quota = client.post("/api/v1/files", data=b"x" * 60_000, headers={"X-File-Name": "big.bin"})
    assert over_quota.status_code == 507 and over_quota.json()["error"]["code"] == "quota_exceeded"
    assert "quota" in over_quota.json()["error"]["message"]
    client.upload("fits.bin", b"x" * 40_000)
    assert client.get("/api/v1/users/me").json()["quota"] == {"used_bytes": 40_000, "limit_bytes": 50_000}
    streamed = client.post("/api/v1/files", data=iter([b"y" * 20_000]), headers={"X-File-Name": "streamed.bin"})
    assert streamed.status_code == 507  # size unknown up front: refused at commit
    tus = client.post("/api/v1/uploads/", headers={"Tus-Resumable": "1.0.0", "Upload-Length": "20000"})
    assert tus.status_code == 507

    roomy = new_client(on=gateway)
    too_large = roomy.post("/api/v1/files", data=b"z" * 100_001, headers={"X-File-Name": "huge.bin"})
    assert too_large.status_code == 413 and too_large.json()["error"]["code"] == "file_too_large"
    chunked = roomy.post("/api/v1/files", data=iter([b"z" * 60_000, b"z" * 60_000]), headers={"X-File-Name": "c.bin"})
    assert chunked.status_code == 413
    assert roomy.get("/api/v1/files").json()["files"] == []


def peak_rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_a_large_file_streams_through_the_gateway_with_flat_memory(gateway, new_client):
    client = new_client()
    size = 512 << 20
    digest = hashlib.sha256()

    def generated():
        rng = random.Random(5)
        sent = 0
        while sent < size:
            piece = rng.randbytes(min(1 << 20, size - sent))
            digest.update(piece)
            sent += len(piece)
            yield piece
    response = client.post("/api/v1/files", data=generated(), headers={"X-File-Name": "large.bin"}, timeout=600)
    assert response.status_code == 201, response.text
    file = response.json()
    assert file["size"] == size and file["sha256"] == digest.hexdigest()
    check = hashlib.sha256()
    received = 0
    with client.get(f"/api/v1/files/{file['file_id']}/content", stream=True, timeout=600) as download:
        for piece in download.iter_content(1 << 20):
            check.update(piece)
            received += len(piece)
    assert received == size and check.hexdigest() == digest.hexdigest()
    peak = peak_rss_mib(gateway.process.pid)
    print(f"gateway peak RSS after 512 MiB up and down: {peak:.0f} MiB")
    assert peak < 150
