import Foundation

/// The entries of a comma-separated setting (`"a, b,,c"` gives a, b, c); none for nil.
func commaSeparated(_ text: String?) -> [String] {
    (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// Administrator usernames: the `--admins` flag, else `$FILEFLOW_ADMINS`. The gateway and the services read the
/// same list, so all agree on who may see admin-only figures, purge or rebuild.
func administratorNames(_ flag: String?) -> Set<String> {
    Set(commaSeparated(flag ?? ProcessInfo.processInfo.environment["FILEFLOW_ADMINS"]))
}
