import Foundation
import MistralKit

/// A persona: the model, instructions, tone and settings a conversation is answered with, like
/// Mistral's Agents. Named and versioned: saving an agent again makes a new version, and a
/// conversation remembers the version it started with.
public struct Agent: Sendable, Hashable, Codable {
    /// The brand voice, turned into instructions.
    public enum Tone: Sendable, Hashable, Codable {
        case formal
        case casual
        /// Your own tone instructions.
        case custom(String)

        var instruction: String {
            switch self {
            case .formal: "Answer in a formal, courteous register: full sentences, no slang, no emoji."
            case .casual: "Answer in a friendly, casual register: short sentences, plain words."
            case .custom(let text): text
            }
        }
    }

    /// Optional moderation of what goes in and out, with Mistral's moderation endpoint.
    public struct Guardrails: Sendable, Hashable, Codable {
        public var moderateInput: Bool
        public var moderateOutput: Bool
        /// Said instead of an answer when moderation flags the input or the output.
        public var refusalMessage: String
        public var moderationModel: String

        public init(
            moderateInput: Bool = true, moderateOutput: Bool = false,
            refusalMessage: String = "I'm sorry, I can't help with that request.", moderationModel: String = "mistral-moderation-latest"
        ) {
            self.moderateInput = moderateInput
            self.moderateOutput = moderateOutput
            self.refusalMessage = refusalMessage
            self.moderationModel = moderationModel
        }
    }

    /// How much history fits in a prompt.
    public struct ContextPolicy: Sendable, Hashable, Codable {
        /// Tokens for instructions, pinned facts and history together (the answer's
        /// `maxTokens` comes on top).
        public var budgetTokens: Int
        /// The latest turns (a user message and its answer) always kept, even over budget.
        public var keepLatestTurns: Int
        /// Whether turns that no longer fit are summarised by the agent's model (one extra call
        /// each time the set of left-out turns changes) instead of only being counted. When the
        /// summary call fails, the turn goes on with the count, as if this were off.
        public var summarizeOlderTurns: Bool

        public init(budgetTokens: Int = 8000, keepLatestTurns: Int = 2, summarizeOlderTurns: Bool = false) {
            self.budgetTokens = max(1, budgetTokens)
            self.keepLatestTurns = max(1, keepLatestTurns)
            self.summarizeOlderTurns = summarizeOlderTurns
        }

        private enum CodingKeys: String, CodingKey { case budgetTokens, keepLatestTurns, summarizeOlderTurns }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                budgetTokens: try container.decode(Int.self, forKey: .budgetTokens),
                keepLatestTurns: try container.decode(Int.self, forKey: .keepLatestTurns),
                // Agents stored before the option existed did not summarise.
                summarizeOlderTurns: try container.decodeIfPresent(Bool.self, forKey: .summarizeOlderTurns) ?? false)
        }
    }

    public var name: String
    /// 1 for the first save, then one more for each.
    public var version: Int
    public var model: String
    public var instructions: String
    public var tone: Tone?
    public var temperature: Double?
    public var maxTokens: Int?
    public var context: ContextPolicy
    public var guardrails: Guardrails?
    /// Names of the tools and knowledge bases the agent may use.
    public var tools: [String]
    public var knowledgeBases: [String]
    public var createdAt: Date
    /// The tenant that made the agent through the service's API; `nil` for a program's own.
    public var owner: String?
    /// The agent's name and description as the Agents API shows them (its ``name`` is then
    /// its id, `ag_…`, unique across owners).
    public var displayName: String?
    public var description: String?
    /// The completion settings beyond ``temperature`` and ``maxTokens``, sent with every call.
    public var completionArguments: CompletionArguments?
    /// Functions the caller runs (Mistral's function tools), unless the engine has a tool of
    /// the same name (a Swift or webhook tool of the server), which then runs it: when the
    /// model calls one of the caller's, the turn
    /// stops with the calls stored and the answer ``ConversationEntry/Status-swift.enum/waiting``,
    /// and goes on when the caller gives their results
    /// (``ChatEngine/continueTurn(functionResults:conversationID:)``).
    public var functions: [Tool]?
    /// Mistral's own guardrails (moderation by the upstream), sent with every model call of the
    /// agent: what they block, the upstream refuses, and the turn fails with its error.
    public var upstreamGuardrails: [GuardrailConfig]?
    /// When true, every declared function goes back to the caller, even one the engine has a
    /// tool for (Mistral's `handoff_execution: client`); set for a turn by ``ChatEngine/TurnSettings``.
    public var callerRunsFunctions: Bool?

    public init(
        name: String, version: Int = 0, model: String = "mistral-small-latest", instructions: String = "", tone: Tone? = nil,
        temperature: Double? = nil, maxTokens: Int? = nil, context: ContextPolicy = ContextPolicy(), guardrails: Guardrails? = nil,
        tools: [String] = [], knowledgeBases: [String] = [], createdAt: Date = Date()
    ) {
        self.name = name
        self.version = version
        self.model = model
        self.instructions = instructions
        self.tone = tone
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.context = context
        self.guardrails = guardrails
        self.tools = tools
        self.knowledgeBases = knowledgeBases
        self.createdAt = createdAt
    }

    /// The system prompt: instructions, then the tone's.
    public var systemPrompt: String {
        [instructions, tone?.instruction ?? ""].filter { !$0.isEmpty }.joined(separator: "\n\n")
    }

    /// The agent used when none is named: the default model, no instructions.
    public static func plain(model: String) -> Agent { Agent(name: "default", model: model) }
}
