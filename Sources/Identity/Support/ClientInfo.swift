/// Who is on the other end of a request, for throttling and the audit log.
public struct ClientInfo: Sendable {
    public var ip: String
    public var userAgent: String
    public init(ip: String, userAgent: String) {
        self.ip = ip
        // At most 512 characters; a text of at most 512 bytes has no more, and is kept without counting them.
        self.userAgent = userAgent.utf8.count <= 512 ? userAgent : String(userAgent.prefix(512))
    }
}
