"""observability/ checked without a running mesh: promtool accepts the Prometheus config and rules, the alert unit
tests pass, the dashboards parse and read only declared metrics, and the Grafana, Loki, Promtail and compose files
agree with each other and with what the processes write."""
import re
import subprocess

import pytest
import yaml

from promql import (CATALOGUE, OBSERVABILITY, ROOT, base_name, catalogue, dashboard_queries, dashboards,
                    label_values_metric, metric_names, rule_expressions)

PROMETHEUS_DIR = OBSERVABILITY / "prometheus"


def promtool(*args):
    result = subprocess.run(["promtool", *args], capture_output=True, text=True, timeout=120, cwd=PROMETHEUS_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_promtool_check_config():
    assert "SUCCESS" in promtool("check", "config", "prometheus.yml")


def test_promtool_check_rules():
    assert "SUCCESS: 13 rules found" in promtool("check", "rules", "alerts.yml")


def test_alert_unit_tests_pass():
    assert "SUCCESS" in promtool("test", "rules", "alerts.test.yml")


def test_alert_unit_tests_can_fail():
    """A wrong expectation must fail, or the unit tests above prove nothing."""
    broken = (PROMETHEUS_DIR / "alerts.test.yml").read_text().replace("1100 messages", "1101 messages")
    path = PROMETHEUS_DIR / ".broken.test.yml"
    path.write_text(broken)
    try:
        result = subprocess.run(["promtool", "test", "rules", path.name], capture_output=True, text=True,
                                timeout=120, cwd=PROMETHEUS_DIR)
    finally:
        path.unlink()
    assert result.returncode != 0 and "FileFlowConsumerLagHigh" in result.stdout + result.stderr


def test_scrape_jobs_are_the_six_processes_on_their_contract_ports():
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    assert jobs == {"gateway": ["127.0.0.1:8080"], "metadata": ["127.0.0.1:9101"], "file-process": ["127.0.0.1:9102"],
                    "search": ["127.0.0.1:9103"], "deletion": ["127.0.0.1:9104"], "notification": ["127.0.0.1:9105"]}
    # The job names are the processes' service names (their log lines' `service` and Zipkin serviceName).
    commands = "\n".join(path.read_text() for path in (ROOT / "Sources" / "fileflow").glob("Serve*Command.swift"))
    for service in re.findall(r'ServiceTelemetry\.bootstrap\(service: "([^"]+)"\)', commands):
        assert service in jobs


def test_every_dashboard_parses_and_reads_only_declared_metrics():
    declared = catalogue()
    boards = dashboards()
    assert {"rpc-golden-signals.json", "data-plane.json", "processes.json"} <= set(boards)
    assert len({board["uid"] for board in boards.values()}) == len(boards)
    read = set()
    for name, board in boards.items():
        queries = list(dashboard_queries(board))
        assert len(queries) >= 8, name
        for title, uid, expr in queries:
            assert uid in {"prometheus", "loki"}, (name, title, uid)
            if uid != "prometheus":
                continue
            names = {label_values_metric(expr)} if expr.startswith("label_values") else metric_names(expr)
            assert names, (name, title, expr)
            for metric in names:
                assert base_name(metric, declared) in declared, f"{name} / {title}: {metric} is not exported"
            read |= {base_name(metric, declared) for metric in names}
    # The panels: golden signals, throughput, lag, cache hit ratio, search latency.
    for metric in ["fileflow_rpc_server_requests_total", "fileflow_rpc_server_duration_seconds",
                   "fileflow_bytes_uploaded_total", "fileflow_bytes_downloaded_total", "fileflow_kafka_consumer_lag",
                   "fileflow_cache_hits_total", "fileflow_cache_misses_total", "fileflow_search_duration_seconds"]:
        assert metric in read


def test_alert_rules_read_only_declared_metrics():
    declared = catalogue() | {"up"}  # `up` is Prometheus's own, per target
    alerted = set()
    for alert, expr in rule_expressions():
        names = metric_names(expr)
        assert names, alert
        for metric in names:
            assert base_name(metric, declared) in declared, f"{alert}: {metric} is not exported"
        alerted |= {base_name(metric, declared) for metric in names}
    for metric in ["fileflow_rpc_server_requests_total", "fileflow_rpc_server_duration_seconds",
                   "fileflow_kafka_consumer_lag", "fileflow_disk_free_bytes"]:
        assert metric in alerted


@pytest.mark.parametrize("expr, names", [
    ('sum by (job, le) (rate(a_bucket{job=~"$job", x="by (y)"}[$__rate_interval]))', {"a_bucket"}),
    ("histogram_quantile(0.99, sum by (le) (rate(b[5m]))) > 0.5 and on (job) c offset 5m", {"b", "c"}),
    ("x / ignoring (code) group_left y", {"x", "y"}),
    ("d > 1e11 or e offset 5m unless f[1h:30s]", {"d", "e", "f"}),
])
def test_metric_name_extraction(expr, names):
    assert metric_names(expr) == names


def test_every_metric_recorded_in_sources_is_catalogued():
    """EventBus and MetadataCache cannot import Telemetry and spell names as strings: they must match."""
    declared = catalogue()
    for path in (ROOT / "Sources").rglob("*.swift"):
        if path == CATALOGUE:
            continue
        for name in re.findall(r'label: "((?:fileflow|process)_[a-z0-9_]+)"', path.read_text()):
            assert name in declared, f"{path.relative_to(ROOT)}: {name} is not in MetricName.swift"


def test_grafana_provisioning_matches_the_dashboards():
    provisioning = OBSERVABILITY / "grafana" / "provisioning"
    sources = yaml.safe_load((provisioning / "datasources" / "fileflow.yml").read_text())["datasources"]
    uids = {source["uid"]: source for source in sources}
    assert set(uids) == {"prometheus", "loki", "zipkin"}
    assert uids["prometheus"]["url"] == "http://127.0.0.1:9090"
    derived = uids["loki"]["jsonData"]["derivedFields"][0]
    assert derived["datasourceUid"] == "zipkin"
    line = '{"ts":"2024-05-01T12:00:00.000Z","trace_id":"80f198ee56343ba864fe8b2a57d3eff7","span_id":"e457b5a2e4d86bd1"}'
    assert re.search(derived["matcherRegex"], line).group(1) == "80f198ee56343ba864fe8b2a57d3eff7"
    providers = yaml.safe_load((provisioning / "dashboards" / "fileflow.yml").read_text())["providers"]
    assert providers[0]["options"]["path"] == "/var/lib/grafana/dashboards"
    for board in dashboards().values():
        for panel in board["panels"]:
            if panel["type"] != "row":
                assert panel["datasource"]["uid"] in uids


def test_compose_runs_the_stack_on_the_host_with_pinned_images_and_existing_files():
    compose = yaml.safe_load((OBSERVABILITY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"zipkin", "prometheus", "grafana", "loki", "promtail"} <= set(services)
    for name, service in services.items():
        image, _, tag = service["image"].rpartition(":")
        assert image and tag and tag != "latest", name
        assert service["network_mode"] == "host", name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (OBSERVABILITY / source).exists(), f"{name} mounts missing {source}"
    grafana_mounts = {volume.split(":")[1] for volume in services["grafana"]["volumes"]}
    assert {"/etc/grafana/provisioning", "/var/lib/grafana/dashboards"} <= grafana_mounts


def test_loki_and_promtail_agree():
    loki = yaml.safe_load((OBSERVABILITY / "loki" / "loki.yml").read_text())
    promtail = yaml.safe_load((OBSERVABILITY / "promtail" / "promtail.yml").read_text())
    port = loki["server"]["http_listen_port"]
    assert promtail["clients"][0]["url"] == f"http://127.0.0.1:{port}/loki/api/v1/push"
    assert loki["limits_config"]["allow_structured_metadata"] is True
    scrape = promtail["scrape_configs"][0]
    assert scrape["static_configs"][0]["labels"]["__path__"] == "/var/log/fileflow/*.log"
    stages = {key: value for stage in scrape["pipeline_stages"] for key, value in stage.items() if key != "labels"}
    labels = {name for stage in scrape["pipeline_stages"] if "labels" in stage for name in stage["labels"]}
    assert labels == {"process", "level", "service"}  # bounded: never a trace id or a user id
    assert set(stages["json"]["expressions"]) == {"ts", "level", "service", "trace_id"}
    assert "trace_id" in stages["structured_metadata"]
    assert re.search(stages["regex"]["expression"], "/var/log/fileflow/file-process.log").group("process") \
        == "file-process"
    # The dashboards' Loki queries use only these labels.
    for board in dashboards().values():
        for title, uid, expr in dashboard_queries(board):
            if uid == "loki":
                for label in re.findall(r"(\w+)\s*=~?", expr.split("}")[0]):
                    assert label in labels | {"job"}, (title, label)
