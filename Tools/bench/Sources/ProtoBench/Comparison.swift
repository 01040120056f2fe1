/// One row of the report: one operation on one message, timed in both libraries against a goal.
struct Comparison {
    enum Operation: String {
        case encode, decode
    }

    /// What "good enough" means for the row, from the foundation issue ("Speed").
    struct Goal {
        /// swift-protobuf's time over ours must reach this (2 = ours twice as fast, below 1 = no slower within noise).
        var minimumRatio: Double
        /// At most this many heap allocations per operation on our side, when the issue sets a bound.
        var maximumOurAllocations: Double?

        var summary: String {
            let speed = minimumRatio > 1 ? "≥ \(minimumRatio)×" : "no slower (≥ \(minimumRatio)×)"
            guard let allocations = maximumOurAllocations else { return speed }
            return "\(speed), ≤ \(Int(allocations)) alloc"
        }
    }

    let caseName: String
    let operation: Operation
    let encodedSize: Int
    let goal: Goal
    let ours: (Int) -> Void
    let peer: (Int) -> Void
}

/// Encodings that differ between the libraries: the timings would compare different work, so the run stops.
struct EncodingMismatch: Error, CustomStringConvertible {
    let caseName: String
    let detail: String

    var description: String { "\(caseName): \(detail)" }
}

/// Builds the encode and decode rows of one case after checking both libraries agree byte for byte.
///
/// Checked: our encoding equals swift-protobuf's; ours decodes swift-protobuf's bytes and re-encodes them
/// unchanged; swift-protobuf decodes our bytes back to an equal message.
func makeComparisons<Ours: BenchMessage, Peer: BenchMessage & Equatable>(
    _ caseName: String,
    ours: Ours,
    peer: Peer,
    encodeGoal: Comparison.Goal,
    decodeGoal: Comparison.Goal
) throws -> [Comparison] {
    let ourBytes = try ours.benchBytes()
    let peerBytes = try peer.benchBytes()
    if ourBytes != peerBytes {
        throw EncodingMismatch(caseName: caseName, detail: firstDifference(ourBytes, peerBytes))
    }
    let reencoded = try Ours(benchBytes: peerBytes).benchBytes()
    if reencoded != peerBytes {
        throw EncodingMismatch(
            caseName: caseName,
            detail: "ours re-encodes swift-protobuf's bytes differently: " + firstDifference(reencoded, peerBytes)
        )
    }
    if try Peer(benchBytes: ourBytes) != peer {
        throw EncodingMismatch(caseName: caseName, detail: "swift-protobuf decodes our bytes to a different message")
    }
    let ourLoops = CodecLoops(message: ours, bytes: opaque(ourBytes))
    let peerLoops = CodecLoops(message: peer, bytes: opaque(peerBytes))
    return [
        Comparison(
            caseName: caseName, operation: .encode, encodedSize: ourBytes.count, goal: encodeGoal,
            ours: ourLoops.encode, peer: peerLoops.encode
        ),
        Comparison(
            caseName: caseName, operation: .decode, encodedSize: ourBytes.count, goal: decodeGoal,
            ours: ourLoops.decode, peer: peerLoops.decode
        ),
    ]
}

/// Where two encodings part, with a few bytes of context from each.
private func firstDifference(_ ours: [UInt8], _ peer: [UInt8]) -> String {
    let common = min(ours.count, peer.count)
    let index = (0..<common).first { ours[$0] != peer[$0] } ?? common
    func window(_ bytes: [UInt8]) -> String {
        hexDigits(bytes[index..<min(bytes.count, index + 12)], separator: " ")
    }
    return "ours \(ours.count) B, swift-protobuf \(peer.count) B, first difference at byte \(index): "
        + "ours [\(window(ours))] vs swift-protobuf [\(window(peer))]"
}
