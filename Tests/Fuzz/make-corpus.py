#!/usr/bin/env python3
"""Writes the fuzzer's seed corpus: for every message type, a few valid encodings made by Google's protobuf,
each prefixed with the byte that selects that type (its index in the registry's sorted names, as in
ProtoDecoderFuzz.swift). Run it again after adding message types: `python3 Tests/Fuzz/make-corpus.py`."""
import hashlib
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "python"))
from hypothesis import HealthCheck, given, settings  # noqa: E402

import test_protobuf_crosscheck as crosscheck  # noqa: E402

corpus = HERE / "corpus"
corpus.mkdir(exist_ok=True)
registry = (HERE.parents[1] / "Sources/FlowMessages/FlowMessagesRegistry.swift").read_text()
names = sorted(re.findall(r'^\s*"([\w.]+)": ', registry, re.M))
pool = crosscheck.MESSAGES[0].file.pool
for index, name in enumerate(names):
    desc = pool.FindMessageTypeByName(name)
    samples = []

    @settings(max_examples=4, database=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(crosscheck.message(desc))
    def collect(msg):
        samples.append(msg.SerializeToString(deterministic=True))

    collect()
    for wire in {*samples}:
        entry = bytes([index % 256]) + wire
        (corpus / f"{name}-{hashlib.sha1(entry).hexdigest()[:12]}").write_bytes(entry)
print(f"{len(list(corpus.iterdir()))} corpus entries for {len(names)} message types")
