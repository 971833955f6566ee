import Foundation
import Hummingbird
import MistralGatewayCore

extension KeyRing {
    /// The key a request's `Authorization: Bearer <key>` names, or the 401 that refuses it
    /// (no key, an unknown one, a revoked or expired one).
    func authenticate(_ request: Request) async -> Result<VirtualKey, GatewayFailure> {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            return .failure(.unauthorized("No API key: send one as 'Authorization: Bearer <key>'."))
        }
        let secret = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let key = await key(forSecret: secret) else { return .failure(.unauthorized("The API key is not valid.")) }
        if let refusal = key.refusal(at: Date()) { return .failure(.unauthorized("The API key \(key.prefix)… is \(refusal).")) }
        return .success(key)
    }
}
