/// The Unicode properties that tekken's pre-tokenizer pattern asks about, packed in one byte per
/// scalar so the hot loop tests bits instead of calling into the Unicode tables.
///
/// The pattern's classes map onto these bits: `\p{L}` letter, `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`
/// upper, `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` lower, `\p{N}` number, `\s` whitespace (Unicode
/// `White_Space`, as in Rust's regex crate), `[\r\n]` newline, plus the literal space and slash.
struct CharacterClass: OptionSet, Sendable {
    let rawValue: UInt8

    static let letter = CharacterClass(rawValue: 1 << 0)
    static let upper = CharacterClass(rawValue: 1 << 1)
    static let lower = CharacterClass(rawValue: 1 << 2)
    static let number = CharacterClass(rawValue: 1 << 3)
    static let whitespace = CharacterClass(rawValue: 1 << 4)
    static let newline = CharacterClass(rawValue: 1 << 5)
    static let space = CharacterClass(rawValue: 1 << 6)
    static let slash = CharacterClass(rawValue: 1 << 7)

    /// The classes of one scalar, from the standard library's Unicode tables.
    static func of(_ scalar: Unicode.Scalar) -> CharacterClass {
        var result: CharacterClass = []
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .titlecaseLetter: result = [.letter, .upper]
        case .lowercaseLetter: result = [.letter, .lower]
        case .modifierLetter, .otherLetter: result = [.letter, .upper, .lower]
        case .nonspacingMark, .spacingMark, .enclosingMark: result = [.upper, .lower]
        case .decimalNumber, .letterNumber, .otherNumber: result = .number
        default: break
        }
        if scalar.properties.isWhitespace { result.insert(.whitespace) }
        switch scalar {
        case "\r", "\n": result.insert(.newline)
        case " ": result.insert(.space)
        case "/": result.insert(.slash)
        default: break
        }
        return result
    }

    /// Classes of every scalar in the Basic Multilingual Plane, computed once on first use
    /// (a few milliseconds); scalars above it are looked up one by one.
    static let basicPlane: [CharacterClass] = (0..<0x10000).map { value in
        guard let scalar = Unicode.Scalar(UInt32(value)) else { return [] }
        return of(scalar)
    }
}
