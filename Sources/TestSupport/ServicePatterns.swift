import Identity

/// A service pattern written in a test; a typo in it stops the test run at once.
public func servicePattern(_ text: String) -> ServicePattern {
    switch ServicePattern.parse(text) {
    case .success(let pattern): return pattern
    case .failure(let problem): preconditionFailure("test pattern \(text): \(problem)")
    }
}

/// A service URL written in a test, parsed.
public func serviceURL(_ text: String) -> ServiceURL {
    switch ServiceURL.parse(text) {
    case .success(let url): return url
    case .failure(let problem): preconditionFailure("test URL \(text): \(problem.rawValue)")
    }
}
