import FastCGI

/// The CAS parameters of a sign-in (`service`, `renew`, `gateway`, `method`), read from the query
/// and carried through the sign-in forms as hidden fields.
struct CASRequest {
    var service: String
    var renew: Bool
    var gateway: Bool
    /// `method=POST`: hand the ticket over with an auto-submitted form instead of a redirect.
    var post: Bool

    /// nil when the request names no service. In the forms `method` is the verification method,
    /// so the response method travels as `service_method` there.
    init?(_ fields: FormData, methodField: String) {
        guard let service = fields["service"], !service.isEmpty else { return nil }
        self.service = service
        renew = Self.flag(fields["renew"])
        gateway = Self.flag(fields["gateway"])
        post = fields[methodField]?.uppercased() == "POST"
    }

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
        return fields
    }

    /// The parameters again as a `/login` query, for the redirect between the two sign-in steps.
    var query: String {
        var parts = ["service=" + FormData.encode(service)]
        if renew { parts.append("renew=true") }
        if post { parts.append("method=POST") }
        return parts.joined(separator: "&")
    }
}
