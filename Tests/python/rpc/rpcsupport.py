"""Helpers shared by the RPC tests: finding our `fileflow` binary and running it as a server subprocess."""
import os
import pathlib
import subprocess

import pytest


def fileflow_binary() -> pathlib.Path:
    bin_dir = os.environ.get("FILEFLOW_BIN_PATH")
    if not bin_dir:
        root = pathlib.Path(__file__).resolve().parents[3]
        bin_dir = subprocess.run(["swift", "build", "--show-bin-path"], cwd=root, capture_output=True, text=True,
                                 check=True).stdout.strip()
    binary = pathlib.Path(bin_dir) / "fileflow"
    if not binary.exists():
        pytest.fail(f"{binary} is missing: build the package first")
    return binary


class RunningServer:
    """A `fileflow` server subprocess; `port` is the one it printed, `alive()` checks it did not crash."""

    def __init__(self, args):
        self.process = subprocess.Popen([str(fileflow_binary()), *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("listening on "):
            self.process.kill()
            raise RuntimeError(f"server did not start: {line!r} {self.process.stderr.read()}")
        self.port = int(line.split()[-1])
        self.target = f"127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
