import Foundation
import Testing

@testable import Telemetry

/// A tracer whose reporter writes spans to a temporary JSON-lines file, read back once the test is done.
struct RecordingTracer {
    let tracer: ZipkinTracer
    private let path: String

    init(service: String, sampleRate: Double = 1) throws {
        path = Support.temporaryPath("spans.jsonl")
        let reporter = try ZipkinReporter(configuration: .init(traceFile: path))
        tracer = ZipkinTracer(serviceName: service, sampleRate: sampleRate, reporter: reporter)
    }

    /// Stops the reporter and returns the spans it wrote, each a decoded Zipkin v2 JSON object.
    func spans() throws -> [[String: Any]] {
        #expect(tracer.reporter?.shutdown(timeout: 10) == true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }
}

extension [[String: Any]] {
    func named(_ name: String) -> [[String: Any]] { filter { $0["name"] as? String == name } }
}

extension [String: Any] {
    var tags: [String: String] { self["tags"] as? [String: String] ?? [:] }
    var id: String? { self["id"] as? String }
    var parentID: String? { self["parentId"] as? String }
    var traceID: String? { self["traceId"] as? String }
    var kind: String? { self["kind"] as? String }
}

/// Reads samples out of Prometheus text.
enum Exposition {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    static func samples(_ text: String) -> [Sample] {
        text.split(separator: "\n").compactMap { line -> Sample? in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "),
                let value = Double(line[line.index(after: space)...])
            else { return nil }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else {
                return Sample(name: String(series), labels: [:], value: value)
            }
            let labelText = series[series.index(after: brace)...].dropLast()
            return Sample(name: String(series[..<brace]), labels: labels(labelText), value: value)
        }
    }

    /// `a="x",b="y \"q\""` into a dictionary, undoing the format's escapes.
    static func labels(_ text: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var rest = text[...]
        while let equals = rest.firstIndex(of: "=") {
            let name = String(rest[..<equals])
            var value = ""
            var index = rest.index(equals, offsetBy: 2)  // past `="`
            while index < rest.endIndex, rest[index] != "\"" {
                if rest[index] == "\\" {
                    index = rest.index(after: index)
                    value.append(rest[index] == "n" ? "\n" : rest[index])
                } else {
                    value.append(rest[index])
                }
                index = rest.index(after: index)
            }
            result[name] = value
            rest = rest[rest.index(after: index)...].drop { $0 == "," }
        }
        return result
    }

    /// The value of the one sample of `name` whose labels include `labels`; nil when there is none.
    static func value(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples(text).filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
        #expect(matching.count <= 1, "\(name) \(labels) matches \(matching.count) samples")
        return matching.first?.value
    }
}
