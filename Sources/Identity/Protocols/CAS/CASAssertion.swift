import Foundation
import Storage

/// A successful validation: who signed in, how, and what the service may learn about them.
/// The user is the account's `uid`: stable for the account's life, unlike the e-mail address.
public struct CASAssertion: Sendable {
    public var account: Account
    public var session: SSOSession
    public var service: RegisteredService
    public var fromNewLogin: Bool
    /// For a proxy ticket, the proxies in front of the service, newest first.
    public var proxies: [String]
    /// Set when a proxy-granting ticket was delivered to the service's callback.
    public var proxyGrantingTicketIOU: String?

    public init(account: Account, session: SSOSession, service: RegisteredService, fromNewLogin: Bool, proxies: [String] = []) {
        self.account = account
        self.session = session
        self.service = service
        self.fromNewLogin = fromNewLogin
        self.proxies = proxies
    }

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
        if let iou = proxyGrantingTicketIOU {
            lines.append("    <cas:proxyGrantingTicket>\(XMLText.escape(iou))</cas:proxyGrantingTicket>")
        }
        if !proxies.isEmpty {
            lines.append("    <cas:proxies>")
            for proxy in proxies { lines.append("      <cas:proxy>\(XMLText.escape(proxy))</cas:proxy>") }
            lines.append("    </cas:proxies>")
        }
        lines += ["  </cas:authenticationSuccess>", "</cas:serviceResponse>", ""]
        return lines.joined(separator: "\n")
    }

    public func json(withAttributes: Bool) -> String {
        var success = [("user", JSONText.string(user))]
        if withAttributes {
            success.append(("attributes", JSONText.object(attributes.map { ($0.name, JSONText.string($0.value)) })))
        }
        if let iou = proxyGrantingTicketIOU { success.append(("proxyGrantingTicket", JSONText.string(iou))) }
        if !proxies.isEmpty { success.append(("proxies", "[" + proxies.map(JSONText.string).joined(separator: ",") + "]")) }
        return JSONText.object([("serviceResponse", JSONText.object([("authenticationSuccess", JSONText.object(success))]))])
    }
}
