import Foundation
import Hummingbird
import MistralGatewayCore

extension KeyRing {
    /// The key a request's `Authorization: Bearer <key>` names, or the 401 that refuses it
    /// (no key, an unknown one, a revoked or expired one).
    func authenticate(_ request: Request) async -> Result<VirtualKey, GatewayFailure> {
        guard let secret = Self.bearer(request) else {
            return .failure(.unauthorized("No API key: send one as 'Authorization: Bearer <key>'."))
        }
        if secret.hasPrefix(EndUserTokens.prefix) {
            return .failure(.forbidden("An end-user token may use the Conversations API only, not this endpoint."))
        }
        guard let key = await key(forSecret: secret) else { return .failure(.unauthorized("The API key is not valid.")) }
        if let refusal = key.refusal(at: Date()) { return .failure(.unauthorized("The API key \(key.prefix)… is \(refusal).")) }
        return .success(key)
    }

    /// What a request's `Authorization: Bearer …` carries (a key's secret or an end-user token).
    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else { return nil }
        return String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
    }
}

/// Who makes a Conversations API request: a gateway key, or an end user of its owner holding a
/// token the key asked for.
struct Caller: Sendable {
    var key: VirtualKey
    var endUser: EndUserTokens.Claims?
}

extension KeyRing {
    /// The caller of a Conversations API request: a gateway key, or a valid end-user token whose
    /// key is still usable and still its owner's; the 401 that refuses it otherwise.
    func caller(_ request: Request, tokens: EndUserTokens) async -> Result<Caller, GatewayFailure> {
        guard let secret = Self.bearer(request), secret.hasPrefix(EndUserTokens.prefix) else {
            return await authenticate(request).map { Caller(key: $0) }
        }
        switch tokens.verify(secret) {
        case .failure(let failure): return .failure(failure)
        case .success(let claims):
            guard let key = key(id: claims.keyID), key.owner == claims.owner, key.refusal(at: Date()) == nil else {
                return .failure(.unauthorized("The key that issued this end-user token is no longer valid."))
            }
            return .success(Caller(key: key, endUser: claims))
        }
    }
}
