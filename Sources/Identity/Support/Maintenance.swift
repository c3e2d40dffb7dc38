import Foundation
import Storage

/// The periodic clean-up run by `appliance maintenance` after mail delivery.
public struct Maintenance: Sendable {
    /// What one clean-up removed, for the operator's log.
    public struct Report: Sendable, CustomStringConvertible {
        public var links = 0
        public var registrations = 0
        public var sessions = 0
        public var rateLimits = 0
        public var captchas = 0
        public var sentMail = 0
        public var serviceTickets = 0
        public var sentPosts = 0
        public var ocraChallenges = 0
        public var smsCodes = 0
        public var sentSMS = 0
        public var description: String {
            "links=\(links) registrations=\(registrations) sessions=\(sessions) rate_limits=\(rateLimits) captchas=\(captchas) sent_mail=\(sentMail) service_tickets=\(serviceTickets) sent_posts=\(sentPosts) ocra_challenges=\(ocraChallenges) sms_codes=\(smsCodes) sent_sms=\(sentSMS)"
        }
    }

    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    /// Purges rows that can no longer be used. Each purge is its own short transaction so
    /// that a busy server never waits long on maintenance.
    public func purgeExpired() throws -> Report {
        let now = dependencies.clock.now()
        let db = dependencies.database
        var report = Report()
        // Pending registrations and used links stay a week after expiry so that a late click still gets "expired", not "unknown".
        report.registrations = try db.write { try $0.purgeAbandonedRegistrations(before: now.addingTimeInterval(-7 * 86400)) }
        report.links = try db.write { try $0.purgeEmailLinks(before: now.addingTimeInterval(-7 * 86400)) }
        report.sessions = try db.write { try $0.purgeSessions(before: now) }
        report.rateLimits = try db.write { try $0.purgeRateLimits(olderThan: now.addingTimeInterval(-86400)) }
        report.captchas = try db.write { try $0.purgeCaptchas(before: now) }
        report.sentMail = try db.write { try $0.purgeSent(.mail, before: now.addingTimeInterval(-30 * 86400)) }
        report.serviceTickets = try db.write { try $0.purgeServiceTickets(before: now) }
        report.sentPosts = try db.write { try $0.purgeSent(.http, before: now.addingTimeInterval(-30 * 86400)) }
        report.ocraChallenges = try db.write { try $0.purgeOCRAChallenges(before: now) }
        report.smsCodes = try db.write { try $0.purgeSMSChallenges(before: now) }
        // Sent texts hold codes that are dead by now; a day is enough to answer "did it leave?".
        report.sentSMS = try db.write { try $0.purgeSent(.sms, before: now.addingTimeInterval(-86400)) }
        try db.checkpoint()
        return report
    }
}
