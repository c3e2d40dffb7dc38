import Basics
internal import CQREncode

/// A QR code made by libqrencode, rendered as SVG or PNG with a four-module quiet zone.
public struct QRCode: Sendable {
    /// Modules per side.
    public let size: Int
    /// `size` rows of `size` modules, top row first; true is dark.
    public let modules: [Bool]

    private static let quietZone = 4

    /// Encodes `text` as 8-bit data with error correction level M; nil when it does not fit a QR code.
    public init?(_ text: String) {
        guard let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else { return nil }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        size = width
        modules = (0..<width * width).map { code.pointee.data[$0] & 1 == 1 }
    }

    public func isDark(x: Int, y: Int) -> Bool { modules[y * size + x] }

    /// One path of unit squares in a viewBox of modules; scales without blurring.
    public func svg() -> String {
        let side = size + 2 * Self.quietZone
        var path = ""
        for y in 0..<size {
            for x in 0..<size where isDark(x: x, y: y) {
                path += "M\(x + Self.quietZone) \(y + Self.quietZone)h1v1h-1z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(side * 6)" height="\(side * 6)" \
            shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d="\(path)"/></svg>

            """
    }

    /// A greyscale PNG with `scale` pixels per module.
    public func png(scale: Int = 6) -> [UInt8] {
        let side = (size + 2 * Self.quietZone) * scale
        var pixels = [UInt8](repeating: 255, count: side * side)
        for y in 0..<size {
            for x in 0..<size where isDark(x: x, y: y) {
                for dy in 0..<scale {
                    let row = ((y + Self.quietZone) * scale + dy) * side
                    for dx in 0..<scale { pixels[row + (x + Self.quietZone) * scale + dx] = 0 }
                }
            }
        }
        return PNGEncoder.greyscale(width: side, height: side, pixels: pixels)
    }
}
