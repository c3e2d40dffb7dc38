/// A point on the canvas, in pixels from the top-left corner.
struct CanvasPoint {
    var x: Double
    var y: Double
}

/// An 8-bit greyscale drawing surface with anti-aliased thick polylines, for the CAPTCHA image.
struct GreyCanvas {
    let width: Int
    let height: Int
    private(set) var pixels: [Double]

    init(width: Int, height: Int, fill: (Int, Int) -> Double) {
        self.width = width
        self.height = height
        pixels = (0..<height).flatMap { y in (0..<width).map { x in fill(x, y) } }
    }

    /// Draws the polylines as one shape, so that where segments meet the ink is not laid twice.
    mutating func stroke(_ polylines: [[CanvasPoint]], thickness: Double, ink: Double) {
        var coverage = [Double](repeating: 0, count: pixels.count)
        let reach = thickness / 2 + 0.5
        for polyline in polylines {
            for (a, b) in zip(polyline, polyline.dropFirst()) {
                let left = max(0, Int((min(a.x, b.x) - reach).rounded(.down)))
                let right = min(width - 1, Int((max(a.x, b.x) + reach).rounded(.up)))
                let top = max(0, Int((min(a.y, b.y) - reach).rounded(.down)))
                let bottom = min(height - 1, Int((max(a.y, b.y) + reach).rounded(.up)))
                guard left <= right, top <= bottom else { continue }
                for y in top...bottom {
                    for x in left...right {
                        let centre = CanvasPoint(x: Double(x) + 0.5, y: Double(y) + 0.5)
                        let cover = min(1, max(0, reach - Self.distance(from: centre, toSegment: a, b)))
                        coverage[y * width + x] = max(coverage[y * width + x], cover)
                    }
                }
            }
        }
        for index in pixels.indices where coverage[index] > 0 {
            pixels[index] += (ink - pixels[index]) * coverage[index]
        }
    }

    /// Sets one pixel, ignoring points outside the canvas.
    mutating func dot(x: Int, y: Int, ink: Double) {
        guard (0..<width).contains(x), (0..<height).contains(y) else { return }
        pixels[y * width + x] = ink
    }

    var greyLevels: [UInt8] {
        pixels.map { UInt8(min(255, max(0, $0.rounded()))) }
    }

    private static func distance(from p: CanvasPoint, toSegment a: CanvasPoint, _ b: CanvasPoint) -> Double {
        let dx = b.x - a.x
        let dy = b.y - a.y
        let lengthSquared = dx * dx + dy * dy
        let t = lengthSquared == 0 ? 0 : min(1, max(0, ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared))
        let ex = p.x - (a.x + t * dx)
        let ey = p.y - (a.y + t * dy)
        return (ex * ex + ey * ey).squareRoot()
    }
}
