/// A request to `POST /v1/moderations` or `POST /v1/classifications`: texts to classify.
public struct ClassificationRequest: Sendable, Hashable, Codable {
    /// The model id, e.g. `mistral-small-latest` (or the model that answered, in a response).
    public var model: String
    /// The inputs, in order.
    public var input: [String]
    /// Free-form data attached to the request, returned in logs and batch outputs.
    public var metadata: [String: JSONValue]?

    public init(model: String, input: [String], metadata: [String: JSONValue]? = nil) {
        self.model = model
        self.input = input
        self.metadata = metadata
    }

    /// The wire names, which are also exactly the members Mistral accepts.
    public enum CodingKeys: String, CodingKey, CaseIterable { case model, input, metadata }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        if let one = try? container.decode(String.self, forKey: .input) {
            input = [one]
        } else {
            input = try container.decode([String].self, forKey: .input)
        }
        metadata = try container.decodeIfPresent([String: JSONValue].self, forKey: .metadata)
    }
}

/// A request to `POST /v1/chat/moderations`: conversations to moderate, each a list of messages.
public struct ChatModerationRequest: Sendable, Hashable, Codable {
    /// The model id, e.g. `mistral-small-latest` (or the model that answered, in a response).
    public var model: String
    /// The inputs, in order.
    public var input: [[ChatMessage]]

    public init(model: String, input: [[ChatMessage]]) {
        self.model = model
        self.input = input
    }

    /// The wire names, which are also exactly the members Mistral accepts.
    public enum CodingKeys: String, CodingKey, CaseIterable { case model, input }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        if let one = try? container.decode([ChatMessage].self, forKey: .input) {
            input = [one]
        } else {
            input = try container.decode([[ChatMessage]].self, forKey: .input)
        }
    }
}

/// A request to `POST /v1/chat/classifications`: conversations to classify.
public struct ChatClassificationRequest: Sendable, Hashable, Codable {
    /// The model id, e.g. `mistral-small-latest` (or the model that answered, in a response).
    public var model: String
    /// The inputs, in order.
    public var input: [Conversation]

    /// One conversation to classify (`InstructRequest` on the wire).
    public struct Conversation: Sendable, Hashable, Codable {
        /// The conversation so far, oldest first.
        public var messages: [ChatMessage]
        public init(messages: [ChatMessage]) { self.messages = messages }
    }

    public init(model: String, input: [Conversation]) {
        self.model = model
        self.input = input
    }

    /// The wire names, which are also exactly the members Mistral accepts.
    public enum CodingKeys: String, CodingKey, CaseIterable { case model, input }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        if let one = try? container.decode(Conversation.self, forKey: .input) {
            input = [one]
        } else {
            input = try container.decode([Conversation].self, forKey: .input)
        }
    }
}

/// Moderation results, one per input text or conversation.
public struct ModerationResponse: Sendable, Hashable, Codable {
    /// The server's id for this object.
    public var id: String
    /// The model id, e.g. `mistral-small-latest` (or the model that answered, in a response).
    public var model: String
    /// One result per input, in order.
    public var results: [ModerationResult]

    public init(id: String, model: String, results: [ModerationResult]) {
        self.id = id
        self.model = model
        self.results = results
    }

    /// Flags and scores by category (`sexual`, `hate_and_discrimination`, `violence_and_threats`, ...).
    public struct ModerationResult: Sendable, Hashable, Codable {
        /// Category name to flagged.
        public var categories: [String: Bool]
        /// Category name to score (0 to 1).
        public var categoryScores: [String: Double]

        public init(categories: [String: Bool], categoryScores: [String: Double]) {
            self.categories = categories
            self.categoryScores = categoryScores
        }

        /// The categories flagged true.
        public var flagged: [String] { categories.filter(\.value).map(\.key).sorted() }

        private enum CodingKeys: String, CodingKey {
            case categories
            case categoryScores = "category_scores"
        }
    }
}

/// Classification results: per input, per target, scores by label.
public struct ClassificationResponse: Sendable, Hashable, Codable {
    /// The server's id for this object.
    public var id: String
    /// The model id, e.g. `mistral-small-latest` (or the model that answered, in a response).
    public var model: String
    /// One entry per input: target name to `{scores: {label: score}}`.
    public var results: [[String: TargetResult]]

    public init(id: String, model: String, results: [[String: TargetResult]]) {
        self.id = id
        self.model = model
        self.results = results
    }

    /// The scores of one classification target.
    public struct TargetResult: Sendable, Hashable, Codable {
        /// Label to score.
        public var scores: [String: Double]
        public init(scores: [String: Double]) { self.scores = scores }
    }
}
