import Foundation

/// Prints the measurements as a Markdown table (paste-able into the README) and says which goals were missed.
enum Report {
    static func table(_ measurements: [Measurement]) -> String {
        let header = [
            "case", "op", "size", "ours ns/op", "swift-protobuf ns/op", "ratio", "ours allocs/op",
            "swift-protobuf allocs/op", "goal", "met",
        ]
        let rows = measurements.map { m in
            [
                m.comparison.caseName, m.comparison.operation.rawValue, bytes(m.comparison.encodedSize),
                nanoseconds(m.ourNanoseconds), nanoseconds(m.peerNanoseconds), String(format: "%.2f×", m.ratio),
                allocations(m.ourAllocations), allocations(m.peerAllocations), m.comparison.goal.summary,
                verdict(m),
            ]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            "| " + zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }
                .joined(separator: " | ") + " |"
        }
        let rule = "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }

    /// One line per missed goal, empty when all were met.
    static func misses(_ measurements: [Measurement]) -> [String] {
        measurements.compactMap { m in
            let name = "\(m.comparison.caseName) \(m.comparison.operation.rawValue)"
            var reasons: [String] = []
            if !m.speedGoalMet {
                reasons.append(String(format: "ratio %.2f× < %.1f×", m.ratio, m.comparison.goal.minimumRatio))
            }
            switch m.allocationGoalMet {
            case false?:
                reasons.append(String(format: "%.1f allocs/op > %.0f", m.ourAllocations ?? 0,
                                      m.comparison.goal.maximumOurAllocations ?? 0))
            case nil:
                reasons.append("allocations not counted (run through proto/run.sh, which preloads the interposer)")
            default:
                break
            }
            return reasons.isEmpty ? nil : "\(name): " + reasons.joined(separator: "; ")
        }
    }

    private static func verdict(_ m: Measurement) -> String {
        guard let allocationsMet = m.allocationGoalMet else { return m.speedGoalMet ? "? (allocs)" : "no" }
        return m.speedGoalMet && allocationsMet ? "yes" : "no"
    }

    private static func nanoseconds(_ value: Double) -> String {
        value < 1_000 ? String(format: "%.1f", value) : grouped(Int(value.rounded()))
    }

    private static func allocations(_ value: Double?) -> String {
        guard let value else { return "n/a" }
        return value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }

    private static func bytes(_ count: Int) -> String {
        count >= 1 << 20 ? String(format: "%.2f MiB", Double(count) / Double(1 << 20)) : "\(grouped(count)) B"
    }

    private static func grouped(_ value: Int) -> String {
        var digits = String(value)
        var index = digits.count - 3
        while index > 0 {
            digits.insert(",", at: digits.index(digits.startIndex, offsetBy: index))
            index -= 3
        }
        return digits
    }
}
