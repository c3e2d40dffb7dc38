import Foundation

/// Rendered pages that depend on nothing but the language, the path and a few query values
/// (the anonymous sign-in page, above all). Entries keep a slot for the per-browser CSRF token;
/// the cache is bounded and simply emptied when full.
final class PageCache: @unchecked Sendable {
    /// Stands in for the CSRF token while rendering. Mustache escapes it to `&lt;…&gt;`, and cached
    /// pages hold no user input, so the escaped form can only be the slot itself.
    static let csrfSlot = "<csrf-slot>"
    static let escapedSlot = "&lt;csrf-slot&gt;"
    static let capacity = 256

    private let lock = NSLock()
    /// Each page split at its CSRF slots.
    private var pages: [String: [String]] = [:]

    func page(_ key: String, csrf: String, render: () throws -> String) rethrows -> String {
        if let parts = lock.withLock({ pages[key] }) { return parts.joined(separator: csrf) }
        let parts = try render().components(separatedBy: Self.escapedSlot)
        lock.withLock {
            if pages.count >= Self.capacity { pages.removeAll(keepingCapacity: true) }
            pages[key] = parts
        }
        return parts.joined(separator: csrf)
    }
}
