import Crypto
import Foundation
import MistralGatewayCore

/// Short-lived tokens a site's backend gets for its end users (`POST /v1/end_user_tokens`, with
/// its gateway key) and hands to their browsers, so a browser never holds a gateway key. A token
/// names the key that asked for it (its owner pays and owns what the user makes), the user, an
/// optional session and an expiry; with it, a browser can use the Conversations API for that user
/// only, and nothing else.
///
/// Format: `mkt_<payload>.<signature>`, both base64url; the payload is compact JSON
/// (`{"k": key id, "o": owner, "u": user, "s": session, "exp": unix seconds}`), the signature its
/// HMAC-SHA256 under the owner's signing key, itself HMAC-SHA256 of the owner's name under the
/// gateway's token secret. Checked in constant time (swift-crypto); a token fails when its
/// signature, expiry, key (revoked, expired, another owner's) or format is wrong.
struct EndUserTokens: Sendable {
    /// The gateway's token secret (kept as bytes: swift-crypto's key type is not `Sendable`).
    private let secret: [UInt8]

    /// The claims of a valid token.
    struct Claims: Sendable, Hashable, Codable {
        var keyID: String
        var owner: String
        var user: String
        var session: String?
        var expires: Int

        enum CodingKeys: String, CodingKey {
            case keyID = "k"
            case owner = "o"
            case user = "u"
            case session = "s"
            case expires = "exp"
        }
    }

    static let prefix = "mkt_"
    /// The longest a token may live.
    static let maximumLifetime: Duration = .seconds(24 * 3600)

    /// Tokens signed under `secret` (at least 32 bytes: the gateway's token secret).
    init(secret: [UInt8]) {
        self.secret = secret
    }

    private func ownerKey(_ owner: String) -> SymmetricKey {
        SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data("owner:\(owner)".utf8), using: SymmetricKey(data: secret))))
    }

    func mint(_ claims: Claims) -> String {
        let payload = Self.base64URL((try? JSONEncoder().encode(claims)) ?? Data())
        let signature = HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: ownerKey(claims.owner))
        return Self.prefix + payload + "." + Self.base64URL(Data(signature))
    }

    /// The claims of `token`, or why it is refused.
    func verify(_ token: String, now: Date = Date()) -> Result<Claims, GatewayFailure> {
        let parts = token.dropFirst(Self.prefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard token.hasPrefix(Self.prefix), parts.count == 2, let payload = Self.data(base64URL: parts[0]),
            let signature = Self.data(base64URL: parts[1]), let claims = try? JSONDecoder().decode(Claims.self, from: payload)
        else {
            return .failure(.unauthorized("The end-user token is malformed."))
        }
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Data(parts[0].utf8), using: ownerKey(claims.owner)) else {
            return .failure(.unauthorized("The end-user token's signature is not valid."))
        }
        guard Double(claims.expires) > now.timeIntervalSince1970 else {
            return .failure(.unauthorized("The end-user token has expired; ask the site for a new one."))
        }
        return .success(claims)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64URL text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
