#!/usr/bin/env bash
# Instructions per operation, ours against swift-protobuf, counted by valgrind's callgrind: unlike run.sh's
# nanoseconds these do not move with the load on a shared machine, so they show small changes and hot spots.
# Usage: proto/callgrind.sh [a|b|c|d ...] (default: all four cases). Each row leaves its callgrind file in
# $CALLGRIND_DIR (default /tmp/protobench-callgrind) for `callgrind_annotate --inclusive=yes --tree=calling`.
# BENCH_PACKAGE_DIR names another package holding the ProtoBench target (default: Tools/bench).
set -euo pipefail

package="${BENCH_PACKAGE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"
out="${CALLGRIND_DIR:-/tmp/protobench-callgrind}"
mkdir -p "$out"
swift build --package-path "$package" -c release --product ProtoBench >&2
bin="$(swift build --package-path "$package" -c release --show-bin-path)/ProtoBench"

# case letter → message type and iterations per side (enough that the loop dwarfs its setup)
declare -A message=([a]=FileMetadata [b]=TransferProgress [c]=DownloadChunk [d]=ListFilesResponse)
declare -A iterations=([a]=500 [b]=5000 [c]=20 [d]=5)

cases=("$@")
[[ ${#cases[@]} -gt 0 ]] || cases=(a b c d)
printf '%-4s %-7s %16s %20s %7s\n' case op "ours Ir/op" "swift-protobuf Ir/op" ratio
for case in "${cases[@]}"; do
    for op in encode decode; do
        declare -A ir=()
        for side in ours peer; do
            module=$([[ $side == ours ]] && echo 12FlowMessages || echo 17SwiftProtobufPeer)
            # The timed loop, specialised for this message: CodecLoops.<op>(_:) in ProtoBench.
            loop="*CodecLoopsV6${op}yySiF${module}*Fileflow_V1_${message[$case]}V_*"
            file="$out/$case.$op.$side.callgrind"
            valgrind --tool=callgrind --callgrind-out-file="$file" --toggle-collect="$loop" \
                "$bin" --only "$case" --op "$op" --profile "${iterations[$case]}" >/dev/null 2>"$file.log"
            total=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$file.log")
            if [[ -z "$total" || "$total" == 0 ]]; then
                echo "callgrind.sh: nothing collected for $case $op $side (see $file.log)" >&2
                exit 1
            fi
            ir[$side]=$((total / ${iterations[$case]}))
        done
        printf '%-4s %-7s %16s %20s %6.2fx\n' "$case" "$op" "${ir[ours]}" "${ir[peer]}" \
            "$(echo "${ir[peer]} / ${ir[ours]}" | bc -l)"
    done
done
