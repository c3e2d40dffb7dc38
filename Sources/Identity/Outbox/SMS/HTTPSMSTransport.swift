import Foundation

/// Hands each message to an HTTP SMS gateway: 2xx is sent; 429, 5xx and network trouble are retried; any other
/// 4xx is refused for good.
public struct HTTPSMSTransport: SMSTransport {
    public let gateway: SMSGateway

    public init(gateway: SMSGateway) {
        self.gateway = gateway
    }

    public func send(_ message: OutgoingSMS) -> MailDeliveryResult {
        let request = gateway.request(to: message.to, text: message.text)
        let answer = HTTPTransport(caFile: gateway.caFile).exchange(
            method: gateway.method, url: request.url, headers: request.headers, body: request.body)
        if case .status(let status) = answer, (200..<300).contains(status) { return .delivered }
        if case .status(let status) = answer, (300..<400).contains(status) {
            return .temporaryFailure("http \(status): the gateway redirects; check sms.transport")
        }
        return answer.failure
    }
}
