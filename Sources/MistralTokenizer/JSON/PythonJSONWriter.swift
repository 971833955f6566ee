/// Writes ``OrderedJSON``s byte for byte as Python's `json.dumps(value, ensure_ascii=False)` does.
///
/// mistral-common renders tool schemas, tool calls and tool results with exactly that call, so
/// any difference here (a separator, an escape, how a float is printed) changes the tokens.
enum PythonJSONWriter {
    static func write(_ value: OrderedJSON, to output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .integer(let digits): output += digits
        case .float(let number): output += pythonRepr(number)
        case .string(let text): writeString(text, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += ", " }
                write(element, to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { output += ", " }
                writeString(member.key, to: &output)
                output += ": "
                write(member.value, to: &output)
            }
            output += "}"
        }
    }

    /// Python escapes only `"`, `\` and the C0 controls when `ensure_ascii=False`.
    static func writeString(_ text: String, to output: inout String) {
        output += "\""
        var needsEscaping = false
        for byte in text.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscaping = true
            break
        }
        if !needsEscaping {
            output += text
            output += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    /// `repr(float)`: the shortest digits that round-trip, in fixed notation when the decimal
    /// exponent is in -4...16, otherwise scientific with a signed, at least two-digit exponent.
    static func pythonRepr(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        let sign = number.sign == .minus ? "-" : ""
        if number == 0 { return sign + "0.0" }
        // Swift's description also prints the shortest round-tripping digits; only the layout differs.
        let (digits, pointPosition) = shortestDigits(of: abs(number))
        if pointPosition <= -4 || pointPosition > 16 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let exponent = pointPosition - 1
            let magnitude = String(abs(exponent))
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (magnitude.count < 2 ? "0" : "") + magnitude
        }
        if pointPosition <= 0 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
        }
        if pointPosition >= digits.count {
            return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
        }
        let integerPart = digits.prefix(pointPosition)
        return sign + integerPart + "." + digits.dropFirst(pointPosition)
    }

    /// The significant digits of a positive finite `number` and where the decimal point goes:
    /// `number == 0.<digits> * 10^pointPosition`.
    static func shortestDigits(of number: Double) -> (String, Int) {
        let text = number.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...])!
        }
        var integerDigits = mantissa
        var fractionDigits: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            integerDigits = mantissa[..<dot]
            fractionDigits = mantissa[mantissa.index(after: dot)...]
        }
        var all = String(integerDigits) + fractionDigits
        var pointPosition = integerDigits.count + exponent
        while all.first == "0" {
            all.removeFirst()
            pointPosition -= 1
        }
        while all.last == "0" { all.removeLast() }
        return (all, pointPosition)
    }
}
