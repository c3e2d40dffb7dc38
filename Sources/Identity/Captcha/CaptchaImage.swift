import Basics
import Foundation

/// The CAPTCHA picture: the code drawn with randomly distorted glyphs, crossed by curves and speckles, as a PNG.
public enum CaptchaImage {
    public static let width = 200
    public static let height = 70

    /// A greyscale PNG of `code`; the same code and random sequence always give the same bytes.
    /// Characters outside `CaptchaCode.alphabet` leave an empty cell.
    public static func png(for code: String, random: some RandomSource) -> [UInt8] {
        let dice = Dice(random: random)
        let shade = dice.between(-8, 8)
        var canvas = GreyCanvas(width: width, height: height) { x, _ in
            244 + shade * (Double(x) / Double(width) - 0.5)
        }
        speckle(&canvas, count: 220, dice: dice)
        drawText(code, on: &canvas, dice: dice)
        for _ in 0..<3 {
            canvas.stroke([curve(dice)], thickness: dice.between(1.2, 2.0), ink: dice.between(60, 110))
        }
        speckle(&canvas, count: 120, dice: dice)
        return PNGEncoder.greyscale(width: width, height: height, pixels: canvas.greyLevels)
    }

    private static let margin = 12.0

    /// Each glyph gets its own rotation, shear, scale and offset so that no template matches them all.
    private static func drawText(_ code: String, on canvas: inout GreyCanvas, dice: Dice<some RandomSource>) {
        let characters = Array(code)
        guard !characters.isEmpty else { return }
        let cell = (Double(width) - 2 * margin) / Double(characters.count)
        // Glyphs are condensed (narrower than tall) so that rotated neighbours do not touch.
        let baseHeight = min(6.4, cell / 4.0)
        let baseWidth = min(5.4, cell / 5.4)
        for (index, character) in characters.enumerated() {
            let angle = dice.between(-0.25, 0.25)
            let shear = dice.between(-0.22, 0.22)
            let scale = dice.between(0.9, 1.08)
            let centre = CanvasPoint(
                x: margin + cell * (Double(index) + 0.5) + dice.between(-1.5, 1.5),
                y: Double(height) / 2 + dice.between(-6, 6)
            )
            let thickness = dice.between(3.0, 3.6)
            let ink = dice.between(15, 60)
            guard let strokes = CaptchaFont.strokes(for: character) else { continue }
            let placed = strokes.map { polyline in
                polyline.map { point -> CanvasPoint in
                    let y = (point.y - CaptchaFont.height / 2) * baseHeight * scale
                    let x = (point.x - CaptchaFont.width / 2) * baseWidth * scale + shear * y
                    return CanvasPoint(
                        x: centre.x + x * cos(angle) - y * sin(angle),
                        y: centre.y + x * sin(angle) + y * cos(angle)
                    )
                }
            }
            canvas.stroke(placed, thickness: thickness, ink: ink)
        }
    }

    /// A cubic Bézier from the left edge to the right edge, wandering across the text band.
    private static func curve(_ dice: Dice<some RandomSource>) -> [CanvasPoint] {
        let controls = [
            CanvasPoint(x: dice.between(-10, 20), y: dice.between(10, 60)),
            CanvasPoint(x: dice.between(40, 90), y: dice.between(-10, 80)),
            CanvasPoint(x: dice.between(110, 160), y: dice.between(-10, 80)),
            CanvasPoint(x: dice.between(180, 210), y: dice.between(10, 60)),
        ]
        return (0...48).map { step in
            let t = Double(step) / 48
            let u = 1 - t
            let weights = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t]
            return CanvasPoint(
                x: zip(weights, controls).reduce(0) { $0 + $1.0 * $1.1.x },
                y: zip(weights, controls).reduce(0) { $0 + $1.0 * $1.1.y }
            )
        }
    }

    private static func speckle(_ canvas: inout GreyCanvas, count: Int, dice: Dice<some RandomSource>) {
        for _ in 0..<count {
            canvas.dot(x: dice.random.uniform(width), y: dice.random.uniform(height), ink: dice.between(70, 200))
        }
    }
}

/// Real numbers drawn from a `RandomSource`, for the image's distortions.
struct Dice<Source: RandomSource> {
    let random: Source

    /// A value in `low..<high`, with 2^24 steps: finer than a pixel needs.
    func between(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(random.uniform(1 << 24)) / Double(1 << 24)
    }
}
