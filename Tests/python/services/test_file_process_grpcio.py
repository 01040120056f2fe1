"""grpcio against `fileflow serve file-process` (with metadata and deletion beside it, sharing one block
directory): streamed uploads into content-addressed blocks, ranged downloads, the processing pipeline fed by
Kafka, trash/restore/purge with block garbage collection, and hostile or unauthorised calls."""
import hashlib
import os
import pathlib
import shutil
import subprocess
import tempfile
import time
import uuid

import grpc
import pytest

from conftest import pb2
from mesh import Service

common = pb2("fileflow/v1/common")
meta = pb2("fileflow/v1/metadata_service")
fp = pb2("fileflow/v1/file_process_service")
dele = pb2("fileflow/v1/deletion_service")
import fileflow.v1.metadata_service_pb2_grpc as meta_grpc  # noqa: E402
import fileflow.v1.file_process_service_pb2_grpc as fp_grpc  # noqa: E402
import fileflow.v1.deletion_service_pb2_grpc as dele_grpc  # noqa: E402

BLOCK = 4 << 20
# A minimal PDF whose page says "Quarterly zebra report"; pdftotext rebuilds the missing xref table.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 100]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>"
       b"endobj\n4 0 obj<</Length 52>>stream\nBT /F1 12 Tf 10 50 Td (Quarterly zebra report) Tj ET\nendstream\n"
       b"endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture(scope="module")
def mesh():
    data_dir = tempfile.mkdtemp(prefix="fileflow-fp-")
    metadata = Service("metadata", data_dir=data_dir).start()
    metadata.wait_ready()
    file_process = Service("file-process", ["--metadata-target", metadata.target], data_dir=data_dir).start()
    deletion = Service("deletion", ["--collection-grace-seconds", "0", "--purge-interval-seconds", "3600",
                                    "--admins", CONFIGURED_ADMIN], data_dir=data_dir).start()
    for service in (file_process, deletion):
        service.wait_ready()
    channels = [s.channel() for s in (metadata, file_process, deletion)]
    yield {"meta": meta_grpc.MetadataServiceStub(channels[0]), "fp": fp_grpc.FileProcessServiceStub(channels[1]),
           "del": dele_grpc.DeletionServiceStub(channels[2]), "services": (metadata, file_process, deletion),
           "data_dir": pathlib.Path(data_dir)}
    for channel in channels:
        channel.close()
    for service in (file_process, deletion, metadata):
        assert service.terminate() == 0, service.log()
    shutil.rmtree(data_dir)


# A username deletion is started with as an administrator (`--admins`), besides users flagged is_admin.
CONFIGURED_ADMIN = f"admin-{uuid.uuid4().hex[:12]}"


def new_user(mesh, name=None):
    name = name or f"fp-{uuid.uuid4().hex[:12]}"
    return mesh["meta"].CreateUser(meta.CreateUserRequest(username=name, password="correct horse battery"))


def psql(sql):
    subprocess.run(["psql", os.environ["FILEFLOW_POSTGRES_URL"], "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                   check=True, capture_output=True)


def who(user):
    return (("fileflow-caller-id", user.user_id),)


def requests(name, chunks, size=None, expected=b"", upload_id="", labels=None):
    header = fp.UploadHeader(name=name, content_type="application/octet-stream", upload_id=upload_id,
                             expected_sha256=expected, labels=labels or {})
    if size is not None:
        header.size = size
    yield fp.UploadRequest(header=header)
    for chunk in chunks:
        yield fp.UploadRequest(chunk=chunk)


def pieces(data: bytes, step=65536):
    for offset in range(0, len(data), step):
        yield data[offset:offset + step]


def upload(mesh, user, name, data: bytes, **kwargs):
    return mesh["fp"].Upload(requests(name, pieces(data), size=len(data), **kwargs), metadata=who(user))


def download(mesh, user, file_id, offset=0, length=0, version=0):
    chunks = list(mesh["fp"].Download(fp.DownloadRequest(file_id=file_id, offset=offset, length=length,
                                                         version=version), metadata=who(user)))
    return chunks[0].file, b"".join(c.data for c in chunks), chunks


def code_of(call, *args, **kwargs):
    with pytest.raises(grpc.RpcError) as info:
        result = call(*args, **kwargs)
        if hasattr(result, "__iter__") and not isinstance(result, (bytes, str)):
            list(result)
    return info.value.code()


def wait_status(mesh, user, file_id, wanted, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        file = mesh["meta"].GetFile(meta.GetFileRequest(file_id=file_id), metadata=who(user))
        if file.status == wanted:
            return file
        time.sleep(0.1)
    pytest.fail(f"file {file_id} stayed {common.FileStatus.Name(file.status)}, wanted {common.FileStatus.Name(wanted)}")


def test_small_text_file_round_trips_and_is_processed(mesh):
    user = new_user(mesh)
    text = "hello FileFlow — naïve café notes\n" * 30
    result = upload(mesh, user, "notes.md", text.encode())
    assert result.file.size == len(text.encode()) and result.job_id
    assert result.file.sha256 == hashlib.sha256(text.encode()).digest()
    file, data, _ = download(mesh, user, result.file.file_id)
    assert data == text.encode() and file.file_id == result.file.file_id
    processed = wait_status(mesh, user, result.file.file_id, common.FILE_STATUS_PROCESSED)
    assert processed.detected_type == "markdown"
    job = mesh["meta"].GetJob(meta.GetJobRequest(job_id=result.job_id), metadata=who(user))
    assert job.state == common.JOB_STATE_SUCCEEDED and job.progress == 1.0


def test_ten_megabytes_in_blocks_with_ranges(mesh):
    user = new_user(mesh)
    data = os.urandom(10 * 1024 * 1024 + 12345)
    result = upload(mesh, user, "random.bin", data)
    blocks = result.file.current_version.blocks
    assert [b.size for b in blocks] == [BLOCK, BLOCK, len(data) - 2 * BLOCK]
    assert [b.offset for b in blocks] == [0, BLOCK, 2 * BLOCK]
    assert all(b.sha256 == hashlib.sha256(data[b.offset:b.offset + b.size]).digest() for b in blocks)
    _, whole, chunks = download(mesh, user, result.file.file_id)
    assert whole == data and max(len(c.data) for c in chunks) <= 256 * 1024
    # A range across a block boundary, one at the very end, and an empty one at the end.
    for offset, length in [(BLOCK - 10, 20), (len(data) - 5, 0), (123, 1), (len(data), 0)]:
        _, part, _ = download(mesh, user, result.file.file_id, offset, length)
        assert part == data[offset:offset + length if length else len(data)]
    assert code_of(download, mesh, user, result.file.file_id, len(data) + 1) == grpc.StatusCode.OUT_OF_RANGE
    assert wait_status(mesh, user, result.file.file_id, common.FILE_STATUS_PROCESSED).detected_type == "binary"


def test_same_content_is_stored_once(mesh):
    user, other = new_user(mesh), new_user(mesh)
    data = os.urandom(BLOCK + 1000)
    first = upload(mesh, user, "a.bin", data)
    second = upload(mesh, other, "b.bin", data)
    assert first.deduplicated_blocks == 0 or first.deduplicated_blocks <= 2
    assert second.deduplicated_blocks == 2
    assert [b.sha256 for b in first.file.current_version.blocks] == [b.sha256 for b in second.file.current_version.blocks]
    stored = [p for p in (mesh["data_dir"] / "blocks").rglob("*") if p.is_file()
              and p.name == first.file.current_version.blocks[0].sha256.hex()]
    assert len(stored) == 1


def test_pdf_text_is_extracted(mesh):
    user = new_user(mesh)
    result = upload(mesh, user, "report.pdf", PDF)
    wait_status(mesh, user, result.file.file_id, common.FILE_STATUS_PROCESSED)
    text = subprocess.run(["psql", os.environ["FILEFLOW_POSTGRES_URL"], "-At", "-c",
                           f"SELECT detected_type || '|' || extracted_text FROM files "
                           f"WHERE file_id = '{result.file.file_id}'"], capture_output=True, text=True, check=True)
    assert text.stdout.startswith("pdf|") and "Quarterly zebra report" in text.stdout


def test_upload_idempotent_on_upload_id_and_versions(mesh):
    user = new_user(mesh)
    key = uuid.uuid4().hex
    first = upload(mesh, user, "same.txt", b"version one", upload_id=key)
    again = upload(mesh, user, "same.txt", b"version one", upload_id=key)
    assert again.file.file_id == first.file.file_id and again.file.current_version.version == 1
    second = upload(mesh, user, "same.txt", b"version two!")
    assert second.file.file_id == first.file.file_id and second.file.current_version.version == 2
    assert download(mesh, user, first.file.file_id)[1] == b"version two!"
    assert download(mesh, user, first.file.file_id, version=1)[1] == b"version one"
    assert code_of(download, mesh, user, first.file.file_id, version=9) == grpc.StatusCode.NOT_FOUND


def test_bad_uploads_get_clear_codes_and_store_nothing(mesh):
    user = new_user(mesh)
    stub = mesh["fp"]
    data = b"x" * 1000
    cases = {
        "no header": ([fp.UploadRequest(chunk=b"abc")], grpc.StatusCode.INVALID_ARGUMENT),
        "two headers": (list(requests("a", [])) + [fp.UploadRequest(header=fp.UploadHeader(name="b"))],
                        grpc.StatusCode.INVALID_ARGUMENT),
        "empty name": (list(requests("", [data])), grpc.StatusCode.INVALID_ARGUMENT),
        "control char": (list(requests("a\x07b", [data])), grpc.StatusCode.INVALID_ARGUMENT),
        "10 KB name": (list(requests("n" * 10240, [data])), grpc.StatusCode.INVALID_ARGUMENT),
        "more than declared": (list(requests("a", [data], size=10)), grpc.StatusCode.OUT_OF_RANGE),
        "less than declared": (list(requests("a", [data], size=5000)), grpc.StatusCode.DATA_LOSS),
        "wrong digest": (list(requests("a", [data], expected=hashlib.sha256(b"other").digest())),
                         grpc.StatusCode.DATA_LOSS),
        "short digest": (list(requests("a", [data], expected=b"123")), grpc.StatusCode.INVALID_ARGUMENT),
        "bad label key": (list(requests("a", [data], labels={"no spaces": "v"})), grpc.StatusCode.INVALID_ARGUMENT),
        "33 labels": (list(requests("a", [data], labels={f"k{i}": "v" for i in range(33)})),
                      grpc.StatusCode.INVALID_ARGUMENT),
    }
    for name, (messages, code) in cases.items():
        assert code_of(stub.Upload, iter(messages), metadata=who(user)) == code, name
    assert code_of(stub.Upload, requests("a", [data])) == grpc.StatusCode.UNAUTHENTICATED
    assert code_of(stub.Upload, requests("a", [data]), metadata=(("fileflow-caller-id", "nobody"),)) \
        == grpc.StatusCode.UNAUTHENTICATED
    listed = mesh["meta"].ListFiles(meta.ListFilesRequest(), metadata=who(user))
    assert len(listed.files) == 0
    # The service still serves after all of that, and keeps a good upload's labels.
    assert upload(mesh, user, "fine.txt", data).file.size == len(data)
    assert dict(upload(mesh, user, "tagged.txt", data, labels={"team/a": "x"}).file.labels) == {"team/a": "x"}


def test_quota_refuses_before_storing(mesh):
    user = new_user(mesh)
    psql(f"INSERT INTO quotas (user_id, used_bytes, limit_bytes) VALUES ('{user.user_id}', 0, 1000)")
    assert code_of(upload, mesh, user, "big.bin", os.urandom(5000)) == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert upload(mesh, user, "small.bin", os.urandom(500)).file.size == 500


def test_other_users_cannot_touch_a_file(mesh):
    owner, stranger = new_user(mesh), new_user(mesh)
    result = upload(mesh, owner, "private.txt", b"secret plans")
    file_id = result.file.file_id
    assert code_of(download, mesh, stranger, file_id) == grpc.StatusCode.NOT_FOUND
    assert code_of(mesh["fp"].Reprocess, fp.ReprocessRequest(file_id=file_id), metadata=who(stranger)) \
        == grpc.StatusCode.NOT_FOUND
    assert code_of(mesh["del"].Delete, dele.DeleteRequest(file_id=file_id), metadata=who(stranger)) \
        == grpc.StatusCode.NOT_FOUND
    assert code_of(mesh["del"].Restore, dele.RestoreRequest(file_id=file_id), metadata=who(stranger)) \
        == grpc.StatusCode.NOT_FOUND
    assert code_of(download, mesh, stranger, "not-a-uuid") == grpc.StatusCode.INVALID_ARGUMENT
    # A reader may download but not delete.
    mesh["meta"].ShareFile(meta.ShareFileRequest(file_id=file_id, username=stranger.username,
                                                 permission=common.PERMISSION_READ), metadata=who(owner))
    assert download(mesh, stranger, file_id)[1] == b"secret plans"
    assert code_of(mesh["del"].Delete, dele.DeleteRequest(file_id=file_id), metadata=who(stranger)) \
        == grpc.StatusCode.PERMISSION_DENIED
    assert code_of(mesh["fp"].Reprocess, fp.ReprocessRequest(file_id=file_id), metadata=who(stranger)) \
        == grpc.StatusCode.PERMISSION_DENIED
    job = mesh["fp"].Reprocess(fp.ReprocessRequest(file_id=file_id), metadata=who(owner))
    assert job.file_id == file_id


def test_delete_restore_purge_and_collect(mesh):
    user = new_user(mesh)
    admin = new_user(mesh, CONFIGURED_ADMIN)
    data = os.urandom(BLOCK + 77)
    result = upload(mesh, user, "doomed.bin", data)
    file_id = result.file.file_id
    gone = mesh["del"].Delete(dele.DeleteRequest(file_id=file_id), metadata=who(user))
    assert gone.file_id == file_id and gone.purge_after.seconds > time.time()
    again = mesh["del"].Delete(dele.DeleteRequest(file_id=file_id), metadata=who(user))
    assert again.purge_after == gone.purge_after  # idempotent
    assert code_of(download, mesh, user, file_id) == grpc.StatusCode.NOT_FOUND
    restored = mesh["del"].Restore(dele.RestoreRequest(file_id=file_id), metadata=who(user))
    assert restored.file_id == file_id and not restored.HasField("deleted_at")
    assert mesh["del"].Restore(dele.RestoreRequest(file_id=file_id), metadata=who(user)).file_id == file_id
    assert download(mesh, user, file_id)[1] == data
    mesh["del"].Delete(dele.DeleteRequest(file_id=file_id), metadata=who(user))
    assert code_of(mesh["del"].Purge, dele.PurgeRequest(), metadata=who(user)) == grpc.StatusCode.PERMISSION_DENIED
    purged = mesh["del"].Purge(dele.PurgeRequest(trashed_before={"seconds": int(time.time()) + 5}),
                               metadata=who(admin))
    assert purged.files_purged >= 1 and purged.blocks_released >= 2 and purged.bytes_released >= len(data)
    paths = [p for p in (mesh["data_dir"] / "blocks").rglob("*")
             if p.name in {b.sha256.hex() for b in result.file.current_version.blocks}]
    assert paths == []
    assert code_of(mesh["del"].Restore, dele.RestoreRequest(file_id=file_id), metadata=who(user)) \
        == grpc.StatusCode.NOT_FOUND


def test_broken_off_upload_commits_nothing_and_retry_succeeds(mesh):
    user = new_user(mesh)
    data = os.urandom(3 * BLOCK)

    def broken():
        yield from requests("interrupted.bin", [], size=len(data))
        for piece in pieces(data[:BLOCK + 5], 1 << 20):
            yield fp.UploadRequest(chunk=piece)
        raise RuntimeError("the client goes away")

    assert code_of(mesh["fp"].Upload, broken(), metadata=who(user)) in (grpc.StatusCode.UNKNOWN,
                                                                         grpc.StatusCode.CANCELLED)
    assert mesh["meta"].ListFiles(meta.ListFilesRequest(), metadata=who(user)).files == []
    assert upload(mesh, user, "interrupted.bin", data).file.size == len(data)


def test_kill_during_upload_then_retry(mesh):
    user = new_user(mesh)
    file_process = mesh["services"][1]
    data = os.urandom(2 * BLOCK)

    def slow():
        yield from requests("crash.bin", [], size=len(data))
        for piece in pieces(data[:BLOCK], 1 << 20):
            yield fp.UploadRequest(chunk=piece)
        file_process.kill()
        time.sleep(0.2)
        for piece in pieces(data[BLOCK:], 1 << 20):
            yield fp.UploadRequest(chunk=piece)

    assert code_of(mesh["fp"].Upload, slow(), metadata=who(user)) == grpc.StatusCode.UNAVAILABLE
    file_process.start(rpc_port=file_process.rpc_port, ops_port=file_process.ops_port)
    file_process.wait_ready()
    deadline = time.monotonic() + 20
    while True:
        try:
            result = upload(mesh, user, "crash.bin", data)
            break
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert download(mesh, user, result.file.file_id)[1] == data
    assert wait_status(mesh, user, result.file.file_id, common.FILE_STATUS_PROCESSED)


def test_infected_upload_is_quarantined_and_refused(mesh):
    """clamd (started by Tools/test with the EICAR test signature) finds the test virus: the file is quarantined,
    its download refused; a clean file beside it is processed."""
    if not os.environ.get("FILEFLOW_CLAMD_ADDRESS"):
        pytest.fail("FILEFLOW_CLAMD_ADDRESS is not set: run through Tools/test (it starts clamd)")
    user = new_user(mesh)
    eicar = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    infected = upload(mesh, user, "invoice.txt", b"see attached\n" + eicar + b"\n")
    clean = upload(mesh, user, "clean.txt", b"nothing to see here\n")
    file = wait_status(mesh, user, infected.file.file_id, common.FILE_STATUS_QUARANTINED)
    assert file.file_id == infected.file.file_id
    assert code_of(download, mesh, user, infected.file.file_id) == grpc.StatusCode.FAILED_PRECONDITION
    job = mesh["meta"].GetJob(meta.GetJobRequest(job_id=infected.job_id), metadata=who(user))
    assert job.state == common.JOB_STATE_SUCCEEDED
    reason = subprocess.run(["psql", os.environ["FILEFLOW_POSTGRES_URL"], "-At", "-c",
                             f"SELECT status_reason FROM files WHERE file_id = '{infected.file.file_id}'"],
                            capture_output=True, text=True, check=True).stdout
    assert "Eicar-Test-Signature" in reason
    assert wait_status(mesh, user, clean.file.file_id, common.FILE_STATUS_PROCESSED)


def test_compressible_content_is_stored_compressed_and_reads_back(mesh):
    user = new_user(mesh)
    text = ("".join(f"line {i}: the quick brown fox jumps over the lazy dog\n" for i in range(200_000))).encode()
    result = upload(mesh, user, "log.txt", text)
    wait_status(mesh, user, result.file.file_id, common.FILE_STATUS_PROCESSED)
    file = mesh["meta"].GetFile(meta.GetFileRequest(file_id=result.file.file_id), metadata=who(user))
    blocks = file.current_version.blocks
    assert blocks and all(b.compression == common.COMPRESSION_ZLIB and 0 < b.stored_size <= b.size * 0.9 for b in blocks)
    assert download(mesh, user, result.file.file_id)[1] == text
    offset = len(text) - 100_000
    assert download(mesh, user, result.file.file_id, offset, 5000)[1] == text[offset:offset + 5000]
    # A block within one file-system block (4 KiB) would take that block anyway: left as it is.
    small = upload(mesh, user, "note.txt", text[:4096])
    wait_status(mesh, user, small.file.file_id, common.FILE_STATUS_PROCESSED)
    file = mesh["meta"].GetFile(meta.GetFileRequest(file_id=small.file.file_id), metadata=who(user))
    assert [b.compression for b in file.current_version.blocks] == [common.COMPRESSION_NONE]
    assert download(mesh, user, small.file.file_id)[1] == text[:4096]
