import Foundation
@testable import MistralTokenizer

/// Small tokenizer files built in memory, so loading and error paths are tested without the
/// mistral-common reference.
enum SyntheticTokenizerFiles {
    /// A tekken file: the 256 byte tokens, then `merges`, and `specialCount` special tokens.
    static func tekken(
        version: String = "v3", merges: [String] = ["ab", "abc", "  "], specialTokens: [String]? = nil,
        specialCount: Int = 20, pattern: String = TekkenPreTokenizer.pattern, extraVocab: [(Int, String)] = []
    ) -> Data {
        var vocab: [OrderedJSON] = (0..<256).map { byte in
            .object([.init("rank", .int(byte)), .init("token_bytes", .string(Data([UInt8(byte)]).base64EncodedString())), .init("token_str", .null)])
        }
        for (index, merge) in merges.enumerated() {
            vocab.append(.object([
                .init("rank", .int(256 + index)), .init("token_bytes", .string(Data(merge.utf8).base64EncodedString())),
                .init("token_str", .string(merge)),
            ]))
        }
        for (rank, base64) in extraVocab {
            vocab.append(.object([.init("rank", .int(rank)), .init("token_bytes", .string(base64)), .init("token_str", .null)]))
        }
        var members: [OrderedJSON.Member] = [
            .init("config", .object([
                .init("pattern", .string(pattern)),
                .init("num_vocab_tokens", .int(vocab.count)),
                .init("default_vocab_size", .int(vocab.count + specialCount)),
                .init("default_num_special_tokens", .int(specialCount)),
                .init("version", .string(version)),
            ])),
            .init("vocab", .array(vocab)),
        ]
        if let specialTokens {
            members.append(.init("special_tokens", .array(specialTokens.enumerated().map { rank, text in
                .object([.init("rank", .int(rank)), .init("token_str", .string(text)), .init("is_control", .bool(true))])
            })))
        }
        return Data(OrderedJSON.object(members).pythonJSON.utf8)
    }

    /// A SentencePiece BPE model with byte fallback: `<unk>`, `<s>`, `</s>`, the 256 byte pieces
    /// and `pieces` (text, score).
    static func sentencePiece(pieces: [(String, Float)] = [("▁a", -1), ("bc", -2), ("▁abc", -3), ("▁", -4), ("a", -5), ("b", -6), ("c", -7)]) -> Data {
        var model: [UInt8] = []
        func piece(_ text: String, _ score: Float, _ type: Int) {
            var body: [UInt8] = []
            field(1, bytes: Array(text.utf8), into: &body)
            body += [0x15] + withUnsafeBytes(of: score.bitPattern.littleEndian, Array.init)
            body += [0x18, UInt8(type)]
            field(1, bytes: body, into: &model)
        }
        piece("<unk>", 0, 2)
        piece("<s>", 0, 3)
        piece("</s>", 0, 3)
        for byte in 0..<256 { piece(SentencePieceModel.bytePieceName(UInt8(byte)), 0, 6) }
        for (text, score) in pieces { piece(text, score, 1) }
        // Trainer spec: BPE, byte fallback, unk 0, bos 1, eos 2.
        field(2, bytes: [0x18, 0x02, 0x98, 0x02, 0x01, 0xC0, 0x02, 0x00, 0xC8, 0x02, 0x01, 0xD0, 0x02, 0x02], into: &model)
        // Normalizer spec: identity, dummy prefix, keep extra whitespace.
        var normalizer: [UInt8] = []
        field(1, bytes: Array("identity".utf8), into: &normalizer)
        normalizer += [0x18, 0x01, 0x20, 0x00]
        field(3, bytes: normalizer, into: &model)
        return Data(model)
    }

    static func field(_ number: UInt8, bytes: [UInt8], into output: inout [UInt8]) {
        output.append(number << 3 | 2)
        var length = bytes.count
        repeat {
            var byte = UInt8(length & 0x7F)
            length >>= 7
            if length > 0 { byte |= 0x80 }
            output.append(byte)
        } while length > 0
        output += bytes
    }

    /// Writes `data` to a fresh temporary file named `name` and returns its URL.
    static func write(_ data: Data, named name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }
}
