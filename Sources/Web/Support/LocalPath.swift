/// Where the user may be sent back to after signing in: a path on this site only, never another host.
enum LocalPath {
    static func sanitize(_ raw: String?) -> String? {
        guard let raw, raw.hasPrefix("/"), raw.utf8.count <= 512 else { return nil }
        // "//host" and "/\host" are read by browsers as another host.
        if raw.hasPrefix("//") || raw.hasPrefix("/\\") { return nil }
        if raw.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F || $0 == "\\" }) { return nil }
        return raw
    }
}
