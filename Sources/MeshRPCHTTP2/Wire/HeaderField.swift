/// One HTTP/2 header field as the session delivers and accepts it.
struct HeaderField: Hashable, Sendable {
    var name: String
    var value: String

    init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HeaderField {
    /// The first value of `name` (names are lowercase on HTTP/2).
    func first(_ name: String) -> String? {
        for field in self where field.name == name { return field.value }
        return nil
    }
}
