import Foundation
import Hummingbird
import MistralKit

extension ConversationsHandler {
    /// `POST /v1/end_user_tokens` (a gateway key only): a token for one end user of the key's
    /// owner, for `ttl_seconds` (default an hour, at most a day), optionally for one session.
    func mintEndUserToken(_ request: Request) async -> Response {
        await withKey(request) { key, requestID in
            var fields = try RequestFields(try await relay.collectBody(request), allowed: ["user", "session", "ttl_seconds"])
            let user = fields.string("user", required: true)
            let session = fields.string("session")
            let ttl = fields.integer("ttl_seconds") ?? 3600
            if !(1...Int(EndUserTokens.maximumLifetime.components.seconds)).contains(ttl) {
                fields.refuse("ttl_seconds", "ttl_seconds must be from 1 to \(EndUserTokens.maximumLifetime.components.seconds).")
            }
            for (name, value) in [("user", user), ("session", session)] {
                if let value, value.isEmpty || value.count > 200 { fields.refuse(name, "\(name) must be 1 to 200 characters.") }
            }
            try fields.check()
            let expires = Int(Date().timeIntervalSince1970) + ttl
            let claims = EndUserTokens.Claims(keyID: key.id, owner: key.owner, user: user ?? "", session: session, expires: expires)
            return .json(
                [
                    "object": "end_user_token", "token": .string(tokens.mint(claims)), "user": .string(claims.user),
                    "session": session.map { .string($0) } ?? nil, "expires_at": .int(expires),
                ], headers: relay.requestHeaders(requestID))
        }
    }
}
