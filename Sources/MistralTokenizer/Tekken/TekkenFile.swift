/// The contents of a `tekken.json` file that encoding and chat rendering need.
///
/// Reading follows mistral-common's `Tekkenizer.from_file`: the vocabulary is cut to
/// `default_vocab_size - default_num_special_tokens` entries, files without `special_tokens`
/// (v3 and v7) get mistral-common's built-in list, and missing special tokens are filled with
/// `<SPECIAL_n>` up to `default_num_special_tokens`.
struct TekkenFile: Sendable {
    var version: TokenizerVersion
    var encoder: TekkenEncoder
    /// Special token strings by id.
    var specialTokens: [String]
    /// `default_vocab_size`: special plus regular tokens.
    var vocabularySize: Int
    /// The `model_settings_builder` object of v15 files.
    var modelSettingsBuilder: OrderedJSON?

    /// mistral-common's special tokens for tekken files that predate the `special_tokens` list.
    static let legacySpecialTokens: [SpecialTokenName] = [
        .unknown, .beginOfSequence, .endOfSequence, .beginInstruction, .endInstruction,
        .beginAvailableTools, .endAvailableTools, .beginToolResults, .endToolResults, .toolCalls,
        .image, .padding, .imageBreak, .imageEnd, .prefix, .middle, .suffix,
        .beginSystem, .endSystem, .beginToolContent,
    ]

    static func read(_ data: UnsafeRawBufferPointer, path: String?) throws(TokenizerError) -> TekkenFile {
        func corrupt(_ message: String) -> TokenizerError { TokenizerError(.corruptFile, message, path: path) }
        var scanner = JSONScanner(data)
        var config: OrderedJSON?
        var specialTokenValues: OrderedJSON?
        var modelSettingsBuilder: OrderedJSON?
        var hasMultimodal = false
        var vocabulary: (bytes: [UInt8], offsets: [Int32])?
        do throws(JSONScanner.SyntaxError) {
            try scanner.readObject("'{' at the start of a tekken file") { scanner, key throws(JSONScanner.SyntaxError) in
                switch key {
                case "vocab": vocabulary = try readVocabulary(&scanner, path: path)
                case "config": config = try scanner.parseValue()
                case "special_tokens": specialTokenValues = try scanner.parseValue()
                case "model_settings_builder": modelSettingsBuilder = try scanner.parseValue()
                case "multimodal": hasMultimodal = try scanner.parseValue() != .null
                default: try scanner.skipValue()
                }
            }
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw scanner.fail("extra data after the JSON object") }
        } catch {
            throw corrupt("the tekken file is not valid JSON: \(error.message) at byte \(error.offset)")
        }

        guard let config else { throw corrupt("the tekken file has no \"config\" object") }
        guard case .string(let versionName)? = config["version"] else {
            throw corrupt("the tekken file's config has no \"version\"")
        }
        guard let version = TokenizerVersion(name: versionName) else {
            throw TokenizerError(.unsupportedVersion, "unknown tokenizer version \"\(versionName)\"; known versions are \(TokenizerVersion.allCases.map(\.name).joined(separator: ", "))", path: path)
        }
        guard case .string(let pattern)? = config["pattern"] else { throw corrupt("the tekken file's config has no \"pattern\"") }
        guard pattern == TekkenPreTokenizer.pattern else {
            throw TokenizerError(.unsupportedFeature, "the pre-tokenizer pattern differs from Mistral's tekken pattern, which is the only one this module implements", path: path)
        }
        guard let vocabularySize = integer(config["default_vocab_size"]),
              let specialTokenCount = integer(config["default_num_special_tokens"]) else {
            throw corrupt("the tekken file's config lacks \"default_vocab_size\" or \"default_num_special_tokens\"")
        }
        guard let vocabulary else { throw corrupt("the tekken file has no \"vocab\" list") }

        var specialTokens: [String]
        if let specialTokenValues, specialTokenValues != .null {
            guard case .array(let entries) = specialTokenValues else { throw corrupt("\"special_tokens\" is not a list") }
            specialTokens = []
            for (index, entry) in entries.enumerated() {
                guard case .string(let text)? = entry["token_str"], integer(entry["rank"]) == index else {
                    throw corrupt("special token \(index) lacks a \"token_str\" or its \"rank\" is not \(index)")
                }
                specialTokens.append(text)
            }
        } else if version > .v7 {
            throw corrupt("tokenizer files after v7 must list their \"special_tokens\"")
        } else {
            specialTokens = legacySpecialTokens.map(\.rawValue)
        }
        guard Set(specialTokens).count == specialTokens.count else { throw corrupt("special tokens must be unique") }
        guard specialTokens.count <= specialTokenCount else {
            throw corrupt("the file lists \(specialTokens.count) special tokens but declares \(specialTokenCount)")
        }
        for index in specialTokens.count..<specialTokenCount { specialTokens.append("<SPECIAL_\(index)>") }
        guard Set(specialTokens).count == specialTokens.count else { throw corrupt("special tokens must be unique") }

        if hasMultimodal, version > .v11 {
            throw corrupt("the image config has to be called \"image\" for tokenizers of version \(version)")
        }
        if let builder = modelSettingsBuilder, builder != .null, version < .v15 {
            throw corrupt("\"model_settings_builder\" is only supported from v15, but the file is \(version)")
        }

        let regularCount = vocabularySize - specialTokenCount
        let available = vocabulary.offsets.count - 1
        guard regularCount >= 256, regularCount <= available else {
            throw corrupt("the vocabulary has \(available) entries but the config needs \(regularCount)")
        }
        let offsets = Array(vocabulary.offsets[0...regularCount])
        let bytes = Array(vocabulary.bytes[0..<Int(offsets[regularCount])])
        for byte in 0..<256 where offsets[byte + 1] - offsets[byte] != 1 || bytes[Int(offsets[byte])] != UInt8(byte) {
            throw corrupt("vocabulary entry \(byte) must be the single byte \(byte)")
        }
        let table: ByteSequenceTable
        switch ByteSequenceTable.build(bytes: bytes, offsets: offsets) {
        case .success(let built): table = built
        case .failure(let duplicate): throw corrupt("vocabulary entry \(duplicate.rank) repeats the bytes of an earlier entry")
        }
        return TekkenFile(
            version: version,
            encoder: TekkenEncoder(table: table, specialTokenCount: specialTokenCount),
            specialTokens: specialTokens,
            vocabularySize: vocabularySize,
            modelSettingsBuilder: modelSettingsBuilder == .null ? nil : modelSettingsBuilder
        )
    }

    static func integer(_ value: OrderedJSON?) -> Int? {
        if case .integer(let digits)? = value { return Int(digits) }
        return nil
    }

    /// Reads `[{"rank": r, "token_bytes": base64, "token_str": ...}, ...]` straight into one byte
    /// buffer, checking that ranks count up from 0.
    static func readVocabulary(
        _ scanner: inout JSONScanner, path: String?
    ) throws(JSONScanner.SyntaxError) -> (bytes: [UInt8], offsets: [Int32]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scanner.bytes.count / 6)
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(200_000)
        try scanner.expect(UInt8(ascii: "["), "the vocabulary list")
        if scanner.consume(UInt8(ascii: "]")) { return (bytes, offsets) }
        repeat {
            var rank: Int?
            var sawBytes = false
            try scanner.readObject("a vocabulary entry") { scanner, key throws(JSONScanner.SyntaxError) in
                switch key {
                case "rank":
                    guard case .integer(let digits) = try scanner.parseValue(), let value = Int(digits) else {
                        throw scanner.fail("a vocabulary rank must be an integer")
                    }
                    rank = value
                case "token_bytes":
                    scanner.skipWhitespace()
                    guard scanner.peek() == UInt8(ascii: "\"") else { throw scanner.fail("token_bytes must be a base64 string") }
                    let encoded = try scanner.parseString()
                    guard Base64.decode(encoded, appendingTo: &bytes) else {
                        throw scanner.fail("token_bytes of entry \(offsets.count - 1) is not valid base64")
                    }
                    sawBytes = true
                default:
                    try scanner.skipValue()
                }
            }
            guard sawBytes, rank == offsets.count - 1 else {
                throw scanner.fail("vocabulary entry \(offsets.count - 1) must have token_bytes and rank \(offsets.count - 1)")
            }
            offsets.append(Int32(bytes.count))
        } while scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "]"), "',' or ']'")
        return (bytes, offsets)
    }
}
