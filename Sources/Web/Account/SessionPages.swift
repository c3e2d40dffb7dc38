import FastCGI
import Foundation
import Identity
import Storage

/// My Account → Display my sessions: where the account is signed in, what each session visited, and logging them out.
enum SessionPages {
    static func show(_ c: RequestContext) throws -> HTTPResponse {
        guard let (current, account) = try c.session() else { return c.redirectToSignIn() }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: c.t.language)
        formatter.dateStyle = .medium
        formatter.timeStyle = .short
        formatter.timeZone = TimeZone(identifier: "UTC")
        let sessions = try SessionService(c.dependencies).openSessions(of: account, current: current)
        let model: [String: Any] = [
            "sessions": sessions.map { open -> [String: Any] in
                [
                    "id": "\(open.session.id)", "current": open.isCurrent,
                    "started": formatter.string(from: open.session.createdAt),
                    "last_used": formatter.string(from: open.session.lastSeenAt),
                    "browser": open.session.userAgent.isEmpty ? "–" : open.session.userAgent, "ip": open.session.ip,
                    "level": c.t("level_\(open.session.level)"),
                    "services": open.services.map {
                        [
                            "name": $0.service, "first": formatter.string(from: $0.firstTicketAt),
                            "last": formatter.string(from: $0.lastTicketAt),
                        ]
                    },
                    "has_services": !open.services.isEmpty,
                ]
            },
            "has_others": sessions.contains { !$0.isCurrent },
            "status_message": c.query["done"].map { c.t("sessions_done_\($0)") } ?? "",
            "has_status": c.query["done"].map { c.t.catalog["sessions_done_\($0)"] != nil } ?? false,
        ]
        return try c.render("account_sessions", model, title: c.t("sessions_title"))
    }

    static func endOne(_ c: RequestContext) throws -> HTTPResponse {
        guard let (current, account) = try c.session() else { return c.redirectToSignIn() }
        guard let id = Int64(c.form.string("session")) else { return c.errorPage(400, messageKey: "error_bad_request") }
        guard try SessionService(c.dependencies).end(sessionID: id, of: account, client: c.client) else {
            return c.redirect("/account/sessions")
        }
        if id == current.id {
            c.clearCookie(RequestContext.sessionCookie)
            return try c.render("logged_out", [:], title: c.t("logged_out_title"))
        }
        return c.redirect("/account/sessions?done=one")
    }

    static func endOthers(_ c: RequestContext) throws -> HTTPResponse {
        guard let (current, account) = try c.session() else { return c.redirectToSignIn() }
        _ = try SessionService(c.dependencies).endOthers(than: current, of: account, client: c.client)
        return c.redirect("/account/sessions?done=others")
    }
}
