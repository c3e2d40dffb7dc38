/// Country calling codes (ITU-T E.164) with the lengths their national numbers may have, mobile numbers included.
/// Codes are prefix-free, so at most one entry matches a number.
enum CallingCodes {
    /// For a code not in the table: E.164 allows 15 digits, and no real subscriber number is shorter than 8.
    static let unknownTotalLength = 8...15

    /// The table entry whose code starts `digits`, if any.
    static func match(_ digits: String) -> (code: String, lengths: ClosedRange<Int>)? {
        for length in 1...3 where digits.count > length {
            let code = String(digits.prefix(length))
            if let lengths = nationalLengths[code] { return (code, lengths) }
        }
        return nil
    }

    static let nationalLengths: [String: ClosedRange<Int>] = [
        // North American Numbering Plan: the United States, Canada and the Caribbean.
        "1": 10...10,
        // EU and EEA.
        "30": 10...10, "31": 9...9, "32": 8...9, "33": 9...9, "34": 9...9, "36": 8...9, "39": 6...11, "40": 9...9,
        "43": 7...13, "45": 8...8, "46": 7...10, "47": 8...8, "48": 9...9, "49": 7...13, "351": 9...9, "352": 6...11,
        "353": 7...9, "354": 7...9, "356": 8...8, "357": 8...8, "358": 6...12, "359": 8...9, "370": 8...8, "371": 8...8,
        "372": 7...8, "385": 8...9, "386": 8...8, "420": 9...9, "421": 9...9, "423": 7...9,
        // The United Kingdom, Switzerland and the rest of Europe.
        "44": 9...10, "41": 9...9, "7": 10...10, "90": 10...10, "350": 8...8, "355": 8...9, "373": 8...8, "374": 8...8,
        "375": 9...9, "376": 6...9, "377": 8...9, "378": 6...10, "380": 9...9, "381": 8...9, "382": 8...8, "383": 8...8,
        "387": 8...8, "389": 8...8, "995": 9...9,
        // Elsewhere, the most common.
        "20": 9...10, "27": 9...9, "51": 8...9, "52": 10...10, "54": 10...11, "55": 10...11, "56": 9...9, "57": 10...10,
        "60": 9...10, "61": 9...9, "62": 9...12, "63": 10...10, "64": 8...10, "65": 8...8, "66": 9...9, "81": 9...10,
        "82": 8...10, "84": 9...10, "86": 10...11, "91": 10...10, "92": 10...10, "212": 9...9, "213": 8...9, "216": 8...8,
        "221": 9...9, "225": 10...10, "234": 8...10, "237": 9...9, "254": 9...9, "852": 8...8, "880": 10...10, "886": 9...9,
        "961": 7...8, "962": 8...9, "966": 9...9, "971": 8...9, "972": 8...9, "974": 8...8,
    ]
}
