import Foundation

/// A gateway key: what one app, customer or team may do through the gateway.
///
/// The secret itself is never stored: only its SHA-256 (``secretHash``) and its first
/// characters (``prefix``), which are safe to show and log. A key is usable until it is revoked
/// or expires; a revoked key is kept, so the ledger rows that name it still resolve.
public struct VirtualKey: Sendable, Hashable, Codable {
    /// Stable id, `key_…`; the ledger and the admin API name keys by it.
    public var id: String
    /// A human name, e.g. `support-bot-prod`.
    public var name: String
    /// The project or tenant the key belongs to; budgets and usage roll up by owner.
    public var owner: String
    /// The secret's first characters (`mk-` and 8 more), shown in lists and logs.
    public var prefix: String
    /// Lower-case hex SHA-256 of the secret.
    public var secretHash: String
    /// What the key may use.
    public var limits: KeyLimits
    /// When the key was created.
    public var createdAt: Date
    /// Changed on every update and on revocation: instances poll for keys changed since a time.
    public var updatedAt: Date
    /// From this time on the key is refused (`expired`); `nil`: never.
    public var expiresAt: Date?
    /// From this time on the key is refused (`revoked`); `nil` while it is not revoked.
    public var revokedAt: Date?

    /// A key with a new random id; `updatedAt` defaults to `createdAt`. The caller hashes the
    /// secret (``KeySecret``) and never passes the secret itself.
    public init(
        id: String = "key_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20),
        name: String, owner: String, prefix: String, secretHash: String, limits: KeyLimits = KeyLimits(),
        createdAt: Date = Date(), updatedAt: Date? = nil, expiresAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.owner = owner
        self.prefix = prefix
        self.secretHash = secretHash
        self.limits = limits
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Why the key cannot be used at `date` (`revoked`, `expired`), or `nil` when it can.
    public func refusal(at date: Date) -> String? {
        if let revokedAt, revokedAt <= date { return "revoked" }
        if let expiresAt, expiresAt <= date { return "expired" }
        return nil
    }

    /// Whether the key may call `model` (every model when ``KeyLimits/models`` is `nil`).
    public func allows(model: String) -> Bool {
        limits.models.map { $0.contains(model) } ?? true
    }
}

/// What a key may use. Every limit is optional: `nil` means none.
public struct KeyLimits: Sendable, Hashable, Codable {
    /// The models (or aliases) the key may call; `nil`: all of the gateway's.
    public var models: [String]?
    /// Requests per minute.
    public var requestsPerMinute: Int?
    /// Prompt plus completion tokens per minute (prompts counted before sending, corrected after).
    public var tokensPerMinute: Int?
    /// Requests in flight at once.
    public var maxConcurrent: Int?
    /// Hard limits: a call whose reserved maximum cost would cross one is refused (402-style 429).
    public var dailyBudgetUSD: Double?
    /// The hard limit per month (see ``dailyBudgetUSD``).
    public var monthlyBudgetUSD: Double?
    /// Soft limits: crossing one logs a warning and sets a response header; nothing is refused.
    public var dailySoftBudgetUSD: Double?
    /// The soft limit per month (see ``dailySoftBudgetUSD``).
    public var monthlySoftBudgetUSD: Double?
    /// The default priority of the key's requests in the upstream queue.
    public var priority: RequestPriority

    /// Limits; every one defaults to none, the priority to ``RequestPriority/interactive``.
    public init(
        models: [String]? = nil, requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, maxConcurrent: Int? = nil,
        dailyBudgetUSD: Double? = nil, monthlyBudgetUSD: Double? = nil, dailySoftBudgetUSD: Double? = nil,
        monthlySoftBudgetUSD: Double? = nil, priority: RequestPriority = .interactive
    ) {
        self.models = models
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.maxConcurrent = maxConcurrent
        self.dailyBudgetUSD = dailyBudgetUSD
        self.monthlyBudgetUSD = monthlyBudgetUSD
        self.dailySoftBudgetUSD = dailySoftBudgetUSD
        self.monthlySoftBudgetUSD = monthlySoftBudgetUSD
        self.priority = priority
    }
}

/// Which requests go first when the upstream queue is not empty.
public enum RequestPriority: String, Sendable, Hashable, Codable, CaseIterable {
    /// A person is waiting (the default).
    case interactive
    /// Background work: served when no interactive request waits.
    case batch
}
