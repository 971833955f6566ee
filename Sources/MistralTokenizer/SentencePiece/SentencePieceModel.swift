/// The parts of a SentencePiece `ModelProto` that BPE encoding and decoding use.
///
/// Only what Mistral's models use is accepted: the BPE model type, the `identity` normaliser
/// (no character rewriting) and whitespace escaping to `▁`. Anything else is refused with
/// ``TokenizerError/Kind/unsupportedFeature`` rather than encoded differently from SentencePiece.
struct SentencePieceModel: Sendable {
    enum PieceType: Int, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    struct Piece: Sendable {
        var text: String
        var score: Float
        var type: PieceType
    }

    var pieces: [Piece]
    var byteFallback: Bool
    var addDummyPrefix: Bool
    var removeExtraWhitespaces: Bool
    var escapeWhitespaces: Bool
    var unknownID: Int
    var bosID: Int
    var eosID: Int
    var padID: Int
    var unknownSurface: String

    static func read(_ data: UnsafeRawBufferPointer, path: String?) throws(TokenizerError) -> SentencePieceModel {
        func corrupt(_ message: String) -> TokenizerError { TokenizerError(.corruptFile, message, path: path) }
        var model = SentencePieceModel(
            pieces: [], byteFallback: false, addDummyPrefix: true, removeExtraWhitespaces: true,
            escapeWhitespaces: true, unknownID: 0, bosID: 1, eosID: 2, padID: -1, unknownSurface: " \u{2047} ")
        var modelType = 1
        var normalizerName = ""
        var hasCharsMap = false
        var treatWhitespaceAsSuffix = false
        do throws(ProtobufReader.Malformed) {
            var reader = ProtobufReader(data)
            while let (number, value) = try reader.next() {
                guard case .bytes(let range) = value else { continue }
                switch number {
                case 1: model.pieces.append(try readPiece(data, range))
                case 2:
                    var trainer = ProtobufReader(data, range: range)
                    while let (field, value) = try trainer.next() {
                        switch (field, value) {
                        case (3, .varint(let type)): modelType = Int(type)
                        case (24, .varint(let flag)): treatWhitespaceAsSuffix = flag != 0
                        case (35, .varint(let flag)): model.byteFallback = flag != 0
                        case (40, .varint(let id)): model.unknownID = Int(Int32(truncatingIfNeeded: id))
                        case (41, .varint(let id)): model.bosID = Int(Int32(truncatingIfNeeded: id))
                        case (42, .varint(let id)): model.eosID = Int(Int32(truncatingIfNeeded: id))
                        case (43, .varint(let id)): model.padID = Int(Int32(truncatingIfNeeded: id))
                        case (44, .bytes(let text)): model.unknownSurface = trainer.string(text)
                        default: break
                        }
                    }
                case 3:
                    var normalizer = ProtobufReader(data, range: range)
                    while let (field, value) = try normalizer.next() {
                        switch (field, value) {
                        case (1, .bytes(let text)): normalizerName = normalizer.string(text)
                        case (2, .bytes(let map)): hasCharsMap = !map.isEmpty
                        case (3, .varint(let flag)): model.addDummyPrefix = flag != 0
                        case (4, .varint(let flag)): model.removeExtraWhitespaces = flag != 0
                        case (5, .varint(let flag)): model.escapeWhitespaces = flag != 0
                        default: break
                        }
                    }
                default: break
                }
            }
        } catch {
            throw corrupt("the SentencePiece model is not a valid protobuf message: \(error.message)")
        }
        guard !model.pieces.isEmpty else { throw corrupt("the SentencePiece model has no pieces") }
        guard modelType == 2 else {
            throw TokenizerError(.unsupportedFeature, "only BPE SentencePiece models are supported; this one has model type \(modelType)", path: path)
        }
        guard (normalizerName == "identity" || normalizerName.isEmpty), !hasCharsMap, !treatWhitespaceAsSuffix else {
            throw TokenizerError(.unsupportedFeature, "only the identity normaliser with whitespace as prefix is supported; this model uses \"\(normalizerName)\"", path: path)
        }
        guard !model.removeExtraWhitespaces else {
            throw TokenizerError(.unsupportedFeature, "models that remove extra whitespace are not supported", path: path)
        }
        guard !model.pieces.contains(where: { $0.type == .unused }) else {
            throw TokenizerError(.unsupportedFeature, "models with unused pieces (which SentencePiece re-segments) are not supported", path: path)
        }
        for (name, id) in [("unknown", model.unknownID), ("bos", model.bosID), ("eos", model.eosID)] {
            guard model.pieces.indices.contains(id) else { throw corrupt("the \(name) id \(id) is outside the \(model.pieces.count) pieces") }
        }
        guard model.pieces[model.unknownID].type == .unknown else { throw corrupt("piece \(model.unknownID) must be the unknown piece") }
        if model.byteFallback {
            for byte in 0..<256 where !model.pieces.contains(where: { $0.type == .byte && $0.text == SentencePieceModel.bytePieceName(UInt8(byte)) }) {
                throw corrupt("byte fallback is on but the byte piece \(SentencePieceModel.bytePieceName(UInt8(byte))) is missing")
            }
        }
        return model
    }

    static func readPiece(_ data: UnsafeRawBufferPointer, _ range: Range<Int>) throws(ProtobufReader.Malformed) -> Piece {
        var reader = ProtobufReader(data, range: range)
        var piece = Piece(text: "", score: 0, type: .normal)
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let text)): piece.text = reader.string(text)
            case (2, .fixed32(let bits)): piece.score = Float(bitPattern: bits)
            case (3, .varint(let type)):
                guard let known = PieceType(rawValue: Int(type)) else {
                    throw ProtobufReader.Malformed(message: "unknown piece type \(type)")
                }
                piece.type = known
            default: break
            }
        }
        return piece
    }

    /// `<0x0A>`: how SentencePiece names the piece of one byte.
    static func bytePieceName(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "<0x" + (hex.count == 1 ? "0" : "") + hex + ">"
    }
}
