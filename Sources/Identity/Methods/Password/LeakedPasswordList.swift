import Cryptography
import Foundation

/// A list of leaked passwords stored as a memory-mapped file of sorted 64-bit keys, searched by bisection.
///
/// File layout (all integers big-endian):
/// - 8 bytes magic `LAPWLST1`, 8 bytes entry count `n`;
/// - `n` strictly increasing `UInt64` keys, each the first 8 bytes of SHA-1 over the UTF-8 of the password's
///   NFKC form. The public breach corpus hashes the raw UTF-8 bytes instead; for ASCII passwords (nearly all of
///   it) the two agree, and non-ASCII entries of that corpus simply match their own NFC/NFKC-identical forms.
///
/// 64 bits keep a billion entries at 8 GB while the chance that a fresh password collides stays below 1 in 10^10.
public struct LeakedPasswordList: LeakedPasswordChecking {
    static let magic = Array("LAPWLST1".utf8)
    static let headerSize = 16
    static let keySize = 8

    /// The mapped file: pages are read by the kernel only when a lookup touches them.
    private let storage: Data
    /// How many keys the file holds.
    public let count: Int

    /// Maps the file and checks its header and size; the keys themselves are not read here.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw LeakedPasswordListError.unreadable(path: url.path, reason: String(describing: error))
        }
        guard data.count >= Self.headerSize else {
            throw LeakedPasswordListError.truncated(
                path: url.path, expectedBytes: Self.headerSize, actualBytes: data.count)
        }
        guard Array(data.prefix(Self.magic.count)) == Self.magic else {
            throw LeakedPasswordListError.notAList(path: url.path)
        }
        let declared = data.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
        let available = UInt64(data.count - Self.headerSize) / UInt64(Self.keySize)
        guard declared == available, UInt64(data.count - Self.headerSize) % UInt64(Self.keySize) == 0 else {
            let expected = declared.multipliedReportingOverflow(by: UInt64(Self.keySize))
            throw LeakedPasswordListError.truncated(
                path: url.path,
                expectedBytes: expected.overflow ? Int.max : Int(clamping: expected.partialValue) + Self.headerSize,
                actualBytes: data.count)
        }
        storage = data
        count = Int(declared)
    }

    /// True when the NFKC form of the password, or its lower-case form, is in the list. The lower-case form is
    /// checked too because common-password lists are lower-cased and "Password1" is as guessable as "password1".
    public func isLeaked(_ password: String) -> Bool {
        let normalized = PasswordPolicy.normalize(password)
        if contains(key: Self.key(normalized)) { return true }
        let folded = normalized.lowercased()
        return folded != normalized && contains(key: Self.key(folded))
    }

    /// The stored key of an already normalised password.
    static func key(_ normalized: String) -> UInt64 {
        key(digest: Digest.sha1(Array(normalized.utf8)))
    }

    /// The key of a SHA-1 digest: its first eight bytes, read big-endian so that key order is digest order.
    static func key(digest: some Collection<UInt8>) -> UInt64 {
        digest.prefix(keySize).reduce(0) { $0 << 8 | UInt64($1) }
    }

    func contains(key: UInt64) -> Bool {
        storage.withUnsafeBytes { raw in
            var low = 0
            var high = count
            while low < high {
                let middle = low + (high - low) / 2
                let value = Self.key(at: middle, in: raw)
                if value == key { return true }
                if value < key { low = middle + 1 } else { high = middle }
            }
            return false
        }
    }

    private static func key(at index: Int, in raw: UnsafeRawBufferPointer) -> UInt64 {
        UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: headerSize + index * keySize, as: UInt64.self))
    }

    /// All keys in file order; used when merging an existing list into a new one.
    func keys() -> [UInt64] {
        storage.withUnsafeBytes { raw in
            (0..<count).map { Self.key(at: $0, in: raw) }
        }
    }

    /// Reads every key to confirm strict order (a damaged middle would make lookups miss); for `appliance check`.
    public func verifyOrder() throws {
        let unordered = storage.withUnsafeBytes { raw -> Int? in
            var previous: UInt64?
            for index in 0..<count {
                let value = Self.key(at: index, in: raw)
                if let previous, previous >= value { return index }
                previous = value
            }
            return nil
        }
        if let unordered { throw LeakedPasswordListError.unordered(entry: unordered) }
    }
}

/// Why a leaked-password list could not be opened, checked or written.
public enum LeakedPasswordListError: Error, Equatable {
    case unreadable(path: String, reason: String)
    case notAList(path: String)
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    case unordered(entry: Int)
    case writeFailed(path: String, reason: String)
}
