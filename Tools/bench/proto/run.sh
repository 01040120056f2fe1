#!/usr/bin/env bash
# The protobuf codec benchmark: FileFlow's FlowMessages/ProtoWire against apple/swift-protobuf 1.39.0.
# Builds ProtoBench with -c release and runs it with malloc-interposer preloaded, so allocations are counted.
# Arguments go to ProtoBench (--samples N, --sample-ms M, --only a|b|c|d, --op encode|decode, --require-goals).
# BENCH_PACKAGE_DIR names another package holding the ProtoBench target (default: Tools/bench).
set -euo pipefail

package="${BENCH_PACKAGE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"
swift build --package-path "$package" -c release --product ProtoBench >&2
bin="$(swift build --package-path "$package" -c release --show-bin-path)"
interposer="$bin/libMallocInterposerSwift.so"
if [[ ! -f "$interposer" ]]; then
    echo "run.sh: $interposer is missing; allocation counts would be wrong" >&2
    exit 1
fi
LD_PRELOAD="$interposer" exec "$bin/ProtoBench" "$@"
