import Foundation

/// Reads JSON objects of a known shape straight from bytes into typed values, without building
/// a ``JSONValue`` tree: the fast paths of the hot wire models (stream chunks, chat responses).
///
/// A fast path is an optimisation only, never a second set of rules. Strings, numbers and any
/// member it skips go through ``JSONParser``'s own primitives, so they are read and validated
/// exactly as the tree path reads them; anything the fast path does not handle the simple way
/// (escaped member names, duplicate members, unexpected types, invalid JSON) throws
/// ``JSONCursor/Miss``, and the caller decodes the same bytes again on the tree path. That path
/// then returns the same value or throws the same error as it always did.
struct JSONCursor {
    /// The fast path gave up; decode the bytes on the tree path instead.
    struct Miss: Error {}

    private var parser: JSONParser

    init(_ bytes: UnsafeBufferPointer<UInt8>) { parser = JSONParser(bytes: bytes) }

    private var atEnd: Bool { parser.index >= parser.bytes.count }

    private var current: UInt8 { parser.bytes[parser.index] }

    /// Skips whitespace and reports the next byte without consuming it.
    @inline(__always)
    private mutating func peek() throws(Miss) -> UInt8 {
        // Compact JSON has no whitespace between tokens: one look before the loop.
        if !atEnd, current > 0x20 { return current }
        parser.skipWhitespace()
        guard !atEnd else { throw Miss() }
        return current
    }

    /// The offset of the next byte to read (whitespace is skipped before a value, not after).
    var offset: Int { parser.index }

    /// Requires that only whitespace is left.
    mutating func finish() throws(Miss) {
        parser.skipWhitespace()
        guard atEnd else { throw Miss() }
    }

    /// Consumes `{`; `false` when the value is `null` instead (consumed too).
    mutating func openObjectOrNull() throws(Miss) -> Bool {
        try openOrNull(UInt8(ascii: "{"))
    }

    /// Consumes `[`; `false` when the value is `null` instead (consumed too).
    mutating func openArrayOrNull() throws(Miss) -> Bool {
        try openOrNull(UInt8(ascii: "["))
    }

    private mutating func openOrNull(_ bracket: UInt8) throws(Miss) -> Bool {
        switch try peek() {
        case bracket:
            parser.index += 1
            return true
        case UInt8(ascii: "n"):
            try null()
            return false
        default:
            throw Miss()
        }
    }

    /// Moves to the next member of an open object and returns its raw name, or `nil` after
    /// consuming the closing `}`. `first` tells whether a member was read before. Names with
    /// escapes or non-ASCII bytes are a miss (the tree path decodes them).
    mutating func nextMember(first: inout Bool) throws(Miss) -> UnsafeBufferPointer<UInt8>? {
        var byte = try peek()
        if first {
            first = false
            if byte == UInt8(ascii: "}") {
                parser.index += 1
                return nil
            }
        } else {
            if byte == UInt8(ascii: "}") {
                parser.index += 1
                return nil
            }
            guard byte == UInt8(ascii: ",") else { throw Miss() }
            parser.index += 1
            byte = try peek()
        }
        guard byte == UInt8(ascii: "\"") else { throw Miss() }
        parser.index += 1
        let start = parser.index
        parser.index = JSONStringScan.plainEnd(parser.bytes, from: start)
        guard !atEnd, current == UInt8(ascii: "\""), JSONStringScan.isASCII(parser.bytes, start..<parser.index) else { throw Miss() }
        let name = UnsafeBufferPointer(rebasing: parser.bytes[start..<parser.index])
        parser.index += 1
        guard try peek() == UInt8(ascii: ":") else { throw Miss() }
        parser.index += 1
        return name
    }

    /// Moves to the next element of an open array: `false` after consuming the closing `]`.
    mutating func nextElement(first: inout Bool) throws(Miss) -> Bool {
        let byte = try peek()
        if byte == UInt8(ascii: "]") {
            parser.index += 1
            return false
        }
        if first {
            first = false
        } else {
            guard byte == UInt8(ascii: ",") else { throw Miss() }
            parser.index += 1
        }
        return true
    }

    private mutating func null() throws(Miss) {
        do { try parser.expect("null") } catch { throw Miss() }
    }

    /// A string, or `nil` for `null`; any other value is a miss.
    mutating func stringOrNull() throws(Miss) -> String? {
        switch try peek() {
        case UInt8(ascii: "\""):
            do { return try parser.parseString() } catch { throw Miss() }
        case UInt8(ascii: "n"):
            try null()
            return nil
        default:
            throw Miss()
        }
    }

    /// Like ``stringOrNull()``, but returns `candidate` itself when the string's bytes are exactly
    /// its UTF-8 (no escapes): a stream repeats its id, object and model in every chunk, and
    /// sharing the previous chunk's strings saves allocating and validating them again.
    mutating func stringOrNull(reusing candidate: String?) throws(Miss) -> String? {
        guard var candidate, try peek() == UInt8(ascii: "\"") else { return try stringOrNull() }
        let start = parser.index + 1
        let end = JSONStringScan.plainEnd(parser.bytes, from: start)
        // Escapes and control characters are the parser's to decode or refuse.
        guard end < parser.bytes.count, parser.bytes[end] == UInt8(ascii: "\"") else { return try stringOrNull() }
        let raw = UnsafeBufferPointer(rebasing: parser.bytes[start..<end])
        let same = candidate.withUTF8 { utf8 in
            utf8.count == raw.count && (raw.isEmpty || memcmp(utf8.baseAddress!, raw.baseAddress!, raw.count) == 0)
        }
        guard same else { return try stringOrNull() }
        parser.index = end + 1
        return candidate
    }

    /// An integer (or a double without a fraction that fits, the one integer rule of both
    /// decoding paths), or `nil` for `null`; any other value is a miss.
    mutating func intOrNull() throws(Miss) -> Int? {
        switch try peek() {
        case UInt8(ascii: "1")...UInt8(ascii: "9"):
            // Up to 18 digits and no fraction or exponent: the integer itself, no number value.
            var end = parser.index
            var value = 0
            while end < parser.bytes.count, end - parser.index < 18 {
                let digit = parser.bytes[end] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                value = value &* 10 &+ Int(digit)
                end += 1
            }
            if end < parser.bytes.count, !Self.continuesNumber(parser.bytes[end]) {
                parser.index = end
                return value
            }
            fallthrough
        case UInt8(ascii: "-"), UInt8(ascii: "0"):
            let number: JSONValue
            do { number = try parser.parseNumber() } catch { throw Miss() }
            guard let value = number.exactInteger(Int.self) else { throw Miss() }
            return value
        case UInt8(ascii: "n"):
            try null()
            return nil
        default:
            throw Miss()
        }
    }

    /// Whether `byte`, after digits, makes them more than a plain integer.
    private static func continuesNumber(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// A Boolean, or `nil` for `null`; any other value is a miss.
    mutating func boolOrNull() throws(Miss) -> Bool? {
        do {
            switch try peek() {
            case UInt8(ascii: "t"):
                try parser.expect("true")
                return true
            case UInt8(ascii: "f"):
                try parser.expect("false")
                return false
            case UInt8(ascii: "n"):
                try parser.expect("null")
                return nil
            default:
                throw Miss()
            }
        } catch {
            throw Miss()
        }
    }

    /// Whether the next value is a string (nothing is consumed but whitespace).
    var atString: Bool {
        mutating get { (try? peek()) == UInt8(ascii: "\"") }
    }

    /// Whether the next value is `null` (consumed when it is).
    mutating func skipNull() throws(Miss) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try null()
        return true
    }

    /// Any value, as a tree: for members that are rare or rich (usage, content chunks, tool
    /// calls), read by the tree path's own logic. `depth` is the depth of the enclosing container,
    /// as ``JSONParser`` counts it (the top-level object is 1), so nesting limits are the same.
    mutating func value(depth: Int) throws(Miss) -> JSONValue {
        parser.skipWhitespace()
        do { return try parser.parseValue(depth: depth) } catch { throw Miss() }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether these bytes spell `name` (an ASCII member name).
    @inline(__always)
    func spells(_ name: StaticString) -> Bool {
        guard count == name.utf8CodeUnitCount else { return false }
        let other = name.utf8Start
        for offset in 0..<count where self[offset] != other[offset] { return false }
        return true
    }
}
