"""The metric names a PromQL expression reads, and the names FileFlow declares, for checking dashboards and
alert rules against what the processes really export."""
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[3]
OBSERVABILITY = ROOT / "observability"
CATALOGUE = ROOT / "Sources" / "Telemetry" / "MetricName.swift"

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
            "inf", "nan"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def metric_names(expr: str) -> set:
    """Identifiers of `expr` that name series: not functions, keywords, label names, strings or durations."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)               # string literals (label values, regexes)
    text = re.sub(r"\$\{?\w+\}?", "1m", text)                      # Grafana variables ($job, $__rate_interval)
    text = re.sub(r"(?<![\w.])\d[\d.]*(?:e[+-]?\d+|ms|[smhdwy])?\b", "0", text)  # numbers and durations
    text = re.sub(r"\{[^}]*\}", "", text)                           # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)                          # range and subquery selectors
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for match in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", text):
        name = match.group(0)
        following = text[match.end():].lstrip()
        if following.startswith("(") or name.lower() in KEYWORDS:
            continue
        names.add(name)
    return names


def base_name(name: str, known: set) -> str:
    """`x_bucket` → `x` when `x` is a known histogram; anything else unchanged."""
    for suffix in HISTOGRAM_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in known:
            return name[: -len(suffix)]
    return name


def catalogue() -> set:
    """The names declared in Sources/Telemetry/MetricName.swift."""
    return set(re.findall(r'"((?:fileflow|process)_[a-z0-9_]+)"', CATALOGUE.read_text()))


def dashboards() -> dict:
    return {path.name: json.loads(path.read_text()) for path in sorted((OBSERVABILITY / "grafana" / "dashboards").glob("*.json"))}


def dashboard_queries(board: dict):
    """(panel title, datasource uid, expr) of every query in the dashboard, variable queries included."""
    for variable in board.get("templating", {}).get("list", []):
        query = variable.get("query")
        yield f"variable {variable['name']}", variable["datasource"]["uid"], query["query"] if isinstance(query, dict) else query
    for panel in board["panels"]:
        for target in panel.get("targets", []):
            uid = (target.get("datasource") or panel.get("datasource") or {}).get("uid")
            yield panel["title"], uid, target["expr"]


def label_values_metric(query: str):
    """`label_values(metric, label)` → the metric."""
    match = re.fullmatch(r"label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*\w+\s*\)", query.strip())
    return match.group(1) if match else None


def rule_expressions():
    import yaml

    rules = yaml.safe_load((OBSERVABILITY / "prometheus" / "alerts.yml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            yield rule["alert"], rule["expr"]


def grafana_substituted(expr: str) -> str:
    """The expression as Grafana would send it with every process selected."""
    return expr.replace("$__rate_interval", "1m").replace("$job", ".*")
