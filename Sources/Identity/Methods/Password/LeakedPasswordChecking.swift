/// Answers whether a password is known from breaches or common-password lists, and so must not be chosen.
public protocol LeakedPasswordChecking: Sendable {
    func isLeaked(_ password: String) -> Bool
}

/// A checker that knows no leaked password: for tests, and for an appliance configured without a list.
public struct EmptyLeakedPasswordList: LeakedPasswordChecking {
    public init() {}

    public func isLeaked(_ password: String) -> Bool { false }
}
