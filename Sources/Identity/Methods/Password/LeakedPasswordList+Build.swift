import Basics
import Foundation

extension LeakedPasswordList {
    /// What one build read and wrote.
    public struct BuildReport: Sendable, Equatable {
        /// Keys in the written file (unique, existing ones included).
        public let entries: Int
        /// Lines skipped because they were not valid UTF-8.
        public let invalidLines: Int
    }

    /// Builds a list file from text inputs, keeping the keys of `existing` too, and returns the entry count.
    /// See `buildWithReport` for the input format.
    @discardableResult
    public static func build(inputs: [URL], merging existing: URL?, output: URL) throws -> Int {
        try buildWithReport(inputs: inputs, merging: existing, output: output).entries
    }

    /// Builds a list file; each input line is a plain password, or a SHA-1 as 40 hex digits optionally followed
    /// by `:COUNT` (the public breach corpus format, any case). A plain password that happens to be 40 hex digits
    /// is taken as a hash. Blank lines are ignored, CRLF is accepted, lines that are not UTF-8 are counted and
    /// skipped. The file is written beside `output` and renamed over it, so readers never see half a file;
    /// `existing` may be `output` itself.
    public static func buildWithReport(inputs: [URL], merging existing: URL?, output: URL) throws -> BuildReport {
        var keys: [UInt64] = []
        if let existing { keys = try LeakedPasswordList(contentsOf: existing).keys() }
        var invalidLines = 0
        for input in inputs {
            let data: Data
            do {
                data = try Data(contentsOf: input, options: .alwaysMapped)
            } catch {
                throw LeakedPasswordListError.unreadable(path: input.path, reason: String(describing: error))
            }
            data.withUnsafeBytes { raw in
                forEachLine(UnsafeRawBufferPointer(raw)) { line in
                    switch parse(line) {
                    case .key(let key): keys.append(key)
                    case .blank: break
                    case .invalid: invalidLines += 1
                    }
                }
            }
        }
        keys.sort()
        let unique = deduplicateSorted(&keys)
        try write(keys.prefix(unique), to: output)
        return BuildReport(entries: unique, invalidLines: invalidLines)
    }

    enum ParsedLine: Equatable {
        case key(UInt64)
        case blank
        case invalid
    }

    /// One input line without its line feed; a trailing carriage return is dropped here.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> ParsedLine {
        var line = bytes
        if line.last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        if let hashKey = hashKey(line) { return .key(hashKey) }
        guard let text = String(validating: line, as: UTF8.self) else { return .invalid }
        if text.allSatisfy(\.isWhitespace) { return .blank }
        return .key(key(PasswordPolicy.normalize(text)))
    }

    /// The key of a `HEX40` or `HEX40:COUNT` line, or nil when the line is not one.
    static func hashKey(_ line: UnsafeRawBufferPointer) -> UInt64? {
        guard line.count >= 40 else { return nil }
        if line.count > 40 {
            guard line[40] == UInt8(ascii: ":"), line.count > 41,
                line[41...].allSatisfy({ (0x30...0x39).contains($0) })
            else { return nil }
        }
        var key: UInt64 = 0
        for index in 0..<40 {
            guard let nibble = Hex.nibble(line[index]) else { return nil }
            if index < 16 { key = key << 4 | UInt64(nibble) }
        }
        return key
    }

    private static func forEachLine(_ raw: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        guard let base = raw.baseAddress else { return }
        var start = 0
        while start < raw.count {
            // memchr: this loop runs over files of tens of gigabytes.
            let found = memchr(base + start, 0x0A, raw.count - start)
            let end = found.map { base.distance(to: UnsafeRawPointer($0)) } ?? raw.count
            body(UnsafeRawBufferPointer(start: base + start, count: end - start))
            start = end + 1
        }
    }

    /// Moves unique values of a sorted array to its front and returns how many there are.
    private static func deduplicateSorted(_ keys: inout [UInt64]) -> Int {
        guard !keys.isEmpty else { return 0 }
        var written = 1
        for index in 1..<keys.count where keys[index] != keys[written - 1] {
            keys[written] = keys[index]
            written += 1
        }
        return written
    }

    private static func write(_ keys: ArraySlice<UInt64>, to output: URL) throws {
        let temporary = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        let fail = { (reason: String) in LeakedPasswordListError.writeFailed(path: output.path, reason: reason) }
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: temporary)
        else { throw fail("cannot create \(temporary.path)") }
        do {
            var header = Data(magic)
            withUnsafeBytes(of: UInt64(keys.count).bigEndian) { header.append(contentsOf: $0) }
            try handle.write(contentsOf: header)
            let chunk = 1 << 16
            var start = keys.startIndex
            while start < keys.endIndex {
                let end = min(start + chunk, keys.endIndex)
                let bigEndian = keys[start..<end].map(\.bigEndian)
                try handle.write(contentsOf: bigEndian.withUnsafeBytes { Data($0) })
                start = end
            }
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
            throw fail(String(describing: error))
        }
        guard rename(temporary.path, output.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw fail(reason)
        }
    }
}
