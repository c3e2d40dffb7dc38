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

    private static let escapedSlotBytes = Array(escapedSlot.utf8)

    /// What a cached page depends on. The parts stay separate (hashed and compared one by one) rather than joined
    /// into one text: no two different keys can then spell the same entry, and no text is built for each request.
    struct Key: Hashable {
        var template: String
        var language: String
        var showsNotice: Bool
        var path: String
        var query: String
        /// Whatever else the page shows, as the page's handler names it.
        var values: [String]
    }

    private let lock = NSLock()
    /// Each page as UTF-8 bytes, split at its CSRF slots: a hit is one copy into the response body.
    private var pages: [Key: [[UInt8]]] = [:]

    /// The page kept under `key` with `csrf` in its slots, if there is one. The token is only worked out (and a new
    /// browser only given its CSRF cookie) for a page that has a slot.
    func cached(_ key: Key, csrf: () -> String) -> [UInt8]? {
        lock.withLock { pages[key] }.map { Self.joined($0, csrf: csrf) }
    }

    /// Keeps `page` (rendered with `csrfSlot` for the token) under `key`; returns it with `csrf` in its slots.
    func store(_ key: Key, page: String, csrf: () -> String) -> [UInt8] {
        let parts = Self.split(Array(page.utf8))
        lock.withLock {
            if pages.count >= Self.capacity { pages.removeAll(keepingCapacity: true) }
            pages[key] = parts
        }
        return Self.joined(parts, csrf: csrf)
    }

    private static func joined(_ parts: [[UInt8]], csrf: () -> String) -> [UInt8] {
        guard parts.count > 1 else { return parts.first ?? [] }
        let token = Array(csrf().utf8)
        var body: [UInt8] = []
        body.reserveCapacity(parts.reduce(0) { $0 + $1.count } + token.count * (parts.count - 1))
        for (index, part) in parts.enumerated() {
            if index > 0 { body += token }
            body += part
        }
        return body
    }

    private static func split(_ page: [UInt8]) -> [[UInt8]] {
        page.split(separator: escapedSlotBytes, omittingEmptySubsequences: false).map(Array.init)
    }
}
