/// A model the API serves: what it can do, its context length, deprecation.
public struct ModelCard: Sendable, Hashable, Codable {
    /// The server's id for this object.
    public var id: String
    /// The wire object type, e.g. `chat.completion`.
    public var object: String?
    /// Creation time, Unix seconds.
    public var created: Int?
    public var ownedBy: String?
    public var capabilities: Capabilities
    /// The name.
    public var name: String?
    public var description: String?
    public var maxContextLength: Int?
    public var aliases: [String]?
    /// ISO 8601 date after which the model stops answering.
    public var deprecation: String?
    public var deprecationReplacementModel: String?
    public var defaultModelTemperature: Double?
    /// `base` or `fine-tuned`.
    public var type: String?
    /// Fine-tuned models: the job that made it and the base model.
    public var job: String?
    public var root: String?
    public var archived: Bool?

    public init(
        id: String, object: String? = "model", created: Int? = nil, ownedBy: String? = "mistralai",
        capabilities: Capabilities = Capabilities(), name: String? = nil, description: String? = nil,
        maxContextLength: Int? = nil, aliases: [String]? = nil, deprecation: String? = nil,
        deprecationReplacementModel: String? = nil, defaultModelTemperature: Double? = nil, type: String? = "base",
        job: String? = nil, root: String? = nil, archived: Bool? = nil
    ) {
        self.id = id
        self.object = object
        self.created = created
        self.ownedBy = ownedBy
        self.capabilities = capabilities
        self.name = name
        self.description = description
        self.maxContextLength = maxContextLength
        self.aliases = aliases
        self.deprecation = deprecation
        self.deprecationReplacementModel = deprecationReplacementModel
        self.defaultModelTemperature = defaultModelTemperature
        self.type = type
        self.job = job
        self.root = root
        self.archived = archived
    }

    private enum CodingKeys: String, CodingKey {
        case id, object, created
        case ownedBy = "owned_by"
        case capabilities, name, description
        case maxContextLength = "max_context_length"
        case aliases, deprecation
        case deprecationReplacementModel = "deprecation_replacement_model"
        case defaultModelTemperature = "default_model_temperature"
        case type, job, root, archived
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        object = try container.decodeIfPresent(String.self, forKey: .object)
        created = try container.decodeIfPresent(Int.self, forKey: .created)
        ownedBy = try container.decodeIfPresent(String.self, forKey: .ownedBy)
        capabilities = try container.decodeIfPresent(Capabilities.self, forKey: .capabilities) ?? Capabilities()
        name = try container.decodeIfPresent(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        maxContextLength = try container.decodeIfPresent(Int.self, forKey: .maxContextLength)
        aliases = try container.decodeIfPresent([String].self, forKey: .aliases)
        deprecation = try container.decodeIfPresent(String.self, forKey: .deprecation)
        deprecationReplacementModel = try container.decodeIfPresent(String.self, forKey: .deprecationReplacementModel)
        defaultModelTemperature = try container.decodeIfPresent(Double.self, forKey: .defaultModelTemperature)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        job = try container.decodeIfPresent(String.self, forKey: .job)
        root = try container.decodeIfPresent(String.self, forKey: .root)
        archived = try container.decodeIfPresent(Bool.self, forKey: .archived)
    }

    /// What a model can do. Flags the server adds later are kept in ``additional``.
    public struct Capabilities: Sendable, Hashable, Codable {
        public var completionChat: Bool
        public var completionFIM: Bool
        public var functionCalling: Bool
        public var reasoning: Bool
        public var fineTuning: Bool
        public var vision: Bool
        public var ocr: Bool
        public var classification: Bool
        public var moderation: Bool
        public var audio: Bool
        /// Every other flag, as received.
        public var additional: [String: JSONValue]

        public init(
            completionChat: Bool = false, completionFIM: Bool = false, functionCalling: Bool = false,
            reasoning: Bool = false, fineTuning: Bool = false, vision: Bool = false, ocr: Bool = false,
            classification: Bool = false, moderation: Bool = false, audio: Bool = false,
            additional: [String: JSONValue] = [:]
        ) {
            self.completionChat = completionChat
            self.completionFIM = completionFIM
            self.functionCalling = functionCalling
            self.reasoning = reasoning
            self.fineTuning = fineTuning
            self.vision = vision
            self.ocr = ocr
            self.classification = classification
            self.moderation = moderation
            self.audio = audio
            self.additional = additional
        }

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case completionChat = "completion_chat"
            case completionFIM = "completion_fim"
            case functionCalling = "function_calling"
            case reasoning
            case fineTuning = "fine_tuning"
            case vision, ocr, classification, moderation, audio
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func flag(_ key: CodingKeys) throws -> Bool { try container.decodeIfPresent(Bool.self, forKey: key) ?? false }
            completionChat = try flag(.completionChat)
            completionFIM = try flag(.completionFIM)
            functionCalling = try flag(.functionCalling)
            reasoning = try flag(.reasoning)
            fineTuning = try flag(.fineTuning)
            vision = try flag(.vision)
            ocr = try flag(.ocr)
            classification = try flag(.classification)
            moderation = try flag(.moderation)
            audio = try flag(.audio)
            additional = try decoder.unknownMembers(known: Set(CodingKeys.allCases.map(\.rawValue)))
        }

        public func encode(to encoder: any Encoder) throws {
            var extra = encoder.container(keyedBy: DynamicCodingKey.self)
            for (key, value) in additional { try extra.encode(value, forKey: DynamicCodingKey(key)) }
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(completionChat, forKey: .completionChat)
            try container.encode(completionFIM, forKey: .completionFIM)
            try container.encode(functionCalling, forKey: .functionCalling)
            try container.encode(reasoning, forKey: .reasoning)
            try container.encode(fineTuning, forKey: .fineTuning)
            try container.encode(vision, forKey: .vision)
            try container.encode(ocr, forKey: .ocr)
            try container.encode(classification, forKey: .classification)
            try container.encode(moderation, forKey: .moderation)
            try container.encode(audio, forKey: .audio)
        }
    }
}

/// `GET /v1/models`. Decodes the documented `{object, data}` form and the bare array the
/// spec's example shows.
public struct ModelList: Sendable, Hashable, Codable {
    /// The wire object type, e.g. `chat.completion`.
    public var object: String
    /// The items, in order.
    public var data: [ModelCard]

    public init(data: [ModelCard]) {
        self.object = "list"
        self.data = data
    }

    private enum CodingKeys: String, CodingKey { case object, data }

    public init(from decoder: any Decoder) throws {
        if let bare = try? decoder.singleValueContainer().decode([ModelCard].self) {
            self.init(data: bare)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let object = try container.decodeIfPresent(String.self, forKey: .object) ?? "list"
        self.init(data: try container.decode([ModelCard].self, forKey: .data))
        self.object = object
    }
}

/// The answer to `DELETE /v1/models/{id}`.
public struct DeletedModel: Sendable, Hashable, Codable {
    /// The server's id for this object.
    public var id: String
    /// The wire object type, e.g. `chat.completion`.
    public var object: String?
    /// Whether the model was deleted.
    public var deleted: Bool
    public init(id: String, object: String? = "model", deleted: Bool) {
        self.id = id
        self.object = object
        self.deleted = deleted
    }
}
