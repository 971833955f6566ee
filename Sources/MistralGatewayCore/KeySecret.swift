import Crypto
import Foundation

/// A new key's secret, and the hash and prefix that are all the gateway keeps of it.
///
/// Secrets are `mk-` followed by 40 random base62 characters (about 238 bits) from the system's
/// secure generator. They are shown once, at creation, and never stored.
public struct KeySecret: Sendable {
    /// The secret to hand to the caller, once.
    public let secret: String

    /// A new random secret.
    public init() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        secret = "mk-" + String((0..<40).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    /// The stored form of `secret`: lower-case hex SHA-256.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Array(secret.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The part of `secret` that is safe to show and log: `mk-` and the next 8 characters.
    public static func prefix(of secret: String) -> String { String(secret.prefix(11)) }

    /// What the store keeps of ``secret``: its lower-case hex SHA-256.
    public var hash: String { Self.hash(secret) }
    /// The part of ``secret`` that lists and logs show.
    public var prefix: String { Self.prefix(of: secret) }
}
