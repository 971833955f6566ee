/// One part of a message's content: text, an image, a document, a citation, a file, reasoning,
/// or audio, discriminated on the wire by `type`.
///
/// Chunk types this version does not know decode as ``unknown(_:)`` with the raw JSON kept, and
/// encode back unchanged, so a newer server never breaks a decode.
public enum ContentChunk: Sendable, Hashable {
    case text(String)
    case imageURL(ImageURL)
    case documentURL(url: String, name: String?)
    case reference(ids: [ReferenceID])
    case file(id: String)
    case thinking(ThinkingChunk)
    case inputAudio(String)
    case toolReference(ToolReference)
    case unknown(JSONValue)

    /// An image given by URL or `data:` URI, with an optional detail level.
    public struct ImageURL: Sendable, Hashable, Codable {
        public var url: String
        public var detail: ImageDetail?
        public init(url: String, detail: ImageDetail? = nil) {
            self.url = url
            self.detail = detail
        }
    }

    /// `low`, `auto` or `high`; other values are kept as sent.
    public struct ImageDetail: ExtensibleEnum {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let low: Self = "low"
        public static let auto: Self = "auto"
        public static let high: Self = "high"
    }

    /// A citation id: Mistral sends integers, newer schemas allow strings.
    public enum ReferenceID: Sendable, Hashable, Codable {
        case int(Int)
        case string(String)
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) {
                self = .int(value)
            } else {
                self = .string(try container.decode(String.self))
            }
        }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .int(let value): try container.encode(value)
            case .string(let value): try container.encode(value)
            }
        }
    }

    /// Reasoning the model produced (or that is replayed to it): nested text, tool reference and
    /// reference chunks; `closed == false` means the reasoning was cut off.
    public struct ThinkingChunk: Sendable, Hashable, Codable {
        public var thinking: [ContentChunk]
        public var signature: String?
        public var closed: Bool?
        public init(thinking: [ContentChunk], signature: String? = nil, closed: Bool? = nil) {
            self.thinking = thinking
            self.signature = signature
            self.closed = closed
        }
        /// The concatenated text of the nested text chunks.
        public var text: String { thinking.map(\.textValue).joined() }
    }

    /// A reference to a built-in tool's result (web search and the like) inside reasoning.
    public struct ToolReference: Sendable, Hashable, Codable {
        public var tool: String
        public var title: String
        public var url: String?
        public var favicon: String?
        public var description: String?
        public init(tool: String, title: String, url: String? = nil, favicon: String? = nil, description: String? = nil) {
            self.tool = tool
            self.title = title
            self.url = url
            self.favicon = favicon
            self.description = description
        }
    }

    /// The wire `type` of this chunk.
    public var type: String {
        switch self {
        case .text: "text"
        case .imageURL: "image_url"
        case .documentURL: "document_url"
        case .reference: "reference"
        case .file: "file"
        case .thinking: "thinking"
        case .inputAudio: "input_audio"
        case .toolReference: "tool_reference"
        case .unknown(let raw): raw["type"]?.stringValue ?? "unknown"
        }
    }

    /// The chunk's text when it is a text chunk, else the empty string.
    public var textValue: String {
        if case .text(let text) = self { return text }
        return ""
    }
}

extension ContentChunk: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, text
        case imageURL = "image_url"
        case documentURL = "document_url"
        case documentName = "document_name"
        case referenceIDs = "reference_ids"
        case fileID = "file_id"
        case thinking, signature, closed
        case inputAudio = "input_audio"
        case tool, title, url, favicon, description
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "text":
            self = .text(try container.decode(String.self, forKey: .text))
        case "image_url":
            if let url = try? container.decode(String.self, forKey: .imageURL) {
                self = .imageURL(ImageURL(url: url))
            } else {
                self = .imageURL(try container.decode(ImageURL.self, forKey: .imageURL))
            }
        case "document_url":
            self = .documentURL(
                url: try container.decode(String.self, forKey: .documentURL),
                name: try container.decodeIfPresent(String.self, forKey: .documentName))
        case "reference":
            self = .reference(ids: try container.decode([ReferenceID].self, forKey: .referenceIDs))
        case "file":
            self = .file(id: try container.decode(String.self, forKey: .fileID))
        case "thinking":
            self = .thinking(
                ThinkingChunk(
                    thinking: try container.decode([ContentChunk].self, forKey: .thinking),
                    signature: try container.decodeIfPresent(String.self, forKey: .signature),
                    closed: try container.decodeIfPresent(Bool.self, forKey: .closed)))
        case "input_audio":
            self = .inputAudio(try container.decode(String.self, forKey: .inputAudio))
        case "tool_reference":
            self = .toolReference(try ToolReference(from: decoder))
        default:
            self = .unknown(try JSONValue(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if case .unknown(let raw) = self {
            try raw.encode(to: encoder)
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .text(let text):
            try container.encode(text, forKey: .text)
        case .imageURL(let image):
            if image.detail == nil {
                try container.encode(image.url, forKey: .imageURL)
            } else {
                try container.encode(image, forKey: .imageURL)
            }
        case .documentURL(let url, let name):
            try container.encode(url, forKey: .documentURL)
            try container.encodeIfPresent(name, forKey: .documentName)
        case .reference(let ids):
            try container.encode(ids, forKey: .referenceIDs)
        case .file(let id):
            try container.encode(id, forKey: .fileID)
        case .thinking(let chunk):
            try container.encode(chunk.thinking, forKey: .thinking)
            try container.encodeIfPresent(chunk.signature, forKey: .signature)
            try container.encodeIfPresent(chunk.closed, forKey: .closed)
        case .inputAudio(let audio):
            try container.encode(audio, forKey: .inputAudio)
        case .toolReference(let reference):
            try container.encode(reference.tool, forKey: .tool)
            try container.encode(reference.title, forKey: .title)
            try container.encodeIfPresent(reference.url, forKey: .url)
            try container.encodeIfPresent(reference.favicon, forKey: .favicon)
            try container.encodeIfPresent(reference.description, forKey: .description)
        case .unknown:
            break
        }
    }
}

/// A message's content: plain text or a list of chunks. `null` content is `nil` at the use site.
public enum MessageContent: Sendable, Hashable {
    case text(String)
    case chunks([ContentChunk])

    /// The visible text: the string, or the text chunks joined (reasoning excluded).
    public var text: String {
        switch self {
        case .text(let text): text
        case .chunks(let chunks): chunks.map(\.textValue).joined()
        }
    }

    /// The reasoning text in `thinking` chunks, joined; empty when there is none.
    public var thinkingText: String {
        guard case .chunks(let chunks) = self else { return "" }
        return chunks.compactMap { chunk -> String? in
            if case .thinking(let thinking) = chunk { return thinking.text }
            return nil
        }.joined()
    }
}

extension MessageContent: Codable, ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .text(value) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .chunks(try container.decode([ContentChunk].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .chunks(let chunks): try container.encode(chunks)
        }
    }
}
