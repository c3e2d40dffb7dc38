import FastCGI
import Foundation
import Identity

/// The CAS parameters of a sign-in (`service`, `renew`, `gateway`, `method`, `acceptStrengths`), read from the query
/// and carried through the sign-in forms as hidden fields.
struct CASRequest {
    var service: String
    var renew: Bool
    var gateway: Bool
    /// `method=POST`: hand the ticket over with an auto-submitted form instead of a redirect.
    var post: Bool
    /// `acceptStrengths=`: the only verification methods the service accepts for this sign-in; nil when it did not say.
    var acceptStrengths: [VerificationMethod]?

    /// nil when the request names no service. In the forms `method` is the verification method,
    /// so the response method travels as `service_method` there.
    init?(_ fields: FormData, methodField: String) {
        guard let service = fields["service"], !service.isEmpty else { return nil }
        self.service = service
        renew = Self.flag(fields["renew"])
        gateway = Self.flag(fields["gateway"])
        post = fields[methodField]?.uppercased() == "POST"
        acceptStrengths = fields["acceptStrengths"].map(Self.methods(named:))
    }

    /// Method names, comma-separated and case-insensitive; `PASSWORD_SMS`-style names are read as the method they end
    /// with. Unknown names are ignored, so a list of only unknown names accepts nothing.
    static func methods(named list: String) -> [VerificationMethod] {
        list.split(separator: ",").compactMap { raw in
            var name = raw.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "-")
            if name.hasPrefix("password-") { name.removeFirst("password-".count) }
            return VerificationMethod(rawValue: name)
        }
    }

    /// Whether a session verified with `methods` is one this request accepts.
    func accepts(sessionMethods methods: String) -> Bool {
        guard let acceptStrengths else { return true }
        return methods.split(separator: ",").contains { VerificationMethod(rawValue: String($0)).map(acceptStrengths.contains) ?? false }
    }

    private var acceptStrengthsValue: String? { acceptStrengths.map { $0.map(\.rawValue).joined(separator: ",") } }

    /// The request's own CAS parameters: from the form on a POST, else from the query.
    init?(_ c: RequestContext) {
        if c.request.method == "POST" {
            self.init(c.form, methodField: "service_method")
        } else {
            self.init(c.query, methodField: "method")
        }
    }

    /// CAS says "if this parameter is set"; an explicit false is read as not set.
    static func flag(_ value: String?) -> Bool {
        guard let value else { return false }
        return !["false", "0", "no"].contains(value.lowercased())
    }

    var hiddenFields: [[String: String]] {
        var fields = [["name": "service", "value": service]]
        if renew { fields.append(["name": "renew", "value": "true"]) }
        if post { fields.append(["name": "service_method", "value": "POST"]) }
        if let acceptStrengthsValue { fields.append(["name": "acceptStrengths", "value": acceptStrengthsValue]) }
        return fields
    }

    /// The parameters again as a `/login` query, for the redirect between the two sign-in steps.
    var query: String {
        var parts = ["service=" + FormData.encode(service)]
        if renew { parts.append("renew=true") }
        if post { parts.append("method=POST") }
        if let acceptStrengthsValue { parts.append("acceptStrengths=" + FormData.encode(acceptStrengthsValue)) }
        return parts.joined(separator: "&")
    }
}
