/// A problem with one form field: the field's name and the locale key of the message.
public struct FieldError: Sendable, Equatable {
    public var field: String
    public var messageKey: String
    public init(field: String, messageKey: String) {
        self.field = field
        self.messageKey = messageKey
    }
}
