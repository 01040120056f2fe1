"""Every fileflow process runs with glibc's per-thread malloc cache raised (it restarts itself once to set it), keeps
tunables it was given, and leaves an explicit tcache_count alone."""
import os
import pathlib

import pytest

from .rpcsupport import RunningServer


def tunables_of(server):
    raw = pathlib.Path(f"/proc/{server.process.pid}/environ").read_bytes()
    variables = dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)
    return variables.get("GLIBC_TUNABLES")


@pytest.mark.parametrize("given, expected", [
    (None, "glibc.malloc.tcache_count=200"),
    ("glibc.malloc.tcache_count=7", "glibc.malloc.tcache_count=7"),
    # glibc's loader rewrites a list of several tunables in place as it applies them, so /proc shows only the first;
    # what matters here is that the operator's setting survives the restart and the restart happens once.
    ("glibc.malloc.arena_max=2", "glibc.malloc.arena_max=2"),
])
def test_the_process_runs_with_a_larger_malloc_cache(monkeypatch, given, expected):
    if given is None:
        monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    else:
        monkeypatch.setenv("GLIBC_TUNABLES", given)
    # Restarting keeps the process id, so the server that printed its port is the restarted one.
    server = RunningServer(["interop-server", "--port", "0"])
    try:
        assert tunables_of(server) == expected
        assert server.alive()
    finally:
        server.stop()
    assert os.environ.get("GLIBC_TUNABLES") == given
