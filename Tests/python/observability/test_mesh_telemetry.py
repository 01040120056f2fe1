"""The whole mesh observed from outside: every process reports Zipkin spans to a collector and serves /metrics.

One upload through the gateway is one trace: every span validates against zipkin2-api.yaml's Span schema and the
parent links form one tree from the gateway's SERVER span through RPC and Kafka to each consumer. A real Prometheus
scrapes all six /metrics endpoints and reports them up with samples; promtool accepts every exposition."""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid

import jsonschema
import pytest
import yaml

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "services"))
sys.path.insert(0, str(HERE.parent))
from mesh import Service  # noqa: E402
from gateway.gwsupport import Gateway, sign_in, sign_up  # noqa: E402

import requests  # noqa: E402

SCHEMA = HERE.parent / "telemetry" / "zipkin2-api.yaml"
TRACE_ID = uuid.uuid4().hex  # 128-bit, chosen by the test so its spans can be told apart
NAMES = ["metadata", "file-process", "search", "deletion", "notification"]


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def observed():
    work = pathlib.Path(tempfile.mkdtemp(prefix="fileflow-observed-"))
    spans_file = work / "spans.jsonl"
    collector = subprocess.Popen([sys.executable, str(HERE.parent / "telemetry" / "collector.py"),
                                  str(work / "port"), str(spans_file)])
    deadline = time.monotonic() + 10
    while not (work / "port").exists() or not (work / "port").read_text():
        assert time.monotonic() < deadline, "collector did not start"
        time.sleep(0.05)
    saved = {k: os.environ.get(k) for k in ("FILEFLOW_ZIPKIN_ENDPOINT", "FILEFLOW_TRACE_SAMPLE_RATE")}
    os.environ["FILEFLOW_ZIPKIN_ENDPOINT"] = f"http://127.0.0.1:{(work / 'port').read_text()}/api/v2/spans"
    os.environ["FILEFLOW_TRACE_SAMPLE_RATE"] = "1"
    try:
        services = {"metadata": Service("metadata", data_dir=str(work)).start()}
        services["metadata"].wait_ready()
        target = ["--metadata-target", services["metadata"].target]
        for name in NAMES[1:]:
            services[name] = Service(name, target, data_dir=str(work)).start()
        for service in services.values():
            service.wait_ready()
        gateway = Gateway(services).start()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    yield {"services": services, "gateway": gateway, "spans": spans_file, "work": work}
    assert gateway.terminate() == 0, gateway.log()
    for name in reversed(NAMES):
        assert services[name].terminate() == 0, services[name].log()
    collector.terminate()
    collector.wait()
    shutil.rmtree(work, ignore_errors=True)


def spans_of_trace(path):
    if not path.exists():
        return []
    return [span for span in map(json.loads, path.read_text().splitlines()) if span.get("traceId") == TRACE_ID]


def test_one_upload_is_one_trace_from_the_gateway_to_every_consumer(observed):
    gateway = observed["gateway"]
    username, _ = sign_up(gateway)
    token = sign_in(gateway, username)["access_token"]
    parent = uuid.uuid4().hex[:16]
    response = requests.post(gateway.url("/api/v1/files"), data=b"traced words for the index\n" * 10,
                             headers={"Authorization": f"Bearer {token}", "X-File-Name": "traced.txt",
                                      "Content-Type": "text/plain", "b3": f"{TRACE_ID}-{parent}-1"}, timeout=30)
    assert response.status_code == 201, response.text

    wanted_consumers = {"file-process", "search", "notification"}

    def complete():
        """The trace once every consumer reported and every parent arrived (spans are exported in batches)."""
        spans = spans_of_trace(observed["spans"])
        consumers = {s["localEndpoint"]["serviceName"] for s in spans if s.get("kind") == "CONSUMER"}
        ids = {s["id"] for s in spans}
        dangling = [s for s in spans if s.get("parentId") not in ids]
        return spans if wanted_consumers <= consumers and len(dangling) == 1 else None

    deadline = time.monotonic() + 60
    spans = complete()
    while spans is None and time.monotonic() < deadline:
        time.sleep(0.5)
        spans = complete()
    seen = spans_of_trace(observed["spans"])
    assert spans, f"consumer spans missing; got {sorted((s['localEndpoint']['serviceName'], s.get('kind'), s['name']) for s in seen)}"

    api = yaml.safe_load(SCHEMA.read_text())
    validator = jsonschema.Draft4Validator({"$ref": "#/definitions/Span", "definitions": api["definitions"]},
                                           format_checker=jsonschema.FormatChecker())
    for span in spans:
        errors = list(validator.iter_errors(span))
        assert not errors, (span, errors[0].message)

    by_id = {span["id"]: span for span in spans}
    roots = [span for span in spans if span.get("parentId") not in by_id]
    assert len(roots) == 1 and roots[0]["parentId"] == parent, roots
    root = roots[0]
    assert root["kind"] == "SERVER" and root["localEndpoint"]["serviceName"] == "gateway"
    for span in spans:  # every span reaches the gateway's span by its parents
        hops, current = 0, span
        while current is not root:
            current = by_id[current["parentId"]]
            hops += 1
            assert hops < 50
    kinds = {(s["localEndpoint"]["serviceName"], s.get("kind")) for s in spans}
    assert {("gateway", "CLIENT"), ("file-process", "SERVER"), ("metadata", "SERVER")} <= kinds, kinds
    for consumer in (s for s in spans if s.get("kind") == "CONSUMER"):
        assert by_id[consumer["parentId"]].get("kind") in ("PRODUCER", "SERVER", "CLIENT", "CONSUMER")


def test_prometheus_scrapes_all_six_targets_and_promtool_accepts_them(observed):
    gateway, services = observed["gateway"], observed["services"]
    targets = [f"127.0.0.1:{gateway.port}"] + [f"127.0.0.1:{services[name].ops_port}" for name in NAMES]
    for target in targets:
        text = urllib.request.urlopen(f"http://{target}/metrics", timeout=10).read()
        checked = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True)
        assert checked.returncode == 0, (target, checked.stdout.decode(), checked.stderr.decode())
    work = observed["work"]
    config = work / "prometheus.yml"
    config.write_text(yaml.safe_dump({"global": {"scrape_interval": "1s"}, "scrape_configs": [
        {"job_name": "fileflow", "static_configs": [{"targets": targets}]}]}))
    port = free_port()
    prometheus = subprocess.Popen(["prometheus", f"--config.file={config}", f"--storage.tsdb.path={work / 'tsdb'}",
                                   f"--web.listen-address=127.0.0.1:{port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                active = json.load(urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/v1/targets", timeout=5))["data"]["activeTargets"]
                up = [t for t in active if t["health"] == "up"]
                if len(up) == len(targets):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "Prometheus did not report every target up"
            time.sleep(0.5)
        query = urllib.parse.quote('count by (instance) ({__name__=~"fileflow_.+|process_.+"})')
        result = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/query?query={query}", timeout=5))
        instances = {r["metric"]["instance"] for r in result["data"]["result"] if float(r["value"][1]) > 0}
        assert instances == set(targets), result
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=20)
