import Basics
import Cryptography
import Foundation
import Storage

/// Hardware OATH tokens (HOTP, TOTP and challenge-response OCRA), identified by the serial printed on them:
/// the code checks of the sign-in, and linking and unlinking in My Account. Secrets exist in clear only in memory.
public struct HardwareTokens: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case hotp
        case totp
        case ocra

        /// The sign-in method a token of this kind serves.
        public var method: VerificationMethod { self == .ocra ? .tokenCram : .token }
    }

    /// A token linked to an account, as pages list it.
    public struct Linked: Sendable, Equatable {
        public var serial: String
        public var kind: Kind

        public init(serial: String, kind: Kind) {
            self.serial = serial
            self.kind = kind
        }
    }

    /// A code check's result.
    public enum CodeCheck: Sendable, Equatable {
        case accepted
        case rejected
        case replayed
        /// The code matched beyond the look-ahead window: the next code from the token resynchronises it.
        case needsNextCode
    }

    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    /// The serial as stored: upper-case, without the hyphens and spaces people type or that are printed.
    public static func normalize(serial: String) -> String {
        String(serial.uppercased().filter { $0 != "-" && !$0.isWhitespace })
    }

    var box: SecretBox { SecretBox(key: dependencies.subkey("hardware-token-secret"))! }

    /// Binds a sealed secret to its serial, so that a sealed value copied to another row does not open.
    func associatedData(_ serial: String) -> [UInt8] { Array("hardware-token:\(serial)".utf8) }

    func open(_ record: HardwareTokenRecord) -> [UInt8]? {
        box.open(record.sealedSecret, associatedData: associatedData(record.serial))
    }

    public func linked(to account: Account) throws -> [Linked] {
        try dependencies.database.read { try $0.hardwareTokens(accountID: account.id) }.compactMap { record in
            Kind(rawValue: record.kind).map { Linked(serial: record.serial, kind: $0) }
        }
    }

    /// The sign-in methods the account's tokens serve, for the sign-in page's method list.
    public func enrolledMethods(of account: Account) throws -> Set<VerificationMethod> {
        Set(try linked(to: account).map(\.kind.method))
    }

    /// Checks a code from the HOTP/TOTP token linked to `account` with this serial and uses it up.
    public func verifyCode(account: Account, serial: String, code: String) throws -> CodeCheck {
        try dependencies.database.write { store in
            guard let token = try store.hardwareToken(serial: Self.normalize(serial: serial)), token.accountID == account.id else {
                return .rejected
            }
            return try check(token, code: code, in: store)
        }
    }

    /// Checks a code against a token and stores what it uses up: HOTP moves its counter past the code
    /// (or remembers a far-ahead match for resynchronisation), TOTP records the step.
    func check(_ token: HardwareTokenRecord, code: String, in store: Store) throws -> CodeCheck {
        guard let secret = open(token), let algorithm = OTPAlgorithm(rawValue: token.algorithm), (6...8).contains(token.digits) else {
            return .rejected
        }
        switch Kind(rawValue: token.kind) {
        case .hotp:
            switch OneTimePassword.verifyHOTP(
                code: code, secret: secret, counter: token.counter, pendingResync: token.resyncCounter, digits: token.digits,
                algorithm: algorithm)
            {
            case .accepted(let next):
                return try store.advanceHardwareTokenCounter(id: token.id, from: token.counter, to: next) ? .accepted : .replayed
            case .resyncPending(let counter):
                try store.setHardwareTokenResync(id: token.id, counter: counter)
                return .needsNextCode
            case .replayed: return .replayed
            case .rejected: return .rejected
            }
        case .totp:
            switch OneTimePassword.verifyTOTP(
                code: code, secret: secret, at: dependencies.clock.now(), lastStep: token.lastStep, digits: token.digits,
                period: token.period, algorithm: algorithm)
            {
            case .accepted(let step): return try store.consumeHardwareTokenStep(id: token.id, step: step) ? .accepted : .replayed
            case .replayed: return .replayed
            case .rejected: return .rejected
            }
        case .ocra, nil:
            return .rejected
        }
    }
}
