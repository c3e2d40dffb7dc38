import Identity
import TOMLKit

extension ConfigFile {
    static let serviceKeys: Set<String> = ["name", "protocol", "match", "min_level", "attributes", "logout_url", "proxy_callback"]
    static let releasableAttributes: Set<String> = [
        "email", "firstName", "lastName", "uid", "authenticationLevel", "authenticationMethod", "authenticationDate",
        "isFromNewLogin", "longTermAuthenticationRequestTokenUsed",
    ]

    /// The `[[service]]` blocks; a block with any problem is left out (and the problems reported).
    mutating func readServices(_ value: (any TOMLValueConvertible)?) -> [RegisteredService] {
        guard let value else { return [] }
        guard let blocks = value.array else {
            problems.append("service: must be [[service]] blocks")
            return []
        }
        var services: [RegisteredService] = []
        var names: Set<String> = []
        for (index, block) in blocks.enumerated() {
            let key = "service[\(index + 1)]"
            guard let table = block.table else {
                problems.append("\(key): must be a table")
                continue
            }
            let before = problems.count
            for name in table.keys where !Self.serviceKeys.contains(name) { problems.append("\(key).\(name): unknown key") }
            let name = string(table, key, "name") ?? ""
            if name.isEmpty || name.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                problems.append("\(key).name: required, a short name without control characters")
            } else if !names.insert(name).inserted {
                problems.append("\(key).name: \"\(name)\" is used by another service")
            }
            if (string(table, key, "protocol") ?? "") != "cas" { problems.append("\(key).protocol: must be \"cas\"") }
            let patterns = readPatterns(table["match"], key: key, name: "match")
            var proxyCallbacks: [ServicePattern] = []
            if table["proxy_callback"] != nil {
                proxyCallbacks = readPatterns(table["proxy_callback"], key: key, name: "proxy_callback")
                for pattern in proxyCallbacks where !pattern.text.lowercased().hasPrefix("https://") {
                    problems.append("\(key).proxy_callback: \"\(pattern)\": must be https")
                }
            }
            var level = AuthenticationLevel.password
            if let raw = string(table, key, "min_level") {
                if let parsed = AuthenticationLevel(rawValue: raw) {
                    level = parsed
                } else {
                    problems.append("\(key).min_level: must be \"password\", \"two-factor\" or \"phishing-resistant\"")
                }
            }
            let attributes = stringList(table["attributes"], key: "\(key).attributes") ?? []
            for attribute in attributes where !Self.releasableAttributes.contains(attribute) {
                problems.append(
                    "\(key).attributes: unknown attribute \"\(attribute)\" (known: \(Self.releasableAttributes.sorted().joined(separator: ", ")))"
                )
            }
            var logoutURL: String?
            if let raw = string(table, key, "logout_url") {
                if case .failure(let problem) = ServiceURL.parse(raw) {
                    problems.append("\(key).logout_url: \(problem.rawValue)")
                } else {
                    logoutURL = raw
                }
            }
            if problems.count == before {
                services.append(
                    RegisteredService(
                        name: name, patterns: patterns, minimumLevel: level, attributes: attributes, logoutURL: logoutURL,
                        proxyCallbacks: proxyCallbacks))
            }
        }
        return services
    }

    private mutating func readPatterns(_ value: (any TOMLValueConvertible)?, key: String, name: String) -> [ServicePattern] {
        let texts: [String]
        if let single = value?.string {
            texts = [single]
        } else if let list = stringList(value, key: "\(key).\(name)"), !list.isEmpty {
            texts = list
        } else {
            if value == nil { problems.append("\(key).\(name): required, one URL or a list of URL patterns") }
            return []
        }
        var patterns: [ServicePattern] = []
        for text in texts {
            switch ServicePattern.parse(text) {
            case .success(let pattern): patterns.append(pattern)
            case .failure(let problem): problems.append("\(key).\(name): \"\(text)\": \(problem)")
            }
        }
        return patterns
    }

    private mutating func stringList(_ value: (any TOMLValueConvertible)?, key: String) -> [String]? {
        guard let value else { return nil }
        guard let array = value.array, array.allSatisfy({ $0.string != nil }) else {
            problems.append("\(key): must be a list of strings")
            return nil
        }
        return array.compactMap { $0.string }
    }
}
