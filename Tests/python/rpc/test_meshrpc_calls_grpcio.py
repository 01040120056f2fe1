"""Our client (`fileflow rpc-echo-client`) calling a stock Python grpcio server: every call shape, metadata with -bin,
status with a message that needs percent-encoding, deadlines, cancellation, unknown methods."""
import subprocess

import pytest

from .rpcsupport import fileflow_binary

CASES = ["unary", "client_streaming", "server_streaming", "bidi", "metadata", "deadline", "unimplemented",
         "cancel"]


@pytest.mark.parametrize("case", CASES)
def test_our_client_against_grpcio(grpcio_echo_server, case):
    result = subprocess.run([str(fileflow_binary()), "rpc-echo-client", "--target", grpcio_echo_server,
                             "--case", case], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr + result.stdout
    assert f"{case}: OK" in result.stdout


@pytest.mark.parametrize("case", CASES + ["status"])
def test_our_client_against_our_server(echo_server, case):
    result = subprocess.run([str(fileflow_binary()), "rpc-echo-client", "--target", echo_server.target,
                             "--case", case], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr + result.stdout
