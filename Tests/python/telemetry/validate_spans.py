"""Validates a file of Zipkin spans (one JSON object per line) against the Span schema of zipkin2-api.yaml.

Usage: validate_spans.py SPANS_FILE [SCHEMA_YAML]; exit 0 and prints the span count when every line is valid.
"""
import json
import pathlib
import sys

import jsonschema
import yaml

default_schema = pathlib.Path(__file__).resolve().parents[4] / "shared" / "zipkin" / "zipkin2-api.yaml"
api = yaml.safe_load(open(sys.argv[2] if len(sys.argv) > 2 else default_schema))
schema = {"$ref": "#/definitions/Span", "definitions": api["definitions"]}
validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
count = 0
for number, line in enumerate(open(sys.argv[1]), 1):
    span = json.loads(line)
    errors = list(validator.iter_errors(span))
    if errors:
        print(f"line {number}: {errors[0].message}", file=sys.stderr)
        sys.exit(1)
    count += 1
if count == 0:
    print("no spans", file=sys.stderr)
    sys.exit(1)
print(count)
