"""`fileflow dev-broker` is a real Kafka-protocol cluster: kcat, a stock client, lists, produces and consumes."""
import os
import signal
import subprocess
import tempfile
import time
import uuid

import pytest

from conftest import bin_path

TOPICS = {"file-uploads", "file-processing", "file-deletions", "notifications"}


@pytest.fixture
def broker():
    with tempfile.TemporaryDirectory() as tmp:
        bootstrap_file = os.path.join(tmp, "bootstrap")
        proc = subprocess.Popen([str(bin_path() / "fileflow"), "dev-broker", "--brokers", "2", "--partitions", "3",
                                 "--bootstrap-file", bootstrap_file], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while not (os.path.exists(bootstrap_file) and open(bootstrap_file).read().strip()):
            assert proc.poll() is None, proc.stdout.read()
            assert time.time() < deadline, "dev-broker wrote no bootstrap address"
            time.sleep(0.1)
        yield open(bootstrap_file).read().strip()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert b"stopping on signal" in proc.stdout.read()


def kcat(*args, stdin=None):
    return subprocess.run(["kcat", *args], input=stdin, capture_output=True, timeout=30, check=True).stdout


def test_metadata_lists_the_contract_topics_on_every_broker(broker):
    listing = kcat("-b", broker, "-L").decode()
    assert "2 brokers:" in listing
    for topic in TOPICS:
        assert f'topic "{topic}" with 3 partitions' in listing


def test_messages_produced_by_key_come_back_in_order(broker):
    key = str(uuid.uuid4())
    values = [f"event-{i}" for i in range(20)]
    kcat("-P", "-b", broker, "-t", "file-uploads", "-k", key, stdin="\n".join(values).encode())
    out = kcat("-C", "-b", broker, "-t", "file-uploads", "-e", "-f", "%k %s\n").decode().splitlines()
    assert [line.split(" ", 1)[1] for line in out if line.startswith(key)] == values


def test_bad_arguments_are_refused_with_a_clear_message():
    result = subprocess.run([str(bin_path() / "fileflow"), "dev-broker", "--brokers", "0"], capture_output=True,
                            timeout=20)
    assert result.returncode != 0
    assert b"at least one broker" in result.stderr + result.stdout
