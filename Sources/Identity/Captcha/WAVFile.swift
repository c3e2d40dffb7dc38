/// 16-bit PCM sound: interleaved samples with their rate and channel count.
struct PCMAudio: Equatable {
    var sampleRate: Int
    var channels: Int
    var samples: [Int16]
}

/// Reads and writes 16-bit PCM RIFF/WAVE files.
enum WAVFile {
    /// The PCM audio in `bytes`, or nil when they are not a 16-bit PCM WAVE file with samples.
    /// A data chunk longer than the file is cut to what is there: programs that stream a WAV
    /// to a pipe (espeak-ng `--stdout`) cannot seek back to write the real length.
    static func parse(_ bytes: [UInt8]) -> PCMAudio? {
        guard bytes.count >= 12, Array(bytes[0..<4]) == riff, Array(bytes[8..<12]) == wave else { return nil }
        var offset = 12
        var format: (channels: Int, rate: Int)?
        while offset + 8 <= bytes.count {
            let id = Array(bytes[offset..<offset + 4])
            let declared = Int(littleEndian32(bytes, at: offset + 4))
            let start = offset + 8
            let size = min(declared, bytes.count - start)
            if id == fmt {
                guard size >= 16, littleEndian16(bytes, at: start) == 1, littleEndian16(bytes, at: start + 14) == 16
                else { return nil }
                let channels = Int(littleEndian16(bytes, at: start + 2))
                let rate = Int(littleEndian32(bytes, at: start + 4))
                guard channels > 0, rate > 0 else { return nil }
                format = (channels, rate)
            } else if id == data {
                guard let format else { return nil }
                let samples = stride(from: start, to: start + size - 1, by: 2).map {
                    Int16(bitPattern: littleEndian16(bytes, at: $0))
                }
                guard !samples.isEmpty else { return nil }
                return PCMAudio(sampleRate: format.rate, channels: format.channels, samples: samples)
            }
            offset = start + size + size % 2
        }
        return nil
    }

    static func encode(_ audio: PCMAudio) -> [UInt8] {
        let dataSize = UInt32(audio.samples.count * 2)
        let blockAlign = UInt16(audio.channels * 2)
        var out = riff
        out.appendLittleEndian(36 + dataSize)
        out += wave + fmt
        out.appendLittleEndian(UInt32(16))
        out.appendLittleEndian(UInt16(1))  // PCM
        out.appendLittleEndian(UInt16(audio.channels))
        out.appendLittleEndian(UInt32(audio.sampleRate))
        out.appendLittleEndian(UInt32(audio.sampleRate) * UInt32(blockAlign))
        out.appendLittleEndian(blockAlign)
        out.appendLittleEndian(UInt16(16))
        out += data
        out.appendLittleEndian(dataSize)
        out.reserveCapacity(out.count + audio.samples.count * 2)
        for sample in audio.samples { out.appendLittleEndian(UInt16(bitPattern: sample)) }
        return out
    }

    private static let riff = Array("RIFF".utf8)
    private static let wave = Array("WAVE".utf8)
    private static let fmt = Array("fmt ".utf8)
    private static let data = Array("data".utf8)

    private static func littleEndian16(_ bytes: [UInt8], at index: Int) -> UInt16 {
        UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8
    }

    private static func littleEndian32(_ bytes: [UInt8], at index: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[index + $1]) << (8 * UInt32($1)) }
    }
}

extension [UInt8] {
    fileprivate mutating func appendLittleEndian(_ value: some FixedWidthInteger) {
        for shift in stride(from: 0, to: value.bitWidth, by: 8) { append(UInt8(truncatingIfNeeded: value >> shift)) }
    }
}
