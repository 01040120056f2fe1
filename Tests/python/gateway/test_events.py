"""Live events: GET /api/v1/events relays NotificationService.Subscribe as Server-Sent Events — shares, upload
progress, processing done, deletions — with Last-Event-ID resume, heartbeats, cookie auth, and streams that end
when the gateway shuts down."""
import http.client
import json
import queue
import socket
import threading
import time

import requests

from .gwsupport import eventually


class Refused(Exception):
    """A /api/v1/events request answered with something other than a stream."""

    def __init__(self, response):
        self.status = response.status
        self.headers = response.headers
        self.body = json.loads(response.read() or b"null")
        super().__init__(f"{self.status} {self.body}")


class EventStream:
    """An open /api/v1/events response parsed on a thread into (id, event, data) tuples and comments. Plain
    http.client, so that `close` can shut the socket under a reader blocked in recv."""

    def __init__(self, client, last_event_id=None, cookie=False):
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        if cookie:
            headers["Cookie"] = f"ff_access={client.token}"
        else:
            headers["Authorization"] = f"Bearer {client.token}"
        self.connection = http.client.HTTPConnection("127.0.0.1", client.gateway.port, timeout=60)
        self.connection.request("GET", "/api/v1/events", headers=headers)
        self.response = self.connection.getresponse()
        if self.response.status != 200:
            refused = Refused(self.response)
            self.connection.close()
            raise refused
        assert self.response.getheader("Content-Type").startswith("text/event-stream")
        self.events = queue.Queue()
        self.comments = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        event = {}
        try:
            while line := self.response.readline():
                raw = line.decode().rstrip("\r\n")
                if raw == "":
                    if "data" in event:
                        self.events.put((event.get("id"), event.get("event"), json.loads(event["data"])))
                    event = {}
                elif raw.startswith(":"):
                    self.comments.put(raw)
                else:
                    field, _, value = raw.partition(": ")
                    event[field] = value
        except Exception:  # the stream ended: closed by us (http.client races with close) or by the gateway
            pass
        self.events.put(None)

    def wait_for(self, kind, file_id, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for item in self.seen:
                if item and item[1] == kind and item[2]["file_id"] == file_id:
                    return item
            try:
                self.seen.append(self.events.get(timeout=0.2))
            except queue.Empty:
                pass
        raise AssertionError(f"no {kind} event for {file_id}; saw {[(i[0], i[1]) for i in self.seen if i]}")

    def close(self):
        try:
            self.connection.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()


def test_shares_uploads_processing_and_deletions_arrive_live(new_client):
    owner, friend = new_client(), new_client()
    owner_events, friend_events = EventStream(owner), EventStream(friend, cookie=True)
    file = owner.upload("live.txt", b"live event text\n" * 100, "text/plain")
    progress = owner_events.wait_for("upload_progress", file["file_id"])
    assert progress[0] is None and progress[2]["progress"]["bytes_done"] == progress[2]["progress"]["bytes_total"]
    done = owner_events.wait_for("processing_done", file["file_id"])
    assert int(done[0]) == done[2]["sequence"] > 0 and done[2]["read"] is False
    owner.post(f"/api/v1/files/{file['file_id']}/shares", json={"username": friend.username, "permission": "read"})
    shared = friend_events.wait_for("share_received", file["file_id"])
    assert shared[0] and shared[2]["title"]
    assert owner.request("DELETE", f"/api/v1/files/{file['file_id']}").status_code == 204
    owner_events.wait_for("file_deleted", file["file_id"])
    owner_events.close()
    friend_events.close()


def test_last_event_id_resumes_with_what_was_missed(new_client):
    client = new_client()
    stream = EventStream(client)
    first = client.upload("one.txt", b"first file\n", "text/plain")
    seen = stream.wait_for("processing_done", first["file_id"])
    stream.close()
    second = client.upload("two.txt", b"second file\n", "text/plain")  # processed while nobody listens
    eventually(lambda: client.get(f"/api/v1/files/{second['file_id']}").json()["status"] == "processed",
               "the second file processed")
    resumed = EventStream(client, last_event_id=seen[0])
    missed = resumed.wait_for("processing_done", second["file_id"])
    assert int(missed[0]) > int(seen[0])
    stored = [item for item in resumed.seen if item and item[0] is not None]
    assert all(int(item[0]) > int(seen[0]) for item in stored)
    resumed.close()
    assert requests.get(client.gateway.url("/api/v1/events"), headers={
        "Authorization": f"Bearer {client.token}", "Last-Event-ID": "yesterday"}, timeout=30).status_code == 400


def test_idle_streams_get_heartbeats_and_end_when_the_gateway_stops(start_gateway, new_client):
    gateway = start_gateway("--heartbeat-seconds", "1")
    client = new_client(on=gateway)
    stream = EventStream(client)
    assert stream.comments.get(timeout=10) == ": ping"
    started = time.monotonic()
    assert gateway.terminate() == 0, gateway.log()
    assert time.monotonic() - started < 15
    while (item := stream.events.get(timeout=20)) is not None:  # queue.Empty here: the stream never ended
        assert item[1] in {"upload_progress", "processing_done"}


def admitted(client):
    """A new stream of `client`'s, or None when the gateway refuses it."""
    try:
        return EventStream(client)
    except Refused:
        return None


def assert_refused(client, limit):
    try:
        EventStream(client).close()
    except Refused as refused:
        assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1
        assert refused.body["error"]["code"] == "too_many_streams"
        assert f"at most {limit} " in refused.body["error"]["message"]
    else:
        raise AssertionError("a stream past the per-user limit was admitted")


def test_each_user_holds_at_most_the_default_number_of_streams(new_client):
    alice, bob = new_client(), new_client()
    streams = [EventStream(alice, cookie=(i % 2 == 1)) for i in range(8)]  # header or cookie, both count
    assert_refused(alice, 8)
    others = EventStream(bob)  # limits are per user
    streams.pop(0).close()
    # The slot comes back once the gateway sees the client gone; exactly one, so the next attempt is refused.
    reopened = eventually(lambda: admitted(alice), "a slot freed by closing a stream", timeout=60)
    assert_refused(alice, 8)
    # The stream that took the freed slot is a working subscription.
    file = alice.upload("slot.txt", b"slot\n", "text/plain")
    reopened.wait_for("upload_progress", file["file_id"])
    for stream in streams + [reopened, others]:
        stream.close()


def test_the_stream_limit_is_configurable_and_refusals_take_no_slot(start_gateway, new_client):
    gateway = start_gateway(env={"FILEFLOW_MAX_EVENT_STREAMS_PER_USER": "2"})
    client = new_client(on=gateway)
    streams = [EventStream(client), EventStream(client)]
    for _ in range(3):
        assert_refused(client, 2)
    streams.pop().close()
    streams.append(eventually(lambda: admitted(client), "a slot freed by closing a stream", timeout=60))
    assert_refused(client, 2)
    for stream in streams:
        stream.close()


def test_a_stream_whose_subscription_fails_gives_its_slot_back(start_gateway, new_client):
    with socket.socket() as probe:  # a port nothing listens on: every subscription fails at once
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    gateway = start_gateway("--notification", f"127.0.0.1:{dead}", "--max-event-streams-per-user", "1")
    client = new_client(on=gateway)
    for _ in range(3):  # the slot is back before the client sees the stream end, so each attempt is admitted
        stream = EventStream(client)
        assert stream.events.get(timeout=30) is None
        stream.close()
