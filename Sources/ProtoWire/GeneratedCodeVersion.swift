/// Generated files declare a type conforming to this protocol, so code generated for an incompatible runtime
/// fails to compile with a message naming the version instead of failing in some unrelated generated line.
///
/// Bump the number (and the generator) when the contract between generated code and this runtime changes.
public protocol GeneratedCodeVersion_1 {}
