/// An independent PNG reader for the tests: checks chunk CRCs and inflates stored deflate blocks.
enum PNGReader {
    struct Chunk {
        let type: String
        let data: [UInt8]
    }

    /// The chunks of `png`, or nil when the signature, a length or a CRC is wrong.
    static func chunks(_ png: [UInt8]) -> [Chunk]? {
        guard png.count >= 8, Array(png[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { return nil }
        var chunks: [Chunk] = []
        var offset = 8
        while offset < png.count {
            guard offset + 12 <= png.count else { return nil }
            let length = Int(bigEndian(png, at: offset))
            guard offset + 12 + length <= png.count else { return nil }
            let typed = Array(png[offset + 4..<offset + 8 + length])
            guard bigEndian(png, at: offset + 8 + length) == crc32(typed) else { return nil }
            chunks.append(
                Chunk(type: String(decoding: typed.prefix(4), as: UTF8.self), data: Array(typed.dropFirst(4))))
            offset += 12 + length
        }
        return chunks.last?.type == "IEND" ? chunks : nil
    }

    /// The grey levels of an 8-bit greyscale PNG whose rows all use filter 0.
    static func greyPixels(_ png: [UInt8]) -> [UInt8]? {
        guard let chunks = chunks(png), let header = chunks.first, header.type == "IHDR" else { return nil }
        let width = Int(bigEndian(header.data, at: 0))
        let height = Int(bigEndian(header.data, at: 4))
        let compressed = chunks.filter { $0.type == "IDAT" }.flatMap(\.data)
        guard let raw = inflateStored(compressed), raw.count == (width + 1) * height else { return nil }
        var pixels: [UInt8] = []
        for row in 0..<height {
            guard raw[row * (width + 1)] == 0 else { return nil }
            pixels += raw[row * (width + 1) + 1..<(row + 1) * (width + 1)]
        }
        return pixels
    }

    /// Inflates a zlib stream made only of stored blocks, checking the header, block lengths and Adler-32.
    static func inflateStored(_ stream: [UInt8]) -> [UInt8]? {
        guard stream.count >= 6, stream[0] & 0x0F == 8, (UInt16(stream[0]) << 8 | UInt16(stream[1])) % 31 == 0
        else { return nil }
        var out: [UInt8] = []
        var offset = 2
        var last = false
        while !last {
            guard offset + 5 <= stream.count, stream[offset] & 0x06 == 0 else { return nil }
            last = stream[offset] & 1 == 1
            let length = Int(stream[offset + 1]) | Int(stream[offset + 2]) << 8
            let complement = Int(stream[offset + 3]) | Int(stream[offset + 4]) << 8
            guard length ^ complement == 0xFFFF, offset + 5 + length <= stream.count else { return nil }
            out += stream[offset + 5..<offset + 5 + length]
            offset += 5 + length
        }
        guard offset + 4 == stream.count, bigEndian(stream, at: offset) == adler32(out) else { return nil }
        return out
    }

    static func bigEndian(_ bytes: [UInt8], at index: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 8 | UInt32(bytes[index + $1]) }
    }

    /// Bit by bit, unlike the encoder's table, so that the two do not share a mistake.
    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }

    private static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }
}
