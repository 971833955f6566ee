import Foundation

/// A Mistral tokenizer read from a `tekken.json` file or a SentencePiece `.model` file, giving
/// the same token ids as Mistral's reference library, mistral-common.
///
/// Use it to know what a request costs before sending it: ``countTokens(_:)-(ChatRequest)``
/// renders a chat request exactly as the model sees it (system prompt, tools, tool calls and
/// results, thinking, model settings) for the file's ``version``. A tokenizer is an immutable
/// value, safe to share between tasks.
///
/// ```swift
/// let tokenizer = try Tokenizer.load(contentsOf: url)
/// let ids = tokenizer.encode("Hello, world!")
/// let cost = try tokenizer.countTokens(ChatRequest(messages: [.user("Hi")]))
/// ```
public struct Tokenizer: Sendable {
    /// The two file formats Mistral ships tokenizers in.
    public enum Format: String, Sendable, Hashable {
        /// tiktoken-style byte-level BPE (`tekken.json`), used by Mistral's models since mid-2024.
        case tekken
        /// SentencePiece BPE (`tokenizer.model.v1` ... `.v7`), used by the earlier models.
        case sentencePiece
    }

    enum Engine: Sendable {
        case tekken(TekkenFile)
        case sentencePiece(SentencePieceEncoder, SentencePieceDecoder, pieceIDs: [String: Int])
    }

    let engine: Engine
    let settingsBuilder: ModelSettingsBuilder?

    /// The file format.
    public let format: Format
    /// The rendering generation, which decides how ``encodeChat(_:)`` lays out a conversation.
    public let version: TokenizerVersion
    /// How many ids exist (special plus regular tokens); every id is below this.
    public let vocabularySize: Int
    /// How many ids at the start of the vocabulary are special (control) tokens.
    public let specialTokenCount: Int
    /// The beginning-of-sequence token, which starts every rendered chat request.
    public let bosID: Int
    /// The end-of-sequence token, which closes every assistant turn.
    public let eosID: Int
    /// The unknown-token id.
    public let unknownID: Int
    /// The padding token, when the file has one.
    public let padID: Int?

    // MARK: Loading

    /// Reads a tokenizer file, telling tekken JSON from a SentencePiece model by its content.
    ///
    /// A SentencePiece file's version comes from its name, as in mistral-common:
    /// `tokenizer.model.v3` (or `.v7m1`) is v3 (v7), a bare `tokenizer.model` is v1.
    ///
    /// - Throws: ``TokenizerError`` of kind ``TokenizerError/Kind/unreadableFile`` when the file
    ///   cannot be read, ``TokenizerError/Kind/unrecognizedFormat`` when it is neither format,
    ///   ``TokenizerError/Kind/corruptFile`` when its content is broken or inconsistent,
    ///   ``TokenizerError/Kind/unsupportedVersion`` for an unknown version, and
    ///   ``TokenizerError/Kind/unsupportedFeature`` for a valid file this module cannot encode
    ///   exactly (another pre-tokenizer pattern, a unigram SentencePiece model, ...).
    public static func load(contentsOf url: URL) throws -> Tokenizer {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw TokenizerError(.unreadableFile, "cannot read the tokenizer file: \(error.localizedDescription)", path: url.path)
        }
        let firstByte = data.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        if firstByte == UInt8(ascii: "{") {
            return try Tokenizer(tekkenJSON: data, path: url.path)
        }
        // A ModelProto starts with its first piece: field 1, length-delimited, so the byte 0x0A.
        if data.first == 0x0A {
            let version = try sentencePieceVersion(fileName: url.lastPathComponent, path: url.path)
            return try Tokenizer(sentencePieceModel: data, version: version, path: url.path)
        }
        throw TokenizerError(.unrecognizedFormat, "the file is neither tekken JSON nor a SentencePiece model", path: url.path)
    }

    /// Reads a `tekken.json` file's content; the version comes from the file.
    ///
    /// - Throws: ``TokenizerError`` as described for ``load(contentsOf:)``.
    public init(tekkenJSON data: Data, path: String? = nil) throws {
        let file = try data.withUnsafeBytes { bytes throws(TokenizerError) in try TekkenFile.read(bytes, path: path) }
        engine = .tekken(file)
        format = .tekken
        version = file.version
        vocabularySize = file.vocabularySize
        specialTokenCount = file.specialTokens.count
        func id(_ name: SpecialTokenName) throws(TokenizerError) -> Int {
            guard let index = file.specialTokens.firstIndex(of: name.rawValue) else {
                throw TokenizerError(.corruptFile, "the special token \(name.rawValue) is missing", path: path)
            }
            return index
        }
        bosID = try id(.beginOfSequence)
        eosID = try id(.endOfSequence)
        unknownID = try id(.unknown)
        padID = file.specialTokens.firstIndex(of: SpecialTokenName.padding.rawValue)
        settingsBuilder = try file.modelSettingsBuilder.map { value throws(TokenizerError) in
            try ModelSettingsBuilder(fileValue: value, path: path)
        }
    }

    /// Reads a SentencePiece model's content, rendering chats as `version`.
    ///
    /// - Throws: ``TokenizerError`` as described for ``load(contentsOf:)``; also
    ///   ``TokenizerError/Kind/unsupportedVersion`` for versions after v7, which Mistral only
    ///   ships as tekken files.
    public init(sentencePieceModel data: Data, version: TokenizerVersion, path: String? = nil) throws {
        guard version <= .v7 else {
            throw TokenizerError(.unsupportedVersion, "SentencePiece tokenizers exist up to v7, not \(version)", path: path)
        }
        let model = try data.withUnsafeBytes { bytes throws(TokenizerError) in try SentencePieceModel.read(bytes, path: path) }
        let encoder = try SentencePieceEncoder(model: model, path: path)
        var pieceIDs: [String: Int] = [:]
        for (id, piece) in model.pieces.enumerated() where pieceIDs[piece.text] == nil { pieceIDs[piece.text] = id }
        engine = .sentencePiece(encoder, SentencePieceDecoder(model: model), pieceIDs: pieceIDs)
        format = .sentencePiece
        self.version = version
        vocabularySize = model.pieces.count
        specialTokenCount = model.pieces.filter { $0.type == .control }.count
        bosID = model.bosID
        eosID = model.eosID
        unknownID = model.unknownID
        padID = model.padID >= 0 ? model.padID : nil
        settingsBuilder = nil
    }

    /// mistral-common's `get_spm_version`: the suffix after the last dot, without an `m<n>`
    /// multimodal tag; a name ending in `.model` is v1.
    static func sentencePieceVersion(fileName: String, path: String) throws(TokenizerError) -> TokenizerVersion {
        let suffix = fileName.split(separator: ".", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        if suffix == "model" { return .v1 }
        let name = String(suffix.split(separator: "m", omittingEmptySubsequences: false).first ?? "")
        guard let version = TokenizerVersion(name: name) else {
            throw TokenizerError(.unsupportedVersion, "cannot tell the tokenizer version from the file name \(fileName); name it like tokenizer.model.v3", path: path)
        }
        return version
    }

    // MARK: Special tokens

    /// The id of a special token, or `nil` when this file does not have it.
    ///
    /// For SentencePiece files this is the id of the piece with that text, as mistral-common's
    /// `get_special_token` returns (falling back to the unknown id, like SentencePiece).
    public func specialTokenID(_ name: SpecialTokenName) -> Int? {
        switch engine {
        case .tekken(let file): return file.specialTokens.firstIndex(of: name.rawValue)
        case .sentencePiece(_, _, let pieceIDs): return pieceIDs[name.rawValue] ?? unknownID
        }
    }

    func requiredSpecialTokenID(_ name: SpecialTokenName) throws(TokenizerError) -> Int {
        guard let id = specialTokenID(name) else {
            throw TokenizerError(.unsupportedFeature, "this \(version) tokenizer has no \(name.rawValue) token")
        }
        return id
    }

    /// Whether `id` is a special (control) token, which ``decode(_:keepingSpecialTokens:)`` skips.
    public func isSpecialToken(_ id: Int) -> Bool {
        switch engine {
        case .tekken(let file): return id >= 0 && id < file.specialTokens.count
        case .sentencePiece(let encoder, _, _): return encoder.model.pieces.indices.contains(id) && encoder.model.pieces[id].type == .control
        }
    }

    // MARK: Text

    /// The ids of `text` as plain text: text that looks like a control token (`"[INST]"`, `"</s>"`)
    /// is encoded as ordinary characters, never as the control token.
    public func encode(_ text: String, addBOS: Bool = false, addEOS: Bool = false) -> [Int] {
        var ids: [Int]
        switch engine {
        case .tekken(let file): ids = file.encoder.encode(text)
        case .sentencePiece(let encoder, _, _): ids = encoder.encode(text)
        }
        if addBOS { ids.insert(bosID, at: 0) }
        if addEOS { ids.append(eosID) }
        return ids
    }

    /// The text of `ids`, as mistral-common decodes it.
    ///
    /// Special tokens are left out unless `keepingSpecialTokens` (then tekken writes their names,
    /// and SentencePiece writes every token's raw piece, `▁` included, as mistral-common's
    /// `SpecialTokenPolicy.KEEP` does). Bytes that do not form UTF-8 become U+FFFD.
    ///
    /// - Throws: ``TokenizerError`` of kind ``TokenizerError/Kind/invalidTokenID`` when an id is
    ///   negative or not below ``vocabularySize``.
    public func decode(_ ids: [Int], keepingSpecialTokens: Bool = false) throws -> String {
        if let bad = ids.first(where: { $0 < 0 || $0 >= vocabularySize }) {
            throw TokenizerError(.invalidTokenID, "token id \(bad) is outside the vocabulary of \(vocabularySize) ids")
        }
        switch engine {
        case .tekken(let file):
            return TekkenDecoder(file: file).decode(ids, keepingSpecialTokens: keepingSpecialTokens)
        case .sentencePiece(let encoder, let decoder, _):
            if keepingSpecialTokens { return ids.map { encoder.model.pieces[$0].text }.joined() }
            return decoder.decode(ids)
        }
    }

    /// How many tokens `text` takes as plain text.
    public func countTokens(_ text: String) -> Int { encode(text).count }

    // MARK: Chat and fill-in-the-middle

    /// The ids of a chat request rendered as this tokenizer's model sees it, starting with BOS.
    ///
    /// Matches mistral-common's `encode_chat_completion` (validation in its default test mode,
    /// normalisation, then the version's layout).
    ///
    /// - Throws: ``TokenizerError`` of kind ``TokenizerError/Kind/invalidRequest`` for a request
    ///   mistral-common rejects (message order, tool call ids, content it cannot render), and
    ///   ``TokenizerError/Kind/unsupportedFeature`` when the version cannot render part of it
    ///   (tools on v1, thinking before v13, a token the file lacks).
    public func encodeChat(_ request: ChatRequest) throws -> [Int] {
        try ChatValidator(version: version).validate(request)
        let instruct = try ChatNormalizer(version: version, settingsBuilder: settingsBuilder).normalize(request)
        return try ChatRenderer(tokenizer: self).render(instruct)
    }

    /// How many tokens a chat request takes as the model sees it (see ``encodeChat(_:)``).
    ///
    /// - Throws: what ``encodeChat(_:)`` throws.
    public func countTokens(_ request: ChatRequest) throws -> Int { try encodeChat(request).count }

    /// The ids of a fill-in-the-middle request: `<s>[SUFFIX]suffix[PREFIX]prefix`, so the model
    /// writes what goes between `prefix` and `suffix`.
    ///
    /// - Throws: ``TokenizerError`` of kind ``TokenizerError/Kind/unsupportedFeature`` for v1
    ///   tokenizers, which have no FIM tokens.
    public func encodeFIM(prefix: String, suffix: String? = nil) throws -> [Int] {
        guard version >= .v2 else { throw TokenizerError(.unsupportedFeature, "FIM is not available for tokenizer v1") }
        var ids = [bosID, try requiredSpecialTokenID(.suffix)]
        if let suffix, !suffix.isEmpty {
            // mistral-common encodes "☺" + suffix and drops two ids to avoid SentencePiece's leading space.
            ids += encode("\u{263A}" + suffix).dropFirst(2)
        }
        ids.append(try requiredSpecialTokenID(.prefix))
        ids += encode(prefix)
        return ids
    }
}
