import Basics
import Foundation

/// A deterministic byte stream derived from a key: HMAC-SHA-256(key, counter) blocks. For randomness that must come out
/// the same every time for the same input, such as a CAPTCHA's distortions (so that fetching a challenge's image many
/// times gives nothing new to average out); never for secrets.
public final class KeyedStream: RandomSource, @unchecked Sendable {
    private let key: [UInt8]
    private let lock = NSLock()
    private var counter: UInt64 = 0
    private var buffer: [UInt8] = []

    public init(key: [UInt8]) {
        self.key = key
    }

    public func bytes(_ count: Int) -> [UInt8] {
        lock.withLock {
            while buffer.count < count {
                let block = withUnsafeBytes(of: counter.bigEndian) { Array($0) }
                buffer += HMAC.sha256(key: key, message: block)
                counter += 1
            }
            let output = Array(buffer.prefix(count))
            buffer.removeFirst(count)
            return output
        }
    }
}
