/// What the harness needs of a message type from either library: decode from and encode to `[UInt8]`.
///
/// The timed loops are generic over this protocol, so each is specialized per type: no closure or witness-table
/// call per iteration that would blur the ratio on the ~50 ns cases.
protocol BenchMessage {
    init(benchBytes bytes: [UInt8]) throws
    func benchBytes() throws -> [UInt8]
}

/// One message and its encoding, with the two timed loops the harness runs over them.
struct CodecLoops<Message: BenchMessage> {
    let message: Message
    let bytes: [UInt8]

    /// Encodes `message` `iterations` times.
    func encode(_ iterations: Int) {
        for _ in 0..<iterations {
            do {
                blackHole(try message.benchBytes())
            } catch {
                fatalError("encode failed: \(error)")
            }
        }
    }

    /// Decodes `bytes` `iterations` times.
    func decode(_ iterations: Int) {
        for _ in 0..<iterations {
            do {
                blackHole(try Message(benchBytes: bytes))
            } catch {
                fatalError("decode failed: \(error)")
            }
        }
    }
}

/// Keeps a value alive and opaque to the optimizer, so a timed loop cannot be folded away.
@inline(never) @_optimize(none)
func blackHole<T>(_ value: T) {}

/// Hands back its argument through a call the optimizer cannot see into, so inputs are not constant-folded.
@inline(never) @_optimize(none)
func opaque<T>(_ value: T) -> T { value }
