"""grpcio against `fileflow serve search`, fed by real events: metadata (and deletion) commit files, shares and
trash through the outbox to Kafka; search consumes them into its index and answers queries with ACLs. Also the
index's recovery (rebuilt after loss, nothing acknowledged lost to kill -9) and hostile input."""
import hashlib
import os
import random
import shutil
import string
import subprocess
import tempfile
import time
import uuid

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from conftest import pb2
from mesh import Service, backing_environment

common = pb2("fileflow/v1/common")
meta = pb2("fileflow/v1/metadata_service")
search_pb = pb2("fileflow/v1/search_service")
dele = pb2("fileflow/v1/deletion_service")
import fileflow.v1.metadata_service_pb2_grpc as meta_grpc  # noqa: E402
import fileflow.v1.search_service_pb2_grpc as search_grpc  # noqa: E402
import fileflow.v1.deletion_service_pb2_grpc as dele_grpc  # noqa: E402

# Seconds for an event to travel outbox → Kafka → index; normally well under one. As long as the other pipeline
# tests (mesh.eventually): CI once caught the dev-broker (librdkafka's mock) leaving every partition led by one
# of its brokers unfetched for a minute, everything relayed and the other partitions consumed, which is how long
# librdkafka waits (socket.timeout.ms) before giving up on a request and reconnecting.
PIPELINE_TIMEOUT = 120
# A username search is started with as an administrator ($FILEFLOW_ADMINS), besides users flagged is_admin.
CONFIGURED_ADMIN = f"admin-{uuid.uuid4().hex[:12]}"


class Mesh:
    """metadata + deletion + search on the shared dev servers. Every start of search joins the same consumer group
    (one group prefix for this mesh), so a restarted search resumes where the previous process committed."""

    def __init__(self):
        self.data_dir = tempfile.mkdtemp(prefix="fileflow-search-")
        self.search_env = backing_environment()
        self.search_env["FILEFLOW_KAFKA_GROUP_PREFIX"] = f"test-{uuid.uuid4().hex[:12]}-"
        self.search_env["FILEFLOW_ADMINS"] = CONFIGURED_ADMIN
        self.metadata = Service("metadata", data_dir=self.data_dir)
        self.deletion = Service("deletion", data_dir=self.data_dir)
        self.search = self._new_search()
        try:
            for service in (self.metadata, self.deletion, self.search):
                service.start()
            for service in (self.metadata, self.deletion, self.search):
                service.wait_ready(timeout=120)
            self.meta = meta_grpc.MetadataServiceStub(self.metadata.channel())
            self.dele = dele_grpc.DeletionServiceStub(self.deletion.channel())
            self._connect_search()
        except BaseException:
            for service in (self.search, self.deletion, self.metadata):
                service.kill()
            raise

    def _new_search(self):
        return Service("search", env=self.search_env, data_dir=self.data_dir)

    def _connect_search(self):
        self.search_channel = self.search.channel()
        self.stub = search_grpc.SearchServiceStub(self.search_channel)

    def stop_search(self, kill=False):
        """SIGTERM (a drain that commits) or kill -9 (a crash)."""
        self.search_channel.close()
        if kill:
            self.search.kill()
        else:
            assert self.search.terminate() == 0, self.search.log()

    def start_search(self):
        """Same consumer group and data directory: what an operator's restart looks like."""
        self.search = self._new_search().start()
        self.search.wait_ready(timeout=120)
        self._connect_search()

    def restart_search(self, before_start):
        self.stop_search()
        before_start()
        self.start_search()

    def stop(self):
        self.search_channel.close()
        for service in (self.search, self.deletion, self.metadata):
            assert service.terminate() == 0, service.log()
        shutil.rmtree(self.data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def mesh():
    running = Mesh()
    yield running
    running.stop()


def word(n=10):
    """A random all-letter word: the analyzer splits letters from digits, and the shared index holds other tests'
    files, so each test searches for words nobody else has."""
    return "".join(random.choice(string.ascii_lowercase) for _ in range(n))


def who(user):
    return (("fileflow-caller-id", user.user_id),)


def psql(sql):
    subprocess.run(["psql", os.environ["FILEFLOW_POSTGRES_URL"], "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                   check=True, capture_output=True)


def new_user(mesh, admin=False):
    name = f"s-{uuid.uuid4().hex[:12]}"
    user = mesh.meta.CreateUser(meta.CreateUserRequest(username=name, password="correct horse battery"))
    if admin:
        psql(f"UPDATE users SET is_admin = true WHERE user_id = '{user.user_id}'")
    return user


def commit(mesh, user, name, content=b"content"):
    block = common.BlockRef(sha256=hashlib.sha256(content).digest(), size=len(content), offset=0)
    request = meta.CommitFileRequest(owner_id=user.user_id, name=name, content_type="text/plain", size=len(content),
                                     sha256=hashlib.sha256(content).digest(), blocks=[block])
    return mesh.meta.CommitFile(request, metadata=who(user))


def process(mesh, file_id, text, detected="text"):
    """What the processing service reports: a mesh-internal call, without caller metadata."""
    mesh.meta.UpdateFileStatus(meta.UpdateFileStatusRequest(
        file_id=file_id, status=common.FILE_STATUS_PROCESSED, detected_type=detected, extracted_text=text))


def query(mesh, user, text, **fields):
    return mesh.stub.Query(search_pb.SearchRequest(query=text, **fields), metadata=who(user))


def ids(response):
    return {hit.file.file_id for hit in response.hits}


def pipeline_state(mesh):
    """Where events stand when one is late: the outbox (unsent rows, which session leads the relay) and what
    search's consumer has taken in, for the failure message."""
    outbox = subprocess.run(
        ["psql", os.environ["FILEFLOW_POSTGRES_URL"], "-At", "-c",
         "SELECT 'unsent ' || count(*) FILTER (WHERE sent_at IS NULL) || ', newest id ' || coalesce(max(id), 0)"
         " || ', oldest unsent ' || coalesce(min(created_at) FILTER (WHERE sent_at IS NULL)::text, '-') FROM outbox;"
         "SELECT 'relay leader ' || a.application_name || ' ' || a.state || ' since ' || a.state_change FROM pg_locks l"
         " JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted"],
        capture_output=True, text=True, timeout=30)
    status, metrics = mesh.search.http("/metrics")
    consumed = [line for line in metrics.splitlines() if line.startswith("fileflow_kafka_")]
    return (f"outbox: {outbox.stdout.strip() or outbox.stderr.strip()}\n(metadata is pid {mesh.metadata.process.pid})\n"
            f"search metrics ({status}):\n"
            + "\n".join(consumed)
            + "\nsearch group offsets (broker's answer now):\n" + group_offsets(mesh.search_env["FILEFLOW_KAFKA_GROUP_PREFIX"] + "search"))


def indexed_state(mesh, user, text_word, files, other_word):
    """What the index holds for `files` when a query for `text_word` misses some: the hits for the word, and for
    another word of the same text (in the index without the word? or not at all?)."""
    wanted = sorted(f.file_id for f in files)
    word_hits = sorted(ids(query(mesh, user, text_word, limit=100)))
    other_hits = sorted(ids(query(mesh, user, other_word, limit=100)) & set(wanted))
    return f"wanted {wanted}; '{text_word}' finds {word_hits}; '{other_word}' finds {other_hits}"


def group_offsets(group):
    """Per partition of the topics search reads, the group's committed offset and the partition's end, asked of the
    broker now: behind means the consumer stopped taking events in; level means they were taken in (and indexed, or
    lost on the way). The consumer's own lag gauge cannot tell: it is updated only when it commits."""
    try:
        from confluent_kafka import Consumer, TopicPartition
    except ImportError:
        return "(confluent-kafka is not installed)"
    consumer = Consumer({"bootstrap.servers": os.environ["FILEFLOW_KAFKA_BOOTSTRAP"], "group.id": group,
                         "enable.auto.commit": False})
    try:
        topics = ["file-uploads", "file-processing", "file-deletions", "notifications"]
        metadata = consumer.list_topics(timeout=10).topics
        partitions = [TopicPartition(topic, p) for topic in topics for p in sorted(metadata[topic].partitions)]
        lines = []
        for partition in consumer.committed(partitions, timeout=10):
            _, end = consumer.get_watermark_offsets(partition, timeout=10)
            committed = partition.offset if partition.offset >= 0 else "none"
            state = "level" if partition.offset == end else "BEHIND"
            lines.append(f"{partition.topic}[{partition.partition}] committed {committed} end {end} {state}")
        return "\n".join(lines)
    except Exception as error:  # a diagnostic must not hide the failure it explains
        return f"(offsets unavailable: {error})"
    finally:
        consumer.close()


def eventually(mesh, check, what, timeout=PIPELINE_TIMEOUT, show=lambda: ""):
    """Polls `check` until it returns a truthy value; the pipeline is asynchronous. On timeout the failure says what
    `show` returns (what the index holds instead) and where the events stand."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}; {show()}\n{pipeline_state(mesh)}\n"
                        f"search log: {mesh.search.log()}\n"
                        f"metadata log: {mesh.metadata.log()}\ndeletion log: {mesh.deletion.log()}")
        time.sleep(0.2)


def code_of(call, *args, **kwargs):
    with pytest.raises(grpc.RpcError) as info:
        call(*args, **kwargs)
    return info.value.code(), info.value.details()


def test_owner_finds_by_name_and_content_others_only_when_shared(mesh):
    a, b, c = new_user(mesh), new_user(mesh), new_user(mesh)
    name_word, text_word = word(), word()
    file = commit(mesh, a, f"{name_word}-plans.txt")
    process(mesh, file.file_id, f"Minutes of the meeting. The {text_word} budget was approved after a long debate.")

    found = eventually(mesh, lambda: ids(query(mesh, a, text_word)) == {file.file_id} and query(mesh, a, text_word),
                       "the owner to find the file by its content")
    hit = found.hits[0]
    assert hit.file.name == f"{name_word}-plans.txt" and hit.file.owner_id == a.user_id
    assert hit.file.permission == common.PERMISSION_OWNER and hit.file.status == common.FILE_STATUS_PROCESSED
    assert hit.score > 0 and found.total_matches == 1
    assert text_word in hit.snippet and "budget" in hit.snippet
    assert ids(query(mesh, a, name_word)) == {file.file_id}
    assert ids(query(mesh, a, f"{name_word} {text_word}")) == {file.file_id}
    # Search as you type: the last word is a prefix.
    assert ids(query(mesh, a, text_word[:5])) == {file.file_id}
    for stranger in (b, c):
        for text in (name_word, text_word, f"{name_word}-plans.txt"):
            response = query(mesh, stranger, text)
            assert not response.hits and response.total_matches == 0, (stranger.username, text)

    mesh.meta.ShareFile(meta.ShareFileRequest(file_id=file.file_id, username=b.username,
                                              permission=common.PERMISSION_READ), metadata=who(a))
    shared = eventually(mesh, lambda: ids(query(mesh, b, text_word)) == {file.file_id} and query(mesh, b, text_word),
                        "the recipient to find the shared file")
    assert shared.hits[0].file.permission == common.PERMISSION_READ and shared.total_matches == 1
    assert not query(mesh, c, text_word).hits and not query(mesh, c, name_word).hits
    assert query(mesh, a, text_word).total_matches == 1  # the share replaced the document, no second copy

    mesh.meta.RevokeShare(meta.RevokeShareRequest(file_id=file.file_id, username=b.username), metadata=who(a))
    # Postgres is re-checked for every hit, so the revoked reader loses it at once, before the event arrives...
    assert not query(mesh, b, text_word).hits
    # ...and the index itself drops the reader once the event is consumed.
    eventually(mesh, lambda: query(mesh, b, text_word).total_matches == 0, "the revoke to reach the index")
    owner_view = query(mesh, a, text_word)
    assert ids(owner_view) == {file.file_id} and owner_view.total_matches == 1


def test_filters_ranking_and_pages(mesh):
    a = new_user(mesh)
    common_word, rare_word = word(), word()
    files = []
    for i in range(5):
        file = commit(mesh, a, f"note-{i}.txt")
        text = f"{common_word} " * (i + 1) + ("special " + rare_word if i == 3 else "plain")
        process(mesh, file.file_id, text, detected="pdf" if i % 2 else "text")
        files.append(file)
    eventually(mesh, lambda: query(mesh, a, common_word).total_matches == 5, "five processed files in the index",
               show=lambda: f"found {sorted(ids(query(mesh, a, common_word)))} of {sorted(f.file_id for f in files)}")

    pdfs = query(mesh, a, common_word, type="pdf")
    assert ids(pdfs) == {files[1].file_id, files[3].file_id}
    assert all(hit.file.detected_type == "pdf" for hit in pdfs.hits)
    assert ids(query(mesh, a, rare_word)) == {files[3].file_id}
    assert query(mesh, a, f"{common_word} {rare_word}").total_matches == 1
    assert query(mesh, a, f"{common_word} OR {rare_word}").total_matches == 5
    assert ids(query(mesh, a, f'"special {rare_word}"')) == {files[3].file_id}
    assert query(mesh, a, common_word, owner_id=a.user_id).total_matches == 5
    assert query(mesh, a, common_word, owner_id=str(uuid.uuid4())).total_matches == 0
    created = files[0].created_at.seconds
    assert query(mesh, a, common_word, created_after=Timestamp(
        seconds=created + 3600)).total_matches == 0
    assert query(mesh, a, common_word, created_before=Timestamp(
        seconds=created + 3600)).total_matches == 5

    # BM25: more occurrences rank higher (same length class, so term frequency decides here).
    ranked = query(mesh, a, common_word, limit=5)
    assert [hit.score for hit in ranked.hits] == sorted((hit.score for hit in ranked.hits), reverse=True)

    seen, token, pages = [], "", 0
    while True:
        page = query(mesh, a, common_word, limit=2, page_token=token)
        assert page.total_matches == 5 and len(page.hits) <= 2
        seen += [hit.file.file_id for hit in page.hits]
        pages += 1
        token = page.next_page_token
        if not token:
            break
    assert pages == 3 and sorted(seen) == sorted(f.file_id for f in files)
    first = query(mesh, a, common_word, limit=2)
    code, details = code_of(mesh.stub.Query, search_pb.SearchRequest(query=rare_word, page_token=first.next_page_token),
                            metadata=who(a))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "another search" in details


def test_hostile_and_unauthorised_requests(mesh):
    a = new_user(mesh)
    valid = search_pb.SearchRequest(query="anything")
    cases = [
        (valid, (), grpc.StatusCode.UNAUTHENTICATED, "required"),
        (valid, (("fileflow-caller-id", "not-a-user-id"),), grpc.StatusCode.UNAUTHENTICATED, "not a user id"),
        (valid, (("fileflow-caller-id", "' OR 1=1 --"),), grpc.StatusCode.UNAUTHENTICATED, "not a user id"),
        (search_pb.SearchRequest(query="x", page_token="garbage!!"), who(a), grpc.StatusCode.INVALID_ARGUMENT,
         "page_token"),
        (search_pb.SearchRequest(query="x", page_token="czEuOTk5OTk5LjA"), who(a), grpc.StatusCode.INVALID_ARGUMENT,
         "page_token"),
        (search_pb.SearchRequest(query="x", limit=10 ** 6), who(a), grpc.StatusCode.INVALID_ARGUMENT, "limit"),
        (search_pb.SearchRequest(query="x" * 10_000), who(a), grpc.StatusCode.INVALID_ARGUMENT, "bytes"),
        (search_pb.SearchRequest(query='"unbalanced quote'), who(a), grpc.StatusCode.INVALID_ARGUMENT, "quote"),
        (search_pb.SearchRequest(query='a "b" "c'), who(a), grpc.StatusCode.INVALID_ARGUMENT, "quote"),
        (search_pb.SearchRequest(query="   "), who(a), grpc.StatusCode.INVALID_ARGUMENT, "empty"),
        (search_pb.SearchRequest(query="((( ]]] OR"), who(a), grpc.StatusCode.INVALID_ARGUMENT, "empty"),
        (search_pb.SearchRequest(query="*"), who(a), grpc.StatusCode.INVALID_ARGUMENT, "prefix"),
        (search_pb.SearchRequest(query="bell\x07"), who(a), grpc.StatusCode.INVALID_ARGUMENT, "control"),
        (search_pb.SearchRequest(query="x", owner_id="bob"), who(a), grpc.StatusCode.INVALID_ARGUMENT, "owner_id"),
        (search_pb.SearchRequest(query="x", type="t" * 300), who(a), grpc.StatusCode.INVALID_ARGUMENT, "type"),
    ]
    for request, metadata, expected, fragment in cases:
        code, details = code_of(mesh.stub.Query, request, metadata=metadata)
        assert code == expected and fragment in details, (request.query[:40], request.page_token, code, details)
    # Odd but well-formed queries are answered (this user has no files, so nothing matches).
    odd = ["((( budget ]]] OR OR", "\U0001F600 \u222b \u202e\u05d0\u05d1", "AND NOT -x", "q" * 90 + "*",
           "c:drive type:PDF"]
    for text in odd:
        assert query(mesh, a, text).total_matches == 0, text
    # Limit 0 is "unset": the default page size.
    assert query(mesh, a, word(), limit=0).total_matches == 0
    assert code_of(mesh.stub.Rebuild, search_pb.RebuildRequest(), metadata=who(a))[0] \
        == grpc.StatusCode.PERMISSION_DENIED
    assert code_of(mesh.stub.Rebuild, search_pb.RebuildRequest())[0] == grpc.StatusCode.UNAUTHENTICATED
    # Still serving everyone.
    assert mesh.search.http("/readyz")[0] == 200
    assert query(mesh, a, word()).total_matches == 0


def test_deleted_file_leaves_search_and_restored_one_returns(mesh):
    a = new_user(mesh)
    text_word = word()
    file = commit(mesh, a, "to-be-trashed.txt")
    process(mesh, file.file_id, f"an {text_word} inventory")
    eventually(mesh, lambda: ids(query(mesh, a, text_word)) == {file.file_id}, "the file in the index")

    mesh.dele.Delete(dele.DeleteRequest(file_id=file.file_id), metadata=who(a))
    assert not query(mesh, a, text_word).hits  # re-checked against Postgres at once
    eventually(mesh, lambda: query(mesh, a, text_word).total_matches == 0, "the deletion to reach the index")

    mesh.dele.Restore(dele.RestoreRequest(file_id=file.file_id), metadata=who(a))
    restored = eventually(mesh, lambda: ids(query(mesh, a, text_word)) == {file.file_id} and query(mesh, a, text_word),
                          "the restored file back in the index")
    assert text_word in restored.hits[0].snippet


def test_admin_rebuild_reindexes_everything(mesh):
    admin, a = new_user(mesh, admin=True), new_user(mesh)
    text_word = word()
    files = [commit(mesh, a, f"rebuild-{i}.txt") for i in range(3)]
    for file in files:
        process(mesh, file.file_id, f"{text_word} number {file.file_id}")
    eventually(mesh, lambda: query(mesh, a, text_word).total_matches == 3, "three files in the index")
    response = mesh.stub.Rebuild(search_pb.RebuildRequest(), metadata=who(admin))
    assert response.documents >= 3
    assert query(mesh, a, text_word).total_matches == 3
    assert not query(mesh, admin, text_word).hits  # an administrator searches only what they may read
    named = mesh.meta.CreateUser(meta.CreateUserRequest(username=CONFIGURED_ADMIN, password="correct horse battery"))
    assert mesh.stub.Rebuild(search_pb.RebuildRequest(), metadata=who(named)).documents >= 3  # named by the operator


def test_index_rebuilt_from_postgres_after_loss(mesh):
    a = new_user(mesh)
    text_word = word()
    files = [commit(mesh, a, f"kept-{i}.txt") for i in range(3)]
    for file in files:
        process(mesh, file.file_id, f"{text_word} survives")
    eventually(mesh, lambda: query(mesh, a, text_word).total_matches == 3, "three files in the index",
               show=lambda: indexed_state(mesh, a, text_word, files, "survives"))

    index = os.path.join(mesh.data_dir, "search-index")
    mesh.restart_search(before_start=lambda: shutil.rmtree(index))
    # Ready means rebuilt: the consumer group's offsets are committed, so Kafka will not bring these back.
    response = query(mesh, a, text_word)
    assert response.total_matches == 3 and ids(response) == {f.file_id for f in files}
    assert text_word in response.hits[0].snippet
    assert "index rebuilt from Postgres" in mesh.search.log()


def test_unreadable_index_is_moved_aside_and_rebuilt(mesh):
    a = new_user(mesh)
    text_word = word()
    file = commit(mesh, a, "phoenix.txt")
    process(mesh, file.file_id, f"{text_word} rises")
    eventually(mesh, lambda: ids(query(mesh, a, text_word)) == {file.file_id}, "the file in the index")

    index = os.path.join(mesh.data_dir, "search-index")

    def corrupt():
        with open(os.path.join(index, "manifest"), "r+b") as handle:
            handle.seek(8)
            handle.write(b"\xff" * 16)

    mesh.restart_search(before_start=corrupt)
    assert ids(query(mesh, a, text_word)) == {file.file_id}
    assert "moved to" in mesh.search.log()


def test_nothing_acknowledged_is_lost_to_kill_9(mesh):
    a = new_user(mesh)
    text_word = word()
    files = []
    for i in range(40):
        file = commit(mesh, a, f"stream-{i}.txt")
        process(mesh, file.file_id, f"{text_word} item {i}")
        files.append(file.file_id)
        if i == 20:
            eventually(mesh, lambda: query(mesh, a, text_word).total_matches >= 5, "the stream to reach the index")
            mesh.stop_search(kill=True)
    # What the killed process acknowledged is in its index; the rest waits in Kafka for the same group.
    mesh.start_search()
    found = eventually(mesh, lambda: query(mesh, a, text_word, limit=100).total_matches == 40
                       and query(mesh, a, text_word, limit=100), "all 40 files after the restart")
    assert ids(found) == set(files)
