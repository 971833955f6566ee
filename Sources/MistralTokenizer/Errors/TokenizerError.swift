/// Every failure of loading a tokenizer file, encoding, decoding or rendering a chat request.
///
/// Tell failures apart with ``kind`` (`error.kind == .corruptFile`); new kinds can be added without
/// breaking callers. ``description`` is one sentence a person can act on.
public struct TokenizerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a stable and extensible set of kinds.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Code: String, Sendable {
            case unreadableFile = "unreadable file"
            case unrecognizedFormat = "unrecognized format"
            case corruptFile = "corrupt file"
            case unsupportedVersion = "unsupported version"
            case unsupportedFeature = "unsupported feature"
            case invalidTokenID = "invalid token id"
            case invalidRequest = "invalid request"
        }
        fileprivate let code: Code

        /// The file could not be read from disk (missing, permissions, I/O error).
        public static let unreadableFile = Kind(code: .unreadableFile)
        /// The bytes are neither a tekken JSON file nor a SentencePiece model.
        public static let unrecognizedFormat = Kind(code: .unrecognizedFormat)
        /// The file has the right format but broken or inconsistent content.
        public static let corruptFile = Kind(code: .corruptFile)
        /// The file declares a tokenizer version this module does not know.
        public static let unsupportedVersion = Kind(code: .unsupportedVersion)
        /// The file or request asks for something this tokenizer (or this module) cannot do,
        /// such as a pre-tokenizer pattern other than Mistral's, or tools on a v1 tokenizer.
        public static let unsupportedFeature = Kind(code: .unsupportedFeature)
        /// A token id outside the vocabulary was given to `decode`.
        public static let invalidTokenID = Kind(code: .invalidTokenID)
        /// A chat or FIM request that mistral-common would reject (message order, tool call ids, ...).
        public static let invalidRequest = Kind(code: .invalidRequest)

        /// The kind in words, such as "corrupt file".
        public var description: String { code.rawValue }
    }

    /// The kind of failure, for matching in code.
    public var kind: Kind
    /// What went wrong, in words a person can act on.
    public var message: String
    /// The file involved, when the failure concerns one.
    public var path: String?

    /// Creates an error of `kind` explained by `message`, optionally about the file at `path`.
    public init(_ kind: Kind, _ message: String, path: String? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
    }

    /// The kind, the message and the file, as one sentence.
    public var description: String {
        if let path { return "\(kind): \(message) (\(path))" }
        return "\(kind): \(message)"
    }
}
