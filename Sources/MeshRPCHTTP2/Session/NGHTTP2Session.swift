internal import CNGHTTP2
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Something nghttp2 told us during a `receive` or `send` call. Callbacks only record events; the
/// connection handler acts on them after the C call has returned, so nothing re-enters nghttp2.
enum NGHTTP2Event {
    case headers(streamID: Int32, fields: [HeaderField], endStream: Bool)
    case data(streamID: Int32, ByteBuffer)
    case endStream(streamID: Int32)
    case streamClosed(streamID: Int32, errorCode: UInt32)
    case resetReceived(streamID: Int32)
    case goawayReceived(lastStreamID: Int32, errorCode: UInt32)
    case pingAck
    /// `count` body bytes of the stream left in DATA frames: the writer may produce more.
    case dataSent(streamID: Int32, count: Int)
}

/// A failure nghttp2 reported; fatal ones end the connection.
struct NGHTTP2Error: Error, CustomStringConvertible {
    let code: Int32
    let operation: String

    var description: String { "nghttp2 \(operation) failed: \(String(cString: nghttp2_strerror(code))) (\(code))" }

    /// Errors after which the session is unusable (the library's "fatal" group, < -900).
    var isFatal: Bool { code < -900 }
}

/// The one wrapper around an `nghttp2_session`, for either role.
///
/// Not thread-safe by design: it lives on its channel's event loop and only the connection handler
/// calls it. Bytes go in through `nghttp2_session_mem_recv` and out through `nghttp2_session_send`
/// into a reused scratch buffer; large DATA payloads are sent with `NGHTTP2_DATA_FLAG_NO_COPY` as
/// slices of the caller's buffers. Every C call is guarded against re-entry.
final class NGHTTP2Session {
    enum Role { case server, client }

    /// Per-stream outbound body: framed message buffers waiting for flow-control window.
    private struct OutboundBody {
        var buffers = BufferQueue()
        var bytes = 0
        var ended = false
        var trailers: [HeaderField]?
        var deferred = false
    }

    /// The header block being received. nghttp2 delivers one block's fields without interleaving
    /// (HEADERS and its CONTINUATIONs are contiguous on the wire), so one is enough.
    /// Reused storage for building `nghttp2_nv` arrays (`withNameValues`).
    private struct NameValueStorage {
        var bytes: [UInt8] = []
        var nameValues: [nghttp2_nv] = []
        /// (name start, name length, value start, value length) of each field in `bytes`.
        var fieldRanges: [(Int, Int, Int, Int)] = []
    }

    private struct HeaderBlock {
        var streamID: Int32
        var fields: [HeaderField] = []
        var size = 0
    }

    /// Implicitly unwrapped because the callbacks need `self` as user data before it exists.
    private var session: OpaquePointer!
    private let role: Role
    private let settings: HTTP2SessionSettings
    private let allocator: ByteBufferAllocator
    private var events: [NGHTTP2Event] = []
    private var headerBlock: HeaderBlock?
    private var bodies = StreamTable<OutboundBody>()
    private var trailersToSubmit: [(Int32, [HeaderField])] = []
    private var output: [ByteBuffer] = []
    private var scratch: ByteBuffer
    private var input: (base: UnsafeRawPointer, count: Int, buffer: ByteBuffer)?
    private var inCall = false
    private var nameValueStorage = NameValueStorage()

    init(role: Role, settings: HTTP2SessionSettings, allocator: ByteBufferAllocator) throws {
        self.role = role
        self.settings = settings
        self.allocator = allocator
        self.scratch = allocator.buffer(capacity: 16 << 10)

        var callbacks: OpaquePointer?
        try Self.check(nghttp2_session_callbacks_new(&callbacks), "callbacks_new")
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_send_callback(callbacks, onSend)
        nghttp2_session_callbacks_set_send_data_callback(callbacks, onSendData)
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameReceived)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunk)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose)

        var options: OpaquePointer?
        try Self.check(nghttp2_option_new(&options), "option_new")
        defer { nghttp2_option_del(options) }
        // Window credit is returned only as the application reads: that is the backpressure.
        nghttp2_option_set_no_auto_window_update(options, 1)
        // Do not keep closed streams around for priority: much less memory per connection.
        nghttp2_option_set_no_closed_streams(options, 1)

        let userData = Unmanaged.passUnretained(self).toOpaque()
        var created: OpaquePointer?
        switch role {
        case .server: try Self.check(nghttp2_session_server_new2(&created, callbacks, userData, options), "server_new")
        case .client: try Self.check(nghttp2_session_client_new2(&created, callbacks, userData, options), "client_new")
        }
        session = created

        var entries = [
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue), value: settings.maxConcurrentStreams),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: settings.initialStreamWindowSize),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_FRAME_SIZE.rawValue), value: settings.maxFrameSize),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: settings.maxHeaderListSize),
        ]
        if role == .client {
            entries.append(nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0))
        }
        try Self.check(nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), entries, entries.count), "submit_settings")
        try Self.check(
            nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, settings.connectionWindowSize),
            "set_local_window_size"
        )
    }

    deinit { nghttp2_session_del(session) }

    private static func check(_ code: Int32, _ operation: String) throws(NGHTTP2Error) {
        if code != 0 { throw NGHTTP2Error(code: code, operation: operation) }
    }

    /// Runs one C call, refusing re-entry (a callback calling back into the session).
    private func enter<T>(_ body: () throws(NGHTTP2Error) -> T) throws(NGHTTP2Error) -> T {
        precondition(!inCall, "nghttp2 re-entered from one of its own callbacks")
        inCall = true
        defer { inCall = false }
        return try body()
    }

    // MARK: Input and output

    /// Feeds received bytes; returns the events they caused. Throws on a fatal protocol error
    /// (garbage instead of the preface, flooding), after which only `send` (for GOAWAY) makes sense.
    func receive(_ buffer: ByteBuffer) throws(NGHTTP2Error) -> [NGHTTP2Event] {
        try enter { () throws(NGHTTP2Error) in
            let result = buffer.withUnsafeReadableBytes { bytes -> Int in
                guard let base = bytes.baseAddress else { return 0 }
                input = (base, bytes.count, buffer)
                defer { input = nil }
                return nghttp2_session_mem_recv(session, base.assumingMemoryBound(to: UInt8.self), bytes.count)
            }
            if result < 0 { throw NGHTTP2Error(code: Int32(result), operation: "mem_recv") }
        }
        return takeEvents()
    }

    /// Serializes every pending frame; returns the bytes to write and the events sending caused.
    func send() throws(NGHTTP2Error) -> (buffers: [ByteBuffer], events: [NGHTTP2Event]) {
        try enter { () throws(NGHTTP2Error) in
            while true {
                try Self.check(nghttp2_session_send(session), "send")
                guard !trailersToSubmit.isEmpty else { break }
                // Trailers are submitted after the data callback that ended the body returned.
                let pending = trailersToSubmit
                trailersToSubmit.removeAll(keepingCapacity: true)
                for (streamID, fields) in pending {
                    let code = withNameValues(fields) { nghttp2_submit_trailer(session, streamID, $0, $1) }
                    if code != 0 { nghttp2_submit_rst_stream(session, 0, streamID, NGHTTP2_INTERNAL_ERROR.rawValue) }
                }
            }
        }
        if scratch.readableBytes > 0 {
            output.append(scratch)
            scratch = allocator.buffer(capacity: 16 << 10)
        }
        defer { output.removeAll(keepingCapacity: true) }
        return (output, takeEvents())
    }

    private func takeEvents() -> [NGHTTP2Event] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// False once both sides are done (after GOAWAY and the last stream): time to close.
    var isActive: Bool {
        nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0
    }

    var lastProcessedStreamID: Int32 { nghttp2_session_get_last_proc_stream_id(session) }

    // MARK: Submitting

    /// Response headers; with `endStream` they are the whole response (Trailers-Only or an error).
    func submitResponse(streamID: Int32, fields: [HeaderField], endStream: Bool) throws(NGHTTP2Error) {
        if endStream {
            let code = withNameValues(fields) { nghttp2_submit_response(session, streamID, $0, $1, nil) }
            try Self.check(code, "submit_response")
        } else {
            bodies[streamID] = OutboundBody()
            var provider = nghttp2_data_provider()
            provider.read_callback = onReadData
            let code = withNameValues(fields) { nghttp2_submit_response(session, streamID, $0, $1, &provider) }
            try Self.check(code, "submit_response")
        }
    }

    /// A request whose body follows through `enqueue`/`endBody`; returns the new stream's id.
    func submitRequest(fields: [HeaderField]) throws(NGHTTP2Error) -> Int32 {
        var provider = nghttp2_data_provider()
        provider.read_callback = onReadData
        let streamID = withNameValues(fields) { nghttp2_submit_request(session, nil, $0, $1, &provider, nil) }
        if streamID < 0 { throw NGHTTP2Error(code: streamID, operation: "submit_request") }
        bodies[streamID] = OutboundBody()
        return streamID
    }

    /// Queues body bytes (already gRPC-framed) for the stream.
    func enqueue(streamID: Int32, _ buffer: ByteBuffer) {
        // Edited in place: a copy taken out of the table would share, and so copy, the buffers' storage.
        guard buffer.readableBytes > 0 else { return }
        bodies.update(streamID) { body in
            guard !body.ended else { return }
            body.buffers.append(buffer)
            body.bytes += buffer.readableBytes
            resumeIfDeferred(streamID, &body)
        }
    }

    /// Ends the body: with trailers (a server's status) or with END_STREAM on the last DATA frame.
    func endBody(streamID: Int32, trailers: [HeaderField]?) {
        bodies.update(streamID) { body in
            guard !body.ended else { return }
            body.ended = true
            body.trailers = trailers
            resumeIfDeferred(streamID, &body)
        }
    }

    private func resumeIfDeferred(_ streamID: Int32, _ body: inout OutboundBody) {
        guard body.deferred else { return }
        body.deferred = false
        nghttp2_session_resume_data(session, streamID)
    }

    func resetStream(streamID: Int32, errorCode: UInt32) {
        bodies[streamID] = nil
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, errorCode)
    }

    /// Returns `count` bytes of receive window to the peer (batched by nghttp2).
    func consume(streamID: Int32, count: Int) {
        guard count > 0 else { return }
        nghttp2_session_consume(session, streamID, count)
    }

    /// The first GOAWAY of a graceful shutdown: "no new streams soon", last stream id 2^31-1.
    func submitShutdownNotice() { nghttp2_submit_shutdown_notice(session) }

    func submitGoaway(errorCode: UInt32, lastStreamID: Int32? = nil) {
        nghttp2_submit_goaway(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue), lastStreamID ?? lastProcessedStreamID, errorCode, nil, 0)
    }

    func submitPing() { nghttp2_submit_ping(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil) }

    /// Builds the `nghttp2_nv` array for `fields` in reused scratch storage (nghttp2 copies it).
    private func withNameValues<R>(_ fields: [HeaderField], _ body: (UnsafePointer<nghttp2_nv>, Int) -> R) -> R {
        // Moved out and back, and built as a local: appending to stored properties cost an exclusivity check each
        // (1% of a unary call's CPU).
        var storage = NameValueStorage()
        swap(&storage, &nameValueStorage)
        defer { swap(&storage, &nameValueStorage) }
        storage.bytes.removeAll(keepingCapacity: true)
        storage.fieldRanges.removeAll(keepingCapacity: true)
        for field in fields {
            let nameStart = storage.bytes.count
            storage.bytes.append(contentsOf: field.name.utf8)
            let valueStart = storage.bytes.count
            storage.bytes.append(contentsOf: field.value.utf8)
            storage.fieldRanges.append((nameStart, valueStart - nameStart, valueStart, storage.bytes.count - valueStart))
        }
        storage.bytes.append(0)
        storage.nameValues.removeAll(keepingCapacity: true)
        return storage.bytes.withUnsafeMutableBufferPointer { bytes in
            for (nameStart, nameLength, valueStart, valueLength) in storage.fieldRanges {
                storage.nameValues.append(
                    nghttp2_nv(
                        name: bytes.baseAddress! + nameStart, value: bytes.baseAddress! + valueStart,
                        namelen: nameLength, valuelen: valueLength, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)))
            }
            return storage.nameValues.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
        }
    }

    // MARK: Callback targets (reached through the trampolines below)

    fileprivate func sendBytes(_ bytes: UnsafeRawBufferPointer) {
        scratch.writeBytes(bytes)
    }

    fileprivate func readData(streamID: Int32, maxLength: Int, flags: inout UInt32) -> Int {
        guard let slot = bodies.index(of: streamID) else { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
        let body = bodies.update(at: slot) { body in
            if body.bytes == 0 && !body.ended { body.deferred = true }
            return (bytes: body.bytes, ended: body.ended, trailers: body.trailers)
        }
        let length = min(maxLength, body.bytes)
        if length == 0 && !body.ended { return Int(NGHTTP2_ERR_DEFERRED.rawValue) }
        if length > 0 { flags |= NGHTTP2_DATA_FLAG_NO_COPY.rawValue }
        if length == body.bytes && body.ended {
            flags |= NGHTTP2_DATA_FLAG_EOF.rawValue
            if let trailers = body.trailers {
                flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
                trailersToSubmit.append((streamID, trailers))
            }
        }
        return length
    }

    fileprivate func sendData(streamID: Int32, frameHeader: UnsafeRawBufferPointer, length: Int, padding: Int) {
        scratch.writeBytes(frameHeader)
        if padding > 0 { scratch.writeInteger(UInt8(padding - 1)) }
        // Edited in place, as in `enqueue`.
        guard let slot = bodies.index(of: streamID) else { return }
        var remaining = length
        while remaining > 0, var part = bodies.update(at: slot, { $0.buffers.take(upTo: remaining) }) {
            remaining -= part.readableBytes
            if part.readableBytes <= GRPCMessageFramer.copyThreshold {
                scratch.writeBuffer(&part)
            } else {
                output.append(scratch)
                scratch = allocator.buffer(capacity: 16 << 10)
                output.append(part)
            }
        }
        bodies.update(at: slot) { $0.bytes -= length }
        if padding > 1 { scratch.writeRepeatingByte(0, count: padding - 1) }
        events.append(.dataSent(streamID: streamID, count: length))
    }

    fileprivate func beginHeaders(streamID: Int32) {
        headerBlock = HeaderBlock(streamID: streamID)
        headerBlock!.fields.reserveCapacity(12)
    }

    /// Returns false when the block grew past the header list limit (the stream is then reset).
    fileprivate func header(streamID: Int32, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> Bool {
        // Moved out and back (no copy of the fields, and three exclusivity checks rather than one per change); left
        // out when the block is over the limit: the stream is reset and nothing of the block is delivered.
        guard headerBlock?.streamID == streamID, var open = headerBlock.take() else { return false }
        open.size += name.count + value.count + 32
        guard open.size <= Int(settings.maxHeaderListSize) else { return false }
        open.fields.append(HeaderField(String(decoding: name, as: UTF8.self), text(value)))
        headerBlock = open
        return true
    }

    /// A header value as a `String`. A value over 15 bytes needs storage of its own, and on one connection the long
    /// ones repeat (the `:path` of a method called again, the client's `user-agent`): the last few are kept and
    /// shared, as is gRPC's content type, rather than allocated for every stream.
    private func text(_ value: UnsafeBufferPointer<UInt8>) -> String {
        guard value.count > 15 else { return String(decoding: value, as: UTF8.self) }
        if Self.contentTypeBytes.withUnsafeBufferPointer({ Self.sameBytes($0, value) }) {
            return GRPCHeaders.contentType
        }
        let known = recentValues.first { recent in
            recent.utf8.withContiguousStorageIfAvailable { Self.sameBytes($0, value) } == true
        }
        if let known { return known }
        let text = String(decoding: value, as: UTF8.self)
        if recentValues.count < Self.recentValueLimit {
            recentValues.append(text)
        } else {
            recentValues[nextRecentValue] = text
            nextRecentValue = (nextRecentValue + 1) % Self.recentValueLimit
        }
        return text
    }

    /// Byte equality through `memcmp`: `elementsEqual` compares a byte at a time, on every long header of every call.
    private static func sameBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    /// Long header values seen lately on this connection, replaced round-robin (`text`).
    private var recentValues: [String] = []
    private var nextRecentValue = 0
    private static let recentValueLimit = 4
    private static let contentTypeBytes = Array(GRPCHeaders.contentType.utf8)

    fileprivate func frameReceived(_ frame: UnsafePointer<nghttp2_frame>) {
        let header = frame.pointee.hd
        let endStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        switch UInt32(header.type) {
        case NGHTTP2_HEADERS.rawValue:
            guard let block = headerBlock, block.streamID == header.stream_id else { return }
            headerBlock = nil
            events.append(.headers(streamID: header.stream_id, fields: block.fields, endStream: endStream))
        case NGHTTP2_DATA.rawValue:
            if endStream { events.append(.endStream(streamID: header.stream_id)) }
        case NGHTTP2_RST_STREAM.rawValue:
            events.append(.resetReceived(streamID: header.stream_id))
        case NGHTTP2_GOAWAY.rawValue:
            events.append(.goawayReceived(lastStreamID: frame.pointee.goaway.last_stream_id, errorCode: frame.pointee.goaway.error_code))
        case NGHTTP2_PING.rawValue:
            if header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0 { events.append(.pingAck) }
        default:
            break
        }
    }

    /// A DATA chunk: sliced out of the received buffer when it lies inside it (no copy).
    fileprivate func dataChunk(streamID: Int32, bytes: UnsafeRawBufferPointer) {
        if let input, let start = bytes.baseAddress, start >= input.base, start + bytes.count <= input.base + input.count {
            let offset = start - input.base
            let slice = input.buffer.getSlice(at: input.buffer.readerIndex + offset, length: bytes.count)!
            events.append(.data(streamID: streamID, slice))
        } else {
            var copy = allocator.buffer(capacity: bytes.count)
            copy.writeBytes(bytes)
            events.append(.data(streamID: streamID, copy))
        }
    }

    fileprivate func streamClosed(streamID: Int32, errorCode: UInt32) {
        bodies[streamID] = nil
        if headerBlock?.streamID == streamID { headerBlock = nil }
        events.append(.streamClosed(streamID: streamID, errorCode: errorCode))
    }
}

// MARK: Trampolines: recover the session from user data, call it, map failures to nghttp2 codes.

/// The session behind `userData`, lent to `body` without the retain and release that a strong reference costs
/// (1–2% of a unary call's CPU: nghttp2 calls back about fifteen times per RPC). Sound because the session outlives
/// every callback: callbacks run only inside its own calls into nghttp2.
private func withOwner<Result>(_ userData: UnsafeMutableRawPointer, _ body: (NGHTTP2Session) -> Result) -> Result {
    Unmanaged<NGHTTP2Session>.fromOpaque(userData)._withUnsafeGuaranteedRef(body)
}

private func onSend(
    _ session: OpaquePointer?, _ data: UnsafePointer<UInt8>?, _ length: Int, _ flags: Int32,
    _ userData: UnsafeMutableRawPointer?
) -> Int {
    guard let userData, let data else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    withOwner(userData) { $0.sendBytes(UnsafeRawBufferPointer(start: data, count: length)) }
    return length
}

private func onSendData(
    _ session: OpaquePointer?, _ frame: UnsafeMutablePointer<nghttp2_frame>?, _ frameHeader: UnsafePointer<UInt8>?,
    _ length: Int, _ source: UnsafeMutablePointer<nghttp2_data_source>?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let userData, let frame, let frameHeader else { return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue }
    withOwner(userData) {
        $0.sendData(
            streamID: frame.pointee.hd.stream_id, frameHeader: UnsafeRawBufferPointer(start: frameHeader, count: 9),
            length: length, padding: frame.pointee.data.padlen)
    }
    return 0
}

private func onReadData(
    _ session: OpaquePointer?, _ streamID: Int32, _ buffer: UnsafeMutablePointer<UInt8>?, _ length: Int,
    _ flags: UnsafeMutablePointer<UInt32>?, _ source: UnsafeMutablePointer<nghttp2_data_source>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int {
    guard let userData, let flags else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    return withOwner(userData) { $0.readData(streamID: streamID, maxLength: length, flags: &flags.pointee) }
}

private func onBeginHeaders(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let userData, let frame else { return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue }
    withOwner(userData) { $0.beginHeaders(streamID: frame.pointee.hd.stream_id) }
    return 0
}

private func onHeader(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ name: UnsafePointer<UInt8>?, _ nameLength: Int,
    _ value: UnsafePointer<UInt8>?, _ valueLength: Int, _ flags: UInt8, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let userData, let frame else { return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue }
    let accepted = withOwner(userData) {
        $0.header(
            streamID: frame.pointee.hd.stream_id,
            name: UnsafeBufferPointer(start: name, count: nameLength),
            value: UnsafeBufferPointer(start: value, count: valueLength))
    }
    // Too large a header block: reset this stream only (RST_STREAM), the connection lives on.
    return accepted ? 0 : NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue
}

private func onFrameReceived(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let userData, let frame else { return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue }
    withOwner(userData) { $0.frameReceived(frame) }
    return 0
}

private func onDataChunk(
    _ session: OpaquePointer?, _ flags: UInt8, _ streamID: Int32, _ data: UnsafePointer<UInt8>?, _ length: Int,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let userData, let data else { return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue }
    withOwner(userData) { $0.dataChunk(streamID: streamID, bytes: UnsafeRawBufferPointer(start: data, count: length)) }
    return 0
}

private func onStreamClose(
    _ session: OpaquePointer?, _ streamID: Int32, _ errorCode: UInt32, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let userData else { return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue }
    withOwner(userData) { $0.streamClosed(streamID: streamID, errorCode: errorCode) }
    return 0
}
