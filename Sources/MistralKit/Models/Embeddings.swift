import Foundation

/// A request to `POST /v1/embeddings`.
public struct EmbeddingRequest: Sendable, Hashable, Codable {
    /// The model id, e.g. `mistral-small-latest` (or the model that answered, in a response).
    public var model: String
    /// One text or several; each yields one vector, in order.
    public var input: [String]
    /// Free-form data attached to the request, returned in logs and batch outputs.
    public var metadata: [String: JSONValue]?
    /// Vector length, for models that allow choosing it (e.g. `codestral-embed`).
    public var outputDimension: Int?
    /// Element type of the vectors (default `float`).
    public var outputDtype: EmbeddingDtype?
    /// `float` (JSON numbers) or `base64` (packed bytes; the client unpacks them for you).
    public var encodingFormat: EmbeddingEncodingFormat?

    public init(
        model: String, input: [String], metadata: [String: JSONValue]? = nil, outputDimension: Int? = nil,
        outputDtype: EmbeddingDtype? = nil, encodingFormat: EmbeddingEncodingFormat? = nil
    ) {
        self.model = model
        self.input = input
        self.metadata = metadata
        self.outputDimension = outputDimension
        self.outputDtype = outputDtype
        self.encodingFormat = encodingFormat
    }

    /// The wire names, which are also exactly the members Mistral accepts.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case model, input, metadata
        case outputDimension = "output_dimension"
        case outputDtype = "output_dtype"
        case encodingFormat = "encoding_format"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        if let one = try? container.decode(String.self, forKey: .input) {
            input = [one]
        } else {
            input = try container.decode([String].self, forKey: .input)
        }
        metadata = try container.decodeIfPresent([String: JSONValue].self, forKey: .metadata)
        outputDimension = try container.decodeIfPresent(Int.self, forKey: .outputDimension)
        outputDtype = try container.decodeIfPresent(EmbeddingDtype.self, forKey: .outputDtype)
        encodingFormat = try container.decodeIfPresent(EmbeddingEncodingFormat.self, forKey: .encodingFormat)
    }
}

/// The element type of a vector: `float`, `int8`, `uint8`, or bit-packed `binary` / `ubinary`.
public struct EmbeddingDtype: ExtensibleEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let float: Self = "float"
    public static let int8: Self = "int8"
    public static let uint8: Self = "uint8"
    /// Bits packed 8 to a byte, each byte read as a signed integer; length is dimension / 8.
    public static let binary: Self = "binary"
    /// Bits packed 8 to a byte, each byte read as an unsigned integer.
    public static let ubinary: Self = "ubinary"

    /// Bytes per element in base64 form.
    var byteWidth: Int { self == .float ? 4 : 1 }
}

/// `float` or `base64`.
public struct EmbeddingEncodingFormat: ExtensibleEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let float: Self = "float"
    public static let base64: Self = "base64"
}

/// The answer to an embeddings request.
public struct EmbeddingResponse: Sendable, Hashable, Codable {
    /// The server's id for this object.
    public var id: String
    /// The wire object type, e.g. `chat.completion`.
    public var object: String
    /// The model id, e.g. `mistral-small-latest` (or the model that answered, in a response).
    public var model: String
    /// The items, in order.
    public var data: [EmbeddingData]
    /// Tokens consumed; `nil` only when the server did not report them.
    public var usage: UsageInfo?

    public init(id: String, object: String = "list", model: String, data: [EmbeddingData], usage: UsageInfo?) {
        self.id = id
        self.object = object
        self.model = model
        self.data = data
        self.usage = usage
    }

    private enum CodingKeys: String, CodingKey { case id, object, model, data, usage }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id) ?? ""
        object = try container.decodeIfPresent(String.self, forKey: .object) ?? "list"
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? ""
        data = try container.decodeIfPresent([EmbeddingData].self, forKey: .data) ?? []
        usage = try container.decodeIfPresent(UsageInfo.self, forKey: .usage)
    }

    /// The vectors in input order.
    public var vectors: [[Double]] { data.sorted { $0.index < $1.index }.map(\.embedding) }
}

/// One vector. With `encoding_format: base64` the server sends packed bytes; the client
/// unpacks them into ``embedding`` using the request's dtype and keeps the text in ``base64``.
public struct EmbeddingData: Sendable, Hashable, Codable {
    /// The wire object type, e.g. `chat.completion`.
    public var object: String
    /// Position in the list it belongs to.
    public var index: Int
    /// The vector (unpacked from base64 when the server sent it so).
    public var embedding: [Double]
    /// The packed vector as received, when `encoding_format` was `base64`.
    public var base64: String?

    public init(object: String = "embedding", index: Int, embedding: [Double], base64: String? = nil) {
        self.object = object
        self.index = index
        self.embedding = embedding
        self.base64 = base64
    }

    private enum CodingKeys: String, CodingKey { case object, index, embedding }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        object = try container.decodeIfPresent(String.self, forKey: .object) ?? "embedding"
        index = try container.decodeIfPresent(Int.self, forKey: .index) ?? 0
        if let text = try? container.decode(String.self, forKey: .embedding) {
            base64 = text
            embedding = []
        } else {
            embedding = try container.decode([Double].self, forKey: .embedding)
            base64 = nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(object, forKey: .object)
        try container.encode(index, forKey: .index)
        if let base64 {
            try container.encode(base64, forKey: .embedding)
        } else {
            try container.encode(embedding, forKey: .embedding)
        }
    }
}

/// Packs and unpacks base64 embeddings, little-endian, as Mistral and OpenAI send them.
public enum EmbeddingPacking {
    /// The numbers held in `base64` for `dtype`; `nil` when the text is not base64 or its length
    /// does not fit the element width.
    public static func unpack(_ base64: String, dtype: EmbeddingDtype) -> [Double]? {
        guard let data = Data(base64Encoded: base64), data.count % dtype.byteWidth == 0 else { return nil }
        let bytes = [UInt8](data)
        switch dtype {
        case .float:
            return stride(from: 0, to: bytes.count, by: 4).map { offset in
                let bits = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
                    | UInt32(bytes[offset + 3]) << 24
                return Double(Float(bitPattern: bits))
            }
        case .int8, .binary:
            return bytes.map { Double(Int8(bitPattern: $0)) }
        default:
            return bytes.map { Double($0) }
        }
    }

    /// `values` packed for `dtype` and base64-encoded (the emulator's side of ``unpack(_:dtype:)``).
    public static func pack(_ values: [Double], dtype: EmbeddingDtype) -> String {
        var bytes: [UInt8] = []
        switch dtype {
        case .float:
            bytes.reserveCapacity(values.count * 4)
            for value in values {
                let bits = Float(value).bitPattern
                bytes += [UInt8(bits & 0xff), UInt8(bits >> 8 & 0xff), UInt8(bits >> 16 & 0xff), UInt8(bits >> 24)]
            }
        case .int8, .binary:
            bytes = values.map { UInt8(bitPattern: Int8(clamping: Int($0))) }
        default:
            bytes = values.map { UInt8(clamping: Int($0)) }
        }
        return Data(bytes).base64EncodedString()
    }
}
