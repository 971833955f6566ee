/// A JSON reader over UTF-8 bytes that accepts exactly what Python's `json.loads` accepts.
///
/// Besides building ``OrderedJSON`` trees it lets the tekken loader walk the (large) vocabulary
/// array without materialising it, which keeps loading a tekken file fast.
struct JSONScanner {
    struct SyntaxError: Error {
        var message: String
        var offset: Int
    }

    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position >= bytes.count }

    func fail(_ message: String) -> SyntaxError { SyntaxError(message: message, offset: position) }

    mutating func parseDocument() throws(TokenizerError) -> OrderedJSON {
        do throws(SyntaxError) {
            skipWhitespace()
            let value = try parseValue()
            skipWhitespace()
            guard isAtEnd else { throw fail("extra data after the JSON value") }
            return value
        } catch {
            throw TokenizerError(.invalidRequest, "not valid JSON: \(error.message) at byte \(error.offset)")
        }
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func expect(_ byte: UInt8, _ what: String) throws(SyntaxError) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { throw fail("expected \(what)") }
        position += 1
    }

    /// Consumes `byte` (after whitespace) when it is next; reports whether it was.
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        if position < bytes.count, bytes[position] == byte {
            position += 1
            return true
        }
        return false
    }

    /// Reads an object (`what` names it in the error when it does not start), handing each key
    /// to `readMember` with the scanner at the member's value, which `readMember` must consume.
    /// Always inlined: loading a tekken file calls it once per vocabulary entry.
    @inline(__always)
    mutating func readObject(
        _ what: String, _ readMember: (inout JSONScanner, String) throws(SyntaxError) -> Void
    ) throws(SyntaxError) {
        try expect(UInt8(ascii: "{"), what)
        if consume(UInt8(ascii: "}")) { return }
        repeat {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw fail("expected a property name in double quotes") }
            let key = try parseString()
            try expect(UInt8(ascii: ":"), "':'")
            try readMember(&self, key)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"), "',' or '}'")
    }

    mutating func parseValue() throws(SyntaxError) -> OrderedJSON {
        skipWhitespace()
        guard let byte = peek() else { throw fail("expected a value") }
        switch byte {
        case UInt8(ascii: "{"):
            var members: [OrderedJSON.Member] = []
            try readObject("an object") { scanner, key throws(SyntaxError) in
                let value = try scanner.parseValue()
                if let index = members.firstIndex(where: { $0.key == key }) {
                    members[index].value = value
                } else {
                    members.append(OrderedJSON.Member(key, value))
                }
            }
            return .object(members)
        case UInt8(ascii: "["):
            position += 1
            var elements: [OrderedJSON] = []
            if consume(UInt8(ascii: "]")) { return .array(elements) }
            repeat {
                elements.append(try parseValue())
            } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"), "',' or ']'")
            return .array(elements)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "N"):
            try literal("NaN")
            return .float(.nan)
        case UInt8(ascii: "I"):
            try literal("Infinity")
            return .float(.infinity)
        case UInt8(ascii: "-"):
            if hasLiteral("-Infinity") {
                position += 9
                return .float(-.infinity)
            }
            return try parseNumber()
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw fail("expected a value")
        }
    }

    func hasLiteral(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for index in 0..<count where bytes[position + index] != word.utf8Start[index] { return false }
        return true
    }

    mutating func literal(_ word: StaticString) throws(SyntaxError) {
        guard hasLiteral(word) else { throw fail("expected a value") }
        position += word.utf8CodeUnitCount
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`, an integer unless a fraction or exponent follows.
    mutating func parseNumber() throws(SyntaxError) -> OrderedJSON {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), isDigit(first) else { throw fail("expected a value") }
        if first == UInt8(ascii: "0") {
            position += 1
        } else {
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
        var isFloat = false
        if peek() == UInt8(ascii: "."), position + 1 < bytes.count, isDigit(bytes[position + 1]) {
            isFloat = true
            position += 1
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
        if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            var probe = position + 1
            if probe < bytes.count, bytes[probe] == UInt8(ascii: "+") || bytes[probe] == UInt8(ascii: "-") { probe += 1 }
            if probe < bytes.count, isDigit(bytes[probe]) {
                isFloat = true
                position = probe
                while let byte = peek(), isDigit(byte) { position += 1 }
            }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if isFloat {
            guard let value = Double(text) else { throw fail("unreadable number") }
            return .float(value)
        }
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        if digits == "0" { return .integer("0") }
        return .integer(negative ? "-" + digits : String(digits))
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Reads a string starting at its opening quote.
    mutating func parseString() throws(SyntaxError) -> String {
        position += 1
        let start = position
        // Fast path: no escapes.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("invalid control character in string") }
            position += 1
        }
        var scalars = String.UnicodeScalarView()
        var utf8 = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        func flush() {
            if !utf8.isEmpty {
                scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
                utf8.removeAll(keepingCapacity: true)
            }
        }
        while true {
            guard position < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                flush()
                return String(scalars)
            }
            if byte < 0x20 { throw fail("invalid control character in string") }
            if byte != UInt8(ascii: "\\") {
                utf8.append(byte)
                position += 1
                continue
            }
            position += 1
            guard position < bytes.count else { throw fail("unterminated string") }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "\""): utf8.append(0x22)
            case UInt8(ascii: "\\"): utf8.append(0x5C)
            case UInt8(ascii: "/"): utf8.append(0x2F)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                flush()
                var unit = try parseHex4()
                if (0xD800...0xDBFF).contains(unit), hasLiteral("\\u") {
                    let saved = position
                    position += 2
                    let low = try parseHex4()
                    if (0xDC00...0xDFFF).contains(low) {
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        position = saved
                    }
                }
                // A lone surrogate becomes U+FFFD, as tiktoken does when it meets one in a Python string.
                scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
            default:
                throw fail("invalid \\escape")
            }
        }
    }

    mutating func parseHex4() throws(SyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("invalid \\uXXXX escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            default: throw fail("invalid \\uXXXX escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    /// Skips one value without building it (used for the vocabulary's `token_str`).
    mutating func skipValue() throws(SyntaxError) {
        skipWhitespace()
        guard let byte = peek() else { throw fail("expected a value") }
        if byte == UInt8(ascii: "\"") {
            position += 1
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\\") {
                    position += 2
                } else {
                    position += 1
                    if byte == UInt8(ascii: "\"") { return }
                }
            }
            throw fail("unterminated string")
        }
        _ = try parseValue()
    }
}
