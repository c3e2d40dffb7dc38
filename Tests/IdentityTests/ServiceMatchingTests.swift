import Identity
import TestSupport
import Testing

@Suite struct ServiceMatchingTests {
    let registry = ServiceRegistry([
        RegisteredService(
            name: "wiki",
            patterns: [
                servicePattern("https://good.example.org/wiki/*"),
                servicePattern("https://good.example.org/login"),
            ]),
        RegisteredService(name: "intranet", patterns: [servicePattern("http://intra.example.org:8080/")]),
    ])

    func serviceName(_ url: String) -> String? {
        registry.service(for: url)?.0.name
    }

    @Test func exactURLAndAnchoredPatternMatch() {
        #expect(serviceName("https://good.example.org/login") == "wiki")
        #expect(serviceName("https://good.example.org/wiki/") == "wiki")
        #expect(serviceName("https://good.example.org/wiki/Page?action=edit&x=%2F") == "wiki")
        #expect(serviceName("http://intra.example.org:8080/") == "intranet")
        #expect(serviceName("http://intra.example.org:8080") == "intranet")
    }

    @Test func exactURLIsNotAPrefix() {
        #expect(serviceName("https://good.example.org/login/more") == nil)
        #expect(serviceName("https://good.example.org/login?next=x") == nil)
        #expect(serviceName("https://good.example.org/wikipedia") == nil)
    }

    @Test func lookalikeHostsAreRefused() {
        #expect(serviceName("https://good.example.org.evil.test/wiki/") == nil)
        #expect(serviceName("https://evil.test/https://good.example.org/wiki/") == nil)
        #expect(serviceName("https://xgood.example.org/wiki/") == nil)
        #expect(registry.match("https://good.example.org@evil.test/wiki/").problem == .userInfo)
        #expect(registry.match("https://good.example.org%2Eevil.test/wiki/").problem == .badHost)
        #expect(registry.match("https://good.example.org./wiki/").problem == .badHost)
    }

    @Test func encodedSeparatorsAndDotSegmentsAreRefused() {
        #expect(registry.match("https://good.example.org/wiki/..%2F..%2Fadmin").problem == .encodedSeparator)
        #expect(registry.match("https://good.example.org/wiki/%5C..%5Cadmin").problem == .encodedSeparator)
        #expect(registry.match("https://good.example.org/wiki/%2e%2e/admin").problem == .encodedSeparator)
        #expect(registry.match("https://good.example.org/wiki/../admin").problem == .dotSegment)
        #expect(registry.match("https://good.example.org/wiki/./x").problem == .dotSegment)
        #expect(registry.match(#"https://good.example.org\@evil.test/wiki/"#).problem == .forbiddenCharacter)
        #expect(registry.match("https://good.example.org/wiki/ x").problem == .forbiddenCharacter)
        #expect(registry.match("https://good.example.org/wiki/#frag").problem == .forbiddenCharacter)
    }

    @Test func schemeAndPortAreComparedExactly() {
        #expect(serviceName("http://good.example.org/login") == nil)
        #expect(serviceName("https://good.example.org:8443/login") == nil)
        #expect(serviceName("https://good.example.org:443/login") == "wiki")
        #expect(serviceName("http://intra.example.org/") == nil)
        #expect(registry.match("javascript://good.example.org/login").problem == .notHTTP)
        #expect(registry.match("https://good.example.org:99999/login").problem == .badPort)
        #expect(registry.match("https://good.example.org:+443/login").problem == .badPort)
    }

    @Test func hostNamesAreCaseInsensitiveAsInDNS() {
        #expect(serviceName("https://GOOD.Example.ORG/login") == "wiki")
        #expect(serviceName("HTTPS://good.example.org/login") == "wiki")
        // The path is case-sensitive.
        #expect(serviceName("https://good.example.org/LOGIN") == nil)
    }

    @Test func wildcardsAreRefusedOutsideThePath() {
        for pattern in ["https://*.example.org/", "https://good.example.*/", "https://good.example.org:*/", "*://good.example.org/"] {
            guard case .failure(.wildcardOutsidePath) = ServicePattern.parse(pattern) else {
                Issue.record("\(pattern) was accepted")
                continue
            }
        }
    }

    @Test func globHandlesSeveralStars() {
        let pattern = servicePattern("https://a.example.org/*/x/*.html")
        #expect(pattern.matches(serviceURL("https://a.example.org/one/two/x/page.html")))
        #expect(!pattern.matches(serviceURL("https://a.example.org/one/x/page.htm")))
        #expect(!pattern.isExact)
    }

    @Test func ticketIsAppendedKeepingTheQuery() {
        #expect(appendingQueryParameter("https://a.example.org/", name: "ticket", value: "ST-1") == "https://a.example.org/?ticket=ST-1")
        #expect(
            appendingQueryParameter("https://a.example.org/p?x=1", name: "ticket", value: "ST-1")
                == "https://a.example.org/p?x=1&ticket=ST-1")
    }
}

extension ServiceRegistry.Verdict {
    var problem: ServiceURL.Problem? {
        if case .invalid(let problem) = self { return problem }
        return nil
    }
}

@Suite struct ServiceDirectoryTests {
    @Test func replacingTheRegistryChangesWhatMatches() {
        let directory = ServiceDirectory(
            ServiceRegistry([RegisteredService(name: "old", patterns: [servicePattern("https://old.example.org/")])]))
        #expect(directory.current.service(for: "https://old.example.org/")?.0.name == "old")
        directory.replace(with: ServiceRegistry([RegisteredService(name: "new", patterns: [servicePattern("https://new.example.org/")])]))
        #expect(directory.current.service(for: "https://old.example.org/") == nil)
        #expect(directory.current.service(for: "https://new.example.org/")?.0.name == "new")
    }
}
