/// One file as the parser leaves it, before type resolution.
///
/// Message and enum references are still the names as written, stored as `.message(name)`; the positions needed
/// to resolve them and to report errors at the exact type name live in side tables keyed by the declaration's
/// location (unique within a file), so the public AST stays free of parser bookkeeping.
struct ParsedFile: Sendable {
    struct Import: Sendable {
        enum Kind: Sendable { case plain, `public`, weak }
        var path: String
        var kind: Kind
        var location: SourceLocation
    }

    var file: ProtoFile
    var imports: [Import]
    /// Field location → location of the field's type name (for map fields: the value type name).
    var fieldTypeLocations: [SourceLocation: SourceLocation] = [:]
    /// Method location → locations of its input and output type names.
    var methodTypeLocations: [SourceLocation: (input: SourceLocation, output: SourceLocation)] = [:]
    /// Field location → location of its `packed` option, for `[packed = true]` on a type that cannot be packed.
    var packedOptionLocations: [SourceLocation: SourceLocation] = [:]
}
