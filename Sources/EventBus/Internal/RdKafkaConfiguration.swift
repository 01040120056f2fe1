internal import CRdKafka
import Logging

/// Builds an `rd_kafka_conf_t` from string properties, failing with the property librdkafka refused.
///
/// Every handle built from it logs through swift-log (`fileflow.kafka`), so librdkafka's own lines (a broker
/// going away, a failed heartbeat, a rebalance) are JSON lines like the rest instead of raw stderr; notices and
/// worse by default (`log_level` 5), which keeps a healthy client quiet.
enum RdKafkaConfiguration {
    static func make(_ properties: [String: String]) throws -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in (["log_level": "5"].merging(properties) { $1 }).sorted(by: { $0.key < $1.key }) {
            guard rd_kafka_conf_set(conf, name, value, &errorText, errorText.count) == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(.configuration, "\(name)=\(value): \(text(errorText))")
            }
        }
        rd_kafka_conf_set_log_cb(conf, logTrampoline)
        return conf
    }

    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func errorText(_ code: rd_kafka_resp_err_t) -> String { String(cString: rd_kafka_err2str(code)) }
}

/// The logger librdkafka's lines and the consumer's own notes go to.
let kafkaLogger = Logger(label: "fileflow.kafka")

/// librdkafka's log callback (called on its internal threads): syslog levels mapped onto swift-log's.
private func logTrampoline(
    _ handle: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ line: UnsafePointer<CChar>?
) {
    let swiftLevel: Logger.Level =
        switch level {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    kafkaLogger.log(
        level: swiftLevel, "\(line.map { String(cString: $0) } ?? "")",
        metadata: [
            "client": "\(handle.map { String(cString: rd_kafka_name($0)) } ?? "")",
            "facility": "\(facility.map { String(cString: $0) } ?? "")",
        ])
}
