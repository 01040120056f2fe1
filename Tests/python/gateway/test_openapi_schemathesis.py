"""schemathesis against /api/v1/openapi.json with a real token: no 5xx, and every response matches the status
codes, content types, headers and schemas the document declares. The event stream (endless by design) is left
out; its shape is tested in test_events.py."""
import os
import pathlib
import subprocess
import sys
import uuid

from .gwsupport import eventually


def test_schemathesis_finds_no_server_errors_and_no_schema_violations(start_gateway, new_client, tmp_path):
    admin = f"fuzz-admin-{uuid.uuid4().hex[:8]}"
    gateway = start_gateway("--rate-limit", "100000", "--rate-burst", "100000", "--login-max-failures", "1000000",
                            "--login-max-failures-per-address", "1000000", admins=admin)
    client = new_client(on=gateway, username=admin)  # an admin, so /admin/metrics is exercised too
    file = client.upload("seed.txt", b"a file for schemathesis to find\n", "text/plain")
    eventually(lambda: client.get(f"/api/v1/jobs/{file['job_id']}").json()["state"] == "succeeded", "processing")
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", gateway.url("/api/v1/openapi.json"),
        "--header", f"Authorization: Bearer {client.token}",
        "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                    "response_headers_conformance,response_schema_conformance",
        "--exclude-path", "/api/v1/events",
        "--phases", "examples,coverage,fuzzing,stateful", "--max-examples", "15", "--workers", "1", "--seed", "7",
        "--request-timeout", "30", "--suppress-health-check", "all",
        "--report", "junit", "--report-dir", str(tmp_path),
    ]
    here = pathlib.Path(__file__).resolve().parent
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
           "PYTHONPATH": os.pathsep.join([str(here), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    output = result.stdout[-20000:] + result.stderr[-4000:]
    print(output[-6000:])
    assert result.returncode == 0, output
    assert "No issues found" in output or "passed" in output, output
