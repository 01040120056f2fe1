"""Shared fixtures for the cross-language tests: Python protobuf modules generated from our Protos/, and our
Swift binaries (found through FILEFLOW_BIN_PATH, the SwiftPM bin directory Tools/test exports)."""
import importlib
import os
import pathlib
import subprocess
import sys
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROTOS = ROOT / "Protos"


def _generate_python_modules() -> pathlib.Path:
    """Runs grpcio-tools' protoc over Protos/ (except the well-known types, which the protobuf package ships)."""
    out = pathlib.Path(tempfile.mkdtemp(prefix="fileflow-pb2-"))
    protos = sorted(str(p.relative_to(PROTOS)) for p in PROTOS.rglob("*.proto") if p.parts[-3:-1] != ("google", "protobuf"))
    from grpc_tools import protoc

    args = ["protoc", f"-I{PROTOS}", f"--python_out={out}", f"--grpc_python_out={out}", *protos]
    if protoc.main(args) != 0:
        raise RuntimeError("grpc_tools.protoc failed on Protos/")
    # `grpc` is grpcio's own package name: move the generated grpc.* modules aside so both can be imported.
    (out / "grpc").rename(out / "grpc_gen")
    for module in out.rglob("*.py"):
        text = module.read_text()
        module.write_text(text.replace("from grpc.testing import", "from grpc_gen.testing import")
                          .replace("from grpc.health.v1 import", "from grpc_gen.health.v1 import"))
    return out


_GENERATED = _generate_python_modules()
sys.path.insert(0, str(_GENERATED))


def pb2(module: str):
    """Imports a generated module by its proto path, e.g. pb2('fileflow/v1/common')."""
    if module.startswith("grpc/"):
        module = "grpc_gen/" + module[len("grpc/"):]
    return importlib.import_module(module.replace("/", ".") + "_pb2")


def bin_path() -> pathlib.Path:
    path = os.environ.get("FILEFLOW_BIN_PATH")
    if not path:
        path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    return pathlib.Path(path)


@pytest.fixture(scope="session")
def roundtrip():
    """A running `proto-roundtrip` process: `roundtrip(type_name, payload) -> (status, bytes)`."""
    exe = bin_path() / "proto-roundtrip"
    if not exe.exists():
        pytest.fail(f"{exe} is missing: build the package first (swift build --build-tests)")
    proc = subprocess.Popen([str(exe)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def call(type_name: str, payload: bytes):
        name = type_name.encode()
        proc.stdin.write(len(name).to_bytes(4, "little") + name + len(payload).to_bytes(4, "little") + payload)
        proc.stdin.flush()
        head = proc.stdout.read(5)
        if len(head) != 5:
            raise RuntimeError(f"proto-roundtrip died (exit {proc.poll()})")
        body = proc.stdout.read(int.from_bytes(head[1:], "little"))
        return head[0], body

    yield call
    proc.stdin.close()
    assert proc.wait(timeout=10) == 0
