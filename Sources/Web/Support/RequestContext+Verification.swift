import FastCGI
import Identity
import Storage

extension RequestContext {
    /// Nil when `session` verified the account's strongest level within the last ten minutes, as adding or removing a
    /// second factor requires; else a redirect to a sign-in with every credential that comes back to `returnTo`.
    func requireFreshVerification(_ session: SSOSession, _ account: Account, returnTo: String) throws -> HTTPResponse? {
        if try SecondFactors(dependencies).isFresh(session, of: account) { return nil }
        return redirect("/login?reauth=1&next=\(FormData.encode(returnTo))")
    }
}
