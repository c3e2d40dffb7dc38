/// Who is on the other end of a request, for throttling and the audit log.
public struct ClientInfo: Sendable {
    public var ip: String
    public var userAgent: String
    public init(ip: String, userAgent: String) {
        self.ip = ip
        self.userAgent = String(userAgent.prefix(512))
    }
}
