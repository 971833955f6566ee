import MistralKit

/// Embeds text by feature hashing, so texts that share words are close in cosine similarity.
///
/// Each lower-cased word (a run of letters and digits) is hashed with FNV-1a; the hash modulo
/// `dimension` picks a bucket and its top bit picks the sign (+1 or -1); the vector is then
/// L2-normalised. A text without words gets the unit vector on the first axis.
struct FeatureHashEmbedder: Sendable {
    let dimension: Int

    /// The unit-length vector for `text`.
    func embed(_ text: String) -> [Double] {
        var vector = [Double](repeating: 0, count: dimension)
        for word in Self.words(in: text) {
            let hash = StableHash.of(word)
            vector[Int(hash % UInt64(dimension))] += hash >> 63 == 0 ? 1 : -1
        }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else {
            vector[0] = 1
            return vector
        }
        return vector.map { $0 / norm }
    }

    /// The vector in `dtype`, as the numbers Mistral sends in JSON: `float` as is; `int8`
    /// `round(x*127)`; `uint8` `round(x*127)+128`; `binary`/`ubinary` one bit per component
    /// (1 when positive), packed 8 per byte, most significant bit first, each byte read as a
    /// signed (`binary`) or unsigned (`ubinary`) integer. Packed lengths are `dimension / 8`,
    /// rounded up.
    static func convert(_ vector: [Double], to dtype: EmbeddingDtype) -> [Double] {
        switch dtype {
        case .int8:
            return vector.map { Double(Int8(clamping: Int(($0 * 127).rounded()))) }
        case .uint8:
            return vector.map { Double(UInt8(clamping: Int(($0 * 127).rounded()) + 128)) }
        case .binary, .ubinary:
            var bytes: [UInt8] = []
            for start in stride(from: 0, to: vector.count, by: 8) {
                var byte: UInt8 = 0
                for offset in 0..<8 where start + offset < vector.count && vector[start + offset] > 0 {
                    byte |= 0x80 >> UInt8(offset)
                }
                bytes.append(byte)
            }
            return bytes.map { dtype == .binary ? Double(Int8(bitPattern: $0)) : Double($0) }
        default:
            return vector
        }
    }

    private static func words(in text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }
}
