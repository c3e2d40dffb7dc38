import Foundation
import Storage

/// A successful validation: who signed in, how, and what the service may learn about them.
/// The user is the account's `uid`: stable for the account's life, unlike the e-mail address.
public struct CASAssertion: Sendable {
    public var account: Account
    public var session: SSOSession
    public var service: RegisteredService
    public var fromNewLogin: Bool

    public var user: String { account.uid }

    /// The released CAS 3.0 attributes, in the service's order.
    public var attributes: [(name: String, value: String)] {
        service.attributes.compactMap { name in value(of: name).map { (name, $0) } }
    }

    func value(of attribute: String) -> String? {
        switch attribute {
        case "email": account.email
        case "firstName": account.firstName
        case "lastName": account.lastName
        case "uid": account.uid
        case "authenticationLevel": session.level
        case "authenticationMethod": session.methods
        case "authenticationDate": ISO8601DateFormatter().string(from: session.createdAt)
        case "isFromNewLogin": fromNewLogin ? "true" : "false"
        case "longTermAuthenticationRequestTokenUsed": "false"
        default: nil
        }
    }

    /// CAS 1.0 (`/validate`): two lines.
    public var text: String { "yes\n\(user)\n" }

    /// CAS 2.0 and 3.0 XML; attributes only in 3.0.
    public func xml(withAttributes: Bool) -> String {
        var lines = [
            #"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">"#, "  <cas:authenticationSuccess>",
            "    <cas:user>\(XMLText.escape(user))</cas:user>",
        ]
        if withAttributes {
            lines.append("    <cas:attributes>")
            for (name, value) in attributes { lines.append("      <cas:\(name)>\(XMLText.escape(value))</cas:\(name)>") }
            lines.append("    </cas:attributes>")
        }
        lines += ["  </cas:authenticationSuccess>", "</cas:serviceResponse>", ""]
        return lines.joined(separator: "\n")
    }

    public func json(withAttributes: Bool) -> String {
        var success = [("user", JSONText.string(user))]
        if withAttributes {
            success.append(("attributes", JSONText.object(attributes.map { ($0.name, JSONText.string($0.value)) })))
        }
        return JSONText.object([("serviceResponse", JSONText.object([("authenticationSuccess", JSONText.object(success))]))])
    }
}
