/// Calls a CAS proxy callback: an HTTPS GET whose 200 answer confirms the receiver.
public protocol CallbackTransport: Sendable {
    /// True when `url` answered 200 over a verified HTTPS connection.
    func confirm(_ url: String) -> Bool
}
