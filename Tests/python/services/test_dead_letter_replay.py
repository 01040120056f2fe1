"""`fileflow replay-dead-letters` against the Kafka-protocol broker Tools/test starts: what a consumer parked in
`<topic>.dlq` goes back to its topic (kcat reads it there), failure headers dropped and the rest kept; a second
run sends nothing twice; a dry run lists without producing; bad arguments are refused clearly."""
import os
import subprocess
import tempfile
import uuid

from conftest import bin_path
from mesh import backing_environment

BOOTSTRAP_ENV = "FILEFLOW_KAFKA_BOOTSTRAP"


def kcat_produce(topic, key, value: bytes, headers=()):
    handle, path = tempfile.mkstemp(prefix="ff-dlq-")
    os.write(handle, value)
    os.close(handle)
    try:
        command = ["kcat", "-P", "-b", os.environ[BOOTSTRAP_ENV], "-t", topic, "-k", key]
        for name, header_value in headers:
            command += ["-H", f"{name}={header_value}"]
        subprocess.run(command + [path], check=True, timeout=30)
    finally:
        os.unlink(path)


def kcat_read(topic):
    """Every record of `topic` as (key, value, headers text) in bytes, reading until the end."""
    out = subprocess.run(["kcat", "-C", "-b", os.environ[BOOTSTRAP_ENV], "-t", topic, "-o", "beginning", "-e", "-q",
                          "-f", "%k\t%s\t%h\n"], capture_output=True, timeout=60, check=True).stdout
    return [tuple(line.split(b"\t")) for line in out.split(b"\n") if line]


def replay(*args, prefix):
    env = backing_environment()
    env["FILEFLOW_KAFKA_GROUP_PREFIX"] = prefix
    return subprocess.run([str(bin_path() / "fileflow"), "replay-dead-letters", *args], capture_output=True,
                          text=True, timeout=120, env=env)


def test_dead_letters_go_back_once_with_their_headers_and_a_dry_run_touches_nothing():
    topic = f"replay-{uuid.uuid4().hex[:12]}"
    prefix = f"test-{uuid.uuid4().hex[:12]}-"
    letters = [("file-1", b"first event", [("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1"),
                                           ("x-fileflow-error", "boom: database down"),
                                           ("x-fileflow-attempts", "5"), ("x-fileflow-origin", f"{topic}/0@41")]),
               ("file-2", b"second \xff binary", [("x-fileflow-error", "timeout")]),  # no origin: the name says
               ("file-1", b"third event", [("x-fileflow-origin", f"{topic}/0@43")])]
    for key, value, headers in letters:
        kcat_produce(topic + ".dlq", key, value, headers)

    listed = replay("--topic", topic, "--dry-run", prefix=prefix)
    assert listed.returncode == 0, listed.stderr
    assert "would replay 3 dead letters" in listed.stdout and "boom: database down" in listed.stdout
    assert f"to {topic}:" in listed.stdout

    done = replay("--topic", topic, prefix=prefix)
    assert done.returncode == 0, done.stderr
    assert f"replayed 3 dead letters from {topic}.dlq" in done.stdout
    records = kcat_read(topic)
    by_key = {}
    for key, value, headers in records:  # partitions come back in any order; each key's order is kept
        by_key.setdefault(key, []).append((value, headers.decode()))
    assert {key: [value for value, _ in values] for key, values in by_key.items()} == {
        b"file-1": [b"first event", b"third event"], b"file-2": [b"second \xff binary"]}
    first_headers = by_key[b"file-1"][0][1]
    assert "b3=80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1" in first_headers
    assert "x-fileflow-error" not in first_headers and "x-fileflow-origin" not in first_headers
    assert f"x-fileflow-replayed-from={topic}.dlq/" in first_headers
    # Committed as it went: a second run finds nothing new, and a new letter alone goes next time.
    again = replay("--topic", topic, prefix=prefix)
    assert again.returncode == 0 and f"replayed 0 dead letters from {topic}.dlq" in again.stdout, again.stdout
    kcat_produce(topic + ".dlq", "file-3", b"late letter", [("x-fileflow-origin", f"{topic}/0@50")])
    late = replay("--topic", topic, prefix=prefix)
    assert "replayed 1 dead letter from" in late.stdout, late.stdout
    assert sorted(key for key, _, _ in kcat_read(topic)) == [b"file-1", b"file-1", b"file-2", b"file-3"]


def test_bad_arguments_are_refused_clearly():
    prefix = f"test-{uuid.uuid4().hex[:12]}-"
    for args, words in [(["--topic", "orders.dlq"], "without .dlq"), (["--topic", "bad topic!"], "--topic must be"),
                        (["--topic", ""], "--topic must be"), (["--topic", "x", "--idle-seconds", "0"], "--idle-seconds"),
                        ([], "--topic")]:
        result = replay(*args, prefix=prefix)
        assert result.returncode != 0 and words in result.stderr, (args, result.stderr)
    env_less = subprocess.run([str(bin_path() / "fileflow"), "replay-dead-letters", "--topic", "x"],
                              capture_output=True, text=True, timeout=30,
                              env={k: v for k, v in os.environ.items() if k != BOOTSTRAP_ENV})
    assert env_less.returncode != 0 and "FILEFLOW_KAFKA_BOOTSTRAP" in env_less.stderr
