import Basics

extension PasswordPolicy {
    /// Characters for suggested passwords, one set per group, without look-alikes (0/O, 1/l/I/|) and without
    /// quotes, backslashes or spaces that are awkward to type or to paste.
    static let sampleAlphabets: [[Character]] = [
        Array("ABCDEFGHJKLMNPQRSTUVWXYZ"),
        Array("abcdefghijkmnopqrstuvwxyz"),
        Array("23456789"),
        Array("!#$%&*+-=?@^_"),
    ]

    /// Random passwords meeting the length and group rules, to suggest on the page where one is chosen.
    /// Each has every group at least once; `length` is raised to the minimum and capped at the maximum.
    public func samples(count: Int = 3, length: Int = 14, random: some RandomSource) -> [String] {
        let alphabets = Self.sampleAlphabets
        let size = min(max(length, minimumLength, alphabets.count), maximumLength)
        let all = alphabets.flatMap { $0 }
        return (0..<max(count, 0)).map { _ in
            var characters = alphabets.map { $0[random.uniform($0.count)] }
            while characters.count < size { characters.append(all[random.uniform(all.count)]) }
            for index in stride(from: characters.count - 1, to: 0, by: -1) {
                characters.swapAt(index, random.uniform(index + 1))
            }
            return String(characters)
        }
    }
}
