"""The whole mesh as separate processes, driven by grpcio the way the gateway drives it: files of 1 KB, 10 MB and
1.1 GB (generated and streamed, never held in memory) are uploaded, processed, found by name and by content,
announced to their recipients, deleted, dropped from search and purged; every service's peak RSS stays under
150 MiB through the 1.1 GB upload."""
import hashlib
import os
import queue
import random
import shutil
import subprocess
import tempfile
import time
import uuid

import grpc
import pytest

from conftest import pb2
from mesh import Service, Stream, eventually

common = pb2("fileflow/v1/common")
events = pb2("fileflow/v1/events")
meta = pb2("fileflow/v1/metadata_service")
fp = pb2("fileflow/v1/file_process_service")
search = pb2("fileflow/v1/search_service")
dele = pb2("fileflow/v1/deletion_service")
notif = pb2("fileflow/v1/notification_service")
import fileflow.v1.metadata_service_pb2_grpc as meta_grpc  # noqa: E402
import fileflow.v1.file_process_service_pb2_grpc as fp_grpc  # noqa: E402
import fileflow.v1.search_service_pb2_grpc as search_grpc  # noqa: E402
import fileflow.v1.deletion_service_pb2_grpc as dele_grpc  # noqa: E402
import fileflow.v1.notification_service_pb2_grpc as notif_grpc  # noqa: E402

NAMES = ["metadata", "file-process", "search", "deletion", "notification"]
BIG = int(1.1 * 1024 ** 3)


@pytest.fixture(scope="module")
def mesh():
    data_dir = tempfile.mkdtemp(prefix="fileflow-mesh-")
    services = {}
    services["metadata"] = Service("metadata", data_dir=data_dir).start()
    services["metadata"].wait_ready()
    target = ["--metadata-target", services["metadata"].target]
    services["file-process"] = Service("file-process", target, data_dir=data_dir).start()
    services["search"] = Service("search", target, data_dir=data_dir).start()
    services["deletion"] = Service("deletion", ["--collection-grace-seconds", "0"], data_dir=data_dir).start()
    services["notification"] = Service("notification", target, data_dir=data_dir).start()
    for service in services.values():
        service.wait_ready()
    channels = {name: service.channel() for name, service in services.items()}
    yield {
        "services": services,
        "meta": meta_grpc.MetadataServiceStub(channels["metadata"]),
        "fp": fp_grpc.FileProcessServiceStub(channels["file-process"]),
        "search": search_grpc.SearchServiceStub(channels["search"]),
        "del": dele_grpc.DeletionServiceStub(channels["deletion"]),
        "notif": notif_grpc.NotificationServiceStub(channels["notification"]),
    }
    for channel in channels.values():
        channel.close()
    for name in reversed(NAMES):
        assert services[name].terminate() == 0, services[name].log()
    shutil.rmtree(data_dir)  # the 1.1 GB upload's blocks


def who(user):
    return (("fileflow-caller-id", user.user_id),)


def new_user(mesh, admin=False):
    name = f"e2e-{uuid.uuid4().hex[:12]}"
    user = mesh["meta"].CreateUser(meta.CreateUserRequest(username=name, password="correct horse battery"))
    if admin:
        subprocess.run(["psql", os.environ["FILEFLOW_POSTGRES_URL"], "-qc",
                        f"UPDATE users SET is_admin = true WHERE user_id = '{user.user_id}'"], check=True)
    return user


def generated(size, seed, digest, piece=1 << 20):
    """`size` pseudo-random bytes in pieces, hashed on the way; never all in memory."""
    rng = random.Random(seed)
    sent = 0
    while sent < size:
        chunk = rng.randbytes(min(piece, size - sent))
        digest.update(chunk)
        sent += len(chunk)
        yield chunk


def upload(mesh, user, name, chunks, size):
    def requests():
        yield fp.UploadRequest(header=fp.UploadHeader(name=name, content_type="application/octet-stream", size=size))
        for chunk in chunks:
            yield fp.UploadRequest(chunk=chunk)
    return mesh["fp"].Upload(requests(), metadata=who(user), timeout=600)


def hits(mesh, user, query):
    response = mesh["search"].Query(search.SearchRequest(query=query, limit=50), metadata=who(user))
    return {hit.file.file_id for hit in response.hits}


class Feed(Stream):
    """A live NotificationService.Subscribe stream, remembered as it arrives."""

    def __init__(self, mesh, user):
        super().__init__(mesh["notif"].Subscribe(notif.SubscribeRequest(user_id=user.user_id), metadata=who(user)))
        self.seen = []

    def wait_for(self, kind, file_id, timeout=120):
        """The first notification of `kind` for `file_id`, whenever it arrived (others stay for later calls)."""
        deadline = time.monotonic() + timeout
        while True:
            while True:
                try:
                    self.seen.append(self.messages.get_nowait())
                except queue.Empty:
                    break
            for item in self.seen:
                if item is not None and item.kind == kind and item.file_id == file_id:
                    return item
            if time.monotonic() > deadline:
                pytest.fail(f"no {events.NotificationKind.Name(kind)} for {file_id}")
            time.sleep(0.05)

    def close(self):
        self.cancel()


def test_a_file_travels_the_whole_mesh(mesh):
    owner, friend, stranger = new_user(mesh), new_user(mesh), new_user(mesh)
    owner_feed, friend_feed = Feed(mesh, owner), Feed(mesh, friend)
    word = "zq" + uuid.uuid4().hex[:10]
    text = f"Minutes of the {word} meeting: budgets, timelines and coffee.\n".encode() * 16  # about 1 KB
    small = mesh["fp"].Upload(iter([fp.UploadRequest(header=fp.UploadHeader(name=f"minutes-{word}.txt")),
                                    fp.UploadRequest(chunk=text)]), metadata=who(owner))
    digest = hashlib.sha256()
    medium = upload(mesh, owner, f"archive-{word}.bin", generated(10 << 20, 7, digest), 10 << 20)
    assert medium.file.sha256 == digest.digest()

    owner_feed.wait_for(events.NOTIFICATION_KIND_PROCESSING_DONE, small.file.file_id)
    owner_feed.wait_for(events.NOTIFICATION_KIND_PROCESSING_DONE, medium.file.file_id)
    eventually(lambda: small.file.file_id in hits(mesh, owner, word), "search by content")
    eventually(lambda: {small.file.file_id, medium.file.file_id} <= hits(mesh, owner, f"{word}*"), "search by name")
    assert hits(mesh, friend, word) == set() and hits(mesh, stranger, word) == set()

    mesh["meta"].ShareFile(meta.ShareFileRequest(file_id=small.file.file_id, username=friend.username,
                                                 permission=common.PERMISSION_READ), metadata=who(owner))
    friend_feed.wait_for(events.NOTIFICATION_KIND_SHARE_RECEIVED, small.file.file_id)
    eventually(lambda: small.file.file_id in hits(mesh, friend, word), "search after sharing")
    assert hits(mesh, stranger, word) == set()

    # The same content again is stored once.
    again = mesh["fp"].Upload(iter([fp.UploadRequest(header=fp.UploadHeader(name="copy.txt")),
                                    fp.UploadRequest(chunk=text)]), metadata=who(stranger))
    assert again.deduplicated_blocks == 1

    mesh["del"].Delete(dele.DeleteRequest(file_id=small.file.file_id), metadata=who(owner))
    owner_feed.wait_for(events.NOTIFICATION_KIND_FILE_DELETED, small.file.file_id)
    eventually(lambda: small.file.file_id not in hits(mesh, owner, word) | hits(mesh, friend, word),
               "the deleted file leaving search")
    admin = new_user(mesh, admin=True)
    purged = mesh["del"].Purge(dele.PurgeRequest(trashed_before={"seconds": int(time.time()) + 5}),
                               metadata=who(admin))
    assert purged.files_purged >= 1
    with pytest.raises(grpc.RpcError) as info:
        mesh["meta"].GetFile(meta.GetFileRequest(file_id=small.file.file_id, include_trashed=True),
                             metadata=who(owner))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    owner_feed.close()
    friend_feed.close()


def peak_rss_mib(service):
    for line in open(f"/proc/{service.process.pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_a_1_1_gb_file_streams_through_with_flat_memory(mesh):
    owner = new_user(mesh)
    digest = hashlib.sha256()
    result = upload(mesh, owner, "big.bin", generated(BIG, 11, digest), BIG)
    assert result.file.size == BIG and result.file.sha256 == digest.digest()
    assert len(result.file.current_version.blocks) == (BIG + (4 << 20) - 1) // (4 << 20)
    check = hashlib.sha256()
    received = 0
    for chunk in mesh["fp"].Download(fp.DownloadRequest(file_id=result.file.file_id), metadata=who(owner),
                                     timeout=600):
        check.update(chunk.data)
        received += len(chunk.data)
    assert received == BIG and check.digest() == digest.digest()
    eventually(lambda: mesh["meta"].GetFile(meta.GetFileRequest(file_id=result.file.file_id),
                                            metadata=who(owner)).status == common.FILE_STATUS_PROCESSED,
               "the big file processed", timeout=300)
    peaks = {name: peak_rss_mib(service) for name, service in mesh["services"].items()}
    assert all(peak < 150 for peak in peaks.values()), peaks


def restart(service):
    service.kill()
    service.start(rpc_port=service.rpc_port, ops_port=service.ops_port)
    service.wait_ready()


def retrying(call, timeout=30):
    """Calls until the mesh answers anything but UNAVAILABLE (a restarted peer takes a moment to be dialled)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_metadata_dies_mid_upload_the_upload_fails_clearly_and_a_retry_succeeds(mesh):
    owner = new_user(mesh)
    metadata = mesh["services"]["metadata"]
    data = os.urandom(6 << 20)

    def chunks():
        yield data[:3 << 20]
        metadata.kill()  # the commit at the end of the stream has nobody to talk to
        yield data[3 << 20:]

    with pytest.raises(grpc.RpcError) as info:
        upload(mesh, owner, "during-outage.bin", chunks(), len(data))
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    metadata.start(rpc_port=metadata.rpc_port, ops_port=metadata.ops_port)
    metadata.wait_ready()
    pieces = [data[i:i + (1 << 20)] for i in range(0, len(data), 1 << 20)]
    result = retrying(lambda: upload(mesh, owner, "during-outage.bin", iter(pieces), len(data)))
    assert result.file.size == len(data) and result.file.current_version.version == 1


def test_processing_survives_kill_9_of_file_process(mesh):
    owner = new_user(mesh)
    uploaded = [mesh["fp"].Upload(iter([fp.UploadRequest(header=fp.UploadHeader(name=f"batch-{i}.txt")),
                                        fp.UploadRequest(chunk=f"file number {i}\n".encode() * 50)]),
                                  metadata=who(owner)).file.file_id for i in range(20)]
    restart(mesh["services"]["file-process"])  # uncommitted events are redelivered to the new process
    for file_id in uploaded:
        eventually(lambda: retrying(lambda: mesh["meta"].GetFile(meta.GetFileRequest(file_id=file_id),
                                                                 metadata=who(owner))).status
                   == common.FILE_STATUS_PROCESSED, f"{file_id} processed after the restart")


def test_notifications_once_each_across_kill_9_during_fan_out(mesh):
    owner = new_user(mesh)
    friends = [new_user(mesh) for _ in range(5)]
    file = mesh["fp"].Upload(iter([fp.UploadRequest(header=fp.UploadHeader(name="fan-out.txt")),
                                   fp.UploadRequest(chunk=b"shared with many\n")]), metadata=who(owner)).file
    for i, friend in enumerate(friends):
        mesh["meta"].ShareFile(meta.ShareFileRequest(file_id=file.file_id, username=friend.username,
                                                     permission=common.PERMISSION_READ), metadata=who(owner))
        if i == 2:
            restart(mesh["services"]["notification"])
    for friend in friends:
        def received():
            listed = retrying(lambda: mesh["notif"].List(notif.ListNotificationsRequest(user_id=friend.user_id),
                                                         metadata=who(friend)))
            return [n for n in listed.notifications if n.kind == events.NOTIFICATION_KIND_SHARE_RECEIVED]
        shares = eventually(received, f"the share notification of {friend.username}")
        time.sleep(0.5)  # give a duplicate the chance to show up
        assert len(received()) == 1 and shares[0].file_id == file.file_id
