import Foundation

/// A point in glyph space: x in 0...4 from the left, y in 0...6 from the top.
struct GlyphPoint {
    var x: Double
    var y: Double
}

/// A stroke font for `CaptchaCode.alphabet`: each glyph is a few polylines in a 4 × 6 box.
/// Strokes rather than bitmaps so that glyphs stay smooth when rotated, sheared and scaled.
enum CaptchaFont {
    static let width = 4.0
    static let height = 6.0

    /// The polylines of `character`, or nil for a character outside the alphabet.
    static func strokes(for character: Character) -> [[GlyphPoint]]? {
        glyphs[Character(character.uppercased())]
    }

    private static let glyphs: [Character: [[GlyphPoint]]] = [
        "3": [arc(2, 1.5, 1.7, 1.4, from: 200, to: 450) + arc(2, 4.4, 1.8, 1.5, from: 270, to: 520)],
        "4": [line((3, 6), (3, 0), (0, 4), (4, 4))],
        "6": [arc(4, 4.2, 3.8, 4.0, from: 255, to: 180), arc(2, 4.3, 1.8, 1.6, from: 0, to: 360)],
        "7": [line((0, 0), (4, 0), (1.5, 6))],
        "9": [arc(2, 1.8, 1.8, 1.6, from: 0, to: 360), arc(0, 1.8, 3.8, 4.0, from: 0, to: 75)],
        "A": [line((0, 6), (2, 0), (4, 6)), line((0.8, 3.8), (3.2, 3.8))],
        "C": [arc(2.2, 3, 2.0, 3.0, from: 315, to: 45)],
        "D": [line((1.8, 6), (0.3, 6), (0.3, 0), (1.8, 0)) + arc(1.8, 3, 2.0, 3.0, from: 270, to: 450)],
        "E": [line((4, 0), (0.3, 0), (0.3, 6), (4, 6)), line((0.3, 3), (3.2, 3))],
        "F": [line((4, 0), (0.3, 0), (0.3, 6)), line((0.3, 3), (3.2, 3))],
        "H": [line((0.3, 0), (0.3, 6)), line((3.7, 0), (3.7, 6)), line((0.3, 3), (3.7, 3))],
        "J": [line((1.2, 0), (3.5, 0)), line((2.8, 0)) + arc(1.5, 4.4, 1.3, 1.6, from: 0, to: 160)],
        "K": [line((0.3, 0), (0.3, 6)), line((3.8, 0), (0.3, 3.6)), line((1.5, 2.4), (3.9, 6))],
        "M": [line((0, 6), (0.3, 0), (2, 4), (3.7, 0), (4, 6))],
        "N": [line((0.3, 6), (0.3, 0), (3.7, 6), (3.7, 0))],
        "P": [line((0.3, 6), (0.3, 0), (2.2, 0)) + arc(2.2, 1.6, 1.6, 1.6, from: 270, to: 450) + line((0.3, 3.2))],
        "R": [
            line((0.3, 6), (0.3, 0), (2.2, 0)) + arc(2.2, 1.6, 1.6, 1.6, from: 270, to: 450) + line((0.3, 3.2)),
            line((1.8, 3.2), (3.9, 6)),
        ],
        "T": [line((0, 0), (4, 0)), line((2, 0), (2, 6))],
        "U": [line((0.3, 0)) + arc(2, 4, 1.7, 2.0, from: 180, to: 0) + line((3.7, 0))],
        "V": [line((0, 0), (2, 6), (4, 0))],
        "W": [line((0, 0), (1, 6), (2, 2), (3, 6), (4, 0))],
        "X": [line((0.2, 0), (3.8, 6)), line((3.8, 0), (0.2, 6))],
        "Y": [line((0, 0), (2, 3), (4, 0)), line((2, 3), (2, 6))],
    ]

    private static func line(_ points: (Double, Double)...) -> [GlyphPoint] {
        points.map { GlyphPoint(x: $0.0, y: $0.1) }
    }

    /// An elliptical arc as a polyline; angles in degrees, y pointing down, so 90° is the bottom.
    private static func arc(
        _ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double, from start: Double, to end: Double
    ) -> [GlyphPoint] {
        let steps = max(4, Int(abs(end - start) / 12))
        return (0...steps).map { step in
            let angle = (start + (end - start) * Double(step) / Double(steps)) * .pi / 180
            return GlyphPoint(x: cx + rx * cos(angle), y: cy + ry * sin(angle))
        }
    }
}
