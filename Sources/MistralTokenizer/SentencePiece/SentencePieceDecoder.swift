import Foundation

/// SentencePiece's `DecodeIds` for BPE models: control pieces vanish, `▁` becomes a space (the
/// first one of the text is dropped, undoing the dummy prefix), runs of byte pieces are joined and
/// read as UTF-8 one character at a time, each invalid byte becoming U+FFFD.
///
/// Only the first visible piece loses its leading `▁`, even when that piece is a lone `▁` that
/// leaves the text empty (so `" hi"`, encoded `▁ ▁hi`, decodes to `" hi"`).
struct SentencePieceDecoder: Sendable {
    let model: SentencePieceModel
    let byteValues: [Int16]

    init(model: SentencePieceModel) {
        self.model = model
        byteValues = model.pieces.map { piece in
            guard piece.type == .byte, let value = SentencePieceEncoder.byteValue(ofPiece: piece.text) else { return -1 }
            return Int16(value)
        }
    }

    func decode(_ ids: [Int]) -> String {
        var text = ""
        var pendingBytes: [UInt8] = []
        var atStart = true
        for id in ids {
            let value = byteValues[id]
            if value >= 0 {
                pendingBytes.append(UInt8(value))
                atStart = false
                continue
            }
            if !pendingBytes.isEmpty {
                text += SentencePieceDecoder.decodeBytes(pendingBytes)
                pendingBytes.removeAll(keepingCapacity: true)
            }
            let piece = model.pieces[id]
            switch piece.type {
            case .control: continue
            case .unknown:
                text += model.unknownSurface
                atStart = false
            default:
                var surface = Substring(piece.text)
                if atStart, model.addDummyPrefix || model.removeExtraWhitespaces, surface.hasPrefix("\u{2581}") {
                    surface = surface.dropFirst()
                }
                atStart = false
                text += surface.replacingOccurrences(of: "\u{2581}", with: " ")
            }
        }
        if !pendingBytes.isEmpty { text += SentencePieceDecoder.decodeBytes(pendingBytes) }
        return text
    }

    /// UTF-8 read one character at a time; any byte that does not start a valid character
    /// (overlong forms, surrogates and values past U+10FFFF included) becomes U+FFFD alone.
    static func decodeBytes(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        var index = 0
        func continuation(_ offset: Int) -> UInt32? {
            guard index + offset < bytes.count, bytes[index + offset] & 0xC0 == 0x80 else { return nil }
            return UInt32(bytes[index + offset] & 0x3F)
        }
        while index < bytes.count {
            let lead = bytes[index]
            var decoded: (UInt32, Int)?
            if lead < 0x80 {
                decoded = (UInt32(lead), 1)
            } else if lead & 0xE0 == 0xC0, let b1 = continuation(1) {
                let value = UInt32(lead & 0x1F) << 6 | b1
                if value >= 0x80 { decoded = (value, 2) }
            } else if lead & 0xF0 == 0xE0, let b1 = continuation(1), let b2 = continuation(2) {
                let value = UInt32(lead & 0x0F) << 12 | b1 << 6 | b2
                if value >= 0x800, !(0xD800...0xDFFF).contains(value) { decoded = (value, 3) }
            } else if lead & 0xF8 == 0xF0, let b1 = continuation(1), let b2 = continuation(2), let b3 = continuation(3) {
                let value = UInt32(lead & 0x07) << 18 | b1 << 12 | b2 << 6 | b3
                if value >= 0x10000, value <= 0x10FFFF { decoded = (value, 4) }
            }
            if let (value, width) = decoded, let scalar = Unicode.Scalar(value) {
                scalars.append(scalar)
                index += width
            } else {
                scalars.append("\u{FFFD}")
                index += 1
            }
        }
        return String(scalars)
    }
}
