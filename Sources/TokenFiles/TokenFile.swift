import Identity

/// Files of hardware tokens as vendors ship them (PSKC, RFC 6030) or operators write them (CSV).
public enum TokenFile {
    public enum Format: String, Sendable, CaseIterable {
        case pskc
        case csv
    }

    /// A PSKC file starts with markup; anything else is read as CSV.
    public static func guessFormat(_ data: [UInt8]) -> Format {
        let start = data.drop { [0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        return start.first == UInt8(ascii: "<") ? .pskc : .csv
    }

    /// Every token of the file, or every problem found in it (each with its line or key package): a file with
    /// any problem yields no token, so that an import is all or nothing. A serial twice in the file is a problem.
    public static func parse(
        _ data: [UInt8], format: Format, preSharedKey: [UInt8]? = nil, password: String? = nil
    ) -> Result<[TokenDefinition], TokenDefinition.Problems> {
        var (tokens, problems): ([TokenDefinition], [String])
        switch format {
        case .csv:
            guard let text = String(validating: data, as: UTF8.self) else {
                return .failure(.init(messages: ["the file is not UTF-8 text"]))
            }
            (tokens, problems) = CSVTokenFile.parse(text)
        case .pskc:
            (tokens, problems) = PSKCFile.parse(data, keys: PSKCFile.Keys(preSharedKey: preSharedKey, password: password))
        }
        var seen: Set<String> = []
        for token in tokens where !seen.insert(token.serial).inserted {
            problems.append("serial \(token.serial) appears more than once")
        }
        if problems.isEmpty, tokens.isEmpty { problems.append("the file holds no token") }
        return problems.isEmpty ? .success(tokens) : .failure(.init(messages: problems))
    }
}
