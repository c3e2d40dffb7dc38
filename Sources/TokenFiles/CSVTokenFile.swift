import Basics
import Foundation
import Identity

/// Token lists as CSV, one token a line: `serial,secret,type,digits,period[,counter]` with the secret in hexadecimal
/// and the type `hotp`, `totp` or an OCRA suite. A header line, blank lines and `#` comments are skipped.
enum CSVTokenFile {
    static func parse(_ text: String) -> (tokens: [TokenDefinition], problems: [String]) {
        var tokens: [TokenDefinition] = []
        var problems: [String] = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if tokens.isEmpty, problems.isEmpty, fields.first?.lowercased() == "serial" { continue }
            guard (5...6).contains(fields.count) else {
                problems.append(
                    "line \(number): expected 5 or 6 fields (serial,secret,type,digits,period[,counter]), found \(fields.count)")
                continue
            }
            var lineProblems: [String] = []
            let secret = Hex.decode(fields[1])
            if secret == nil { lineProblems.append("the secret is not hexadecimal") }
            let digits = fields[3].isEmpty ? nil : Int(fields[3])
            if !fields[3].isEmpty, digits == nil { lineProblems.append("the digits \"\(fields[3])\" are not a number") }
            let period = fields[4].isEmpty ? nil : Int(fields[4])
            if !fields[4].isEmpty, period == nil { lineProblems.append("the period \"\(fields[4])\" is not a number") }
            let counterText = fields.count == 6 ? fields[5] : ""
            let counter = counterText.isEmpty ? nil : UInt64(counterText)
            if !counterText.isEmpty, counter == nil { lineProblems.append("the counter \"\(counterText)\" is not a number") }
            if lineProblems.isEmpty, let secret {
                switch TokenDefinition.make(
                    serial: fields[0], type: fields[2], secret: secret, digits: digits, period: period, counter: counter)
                {
                case .success(let token): tokens.append(token)
                case .failure(let refused): lineProblems = refused.messages
                }
            }
            problems += lineProblems.map { "line \(number): \($0)" }
        }
        return (tokens, problems)
    }
}
