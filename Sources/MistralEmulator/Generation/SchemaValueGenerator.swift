import Foundation
import MistralKit

/// Makes a JSON value that satisfies a JSON Schema, for tool-call arguments and `json_schema`
/// structured output.
///
/// Rules, in order: `const`; the first `enum` value that the question (the user's last message,
/// for tool arguments) names, else the first `enum` value; `$ref` (to `#/$defs/...` or
/// `#/definitions/...`); the first non-null `anyOf`/`oneOf` member; `allOf` members merged;
/// then by `type` (the first non-null one when it is a list): strings are `"<name> example"`
/// (or a sample for `format` date, date-time, time, email, uri, uuid) padded or cut to
/// `minLength`/`maxLength`; integers and numbers are `minimum` (or just above an exclusive
/// minimum), else `maximum` when it is below 1, else 1; booleans are `true`; arrays hold
/// `minItems` items (at least one unless `maxItems` is 0); objects hold their `required`
/// properties, or every property when `required` is absent. Unknown shapes give `null`.
struct SchemaValueGenerator {
    /// The whole schema, for resolving `$ref`.
    let root: JSONValue
    /// The text an `enum` value is looked for in (a model picks the order number it was asked about).
    let question: String
    private static let maximumDepth = 12

    init(root: JSONValue, question: String = "") {
        self.root = root
        self.question = question
    }

    /// A value satisfying the root schema.
    func value() -> JSONValue { value(for: root, name: "value", depth: 0) }

    func value(for schema: JSONValue, name: String, depth: Int) -> JSONValue {
        guard depth < Self.maximumDepth, case .object(let members) = schema else { return .null }
        if let constant = members["const"] { return constant }
        if let options = members["enum"]?.arrayValue, let first = options.first {
            return options.first { option in option.stringValue.map { !$0.isEmpty && question.contains($0) } ?? false } ?? first
        }
        if let reference = members["$ref"]?.stringValue, let target = resolve(reference) {
            return value(for: target, name: name, depth: depth + 1)
        }
        for key in ["anyOf", "oneOf"] {
            if let options = members[key]?.arrayValue, !options.isEmpty {
                let chosen = options.first { $0["type"]?.stringValue != "null" } ?? options[0]
                return value(for: chosen, name: name, depth: depth + 1)
            }
        }
        if let parts = members["allOf"]?.arrayValue, !parts.isEmpty {
            var merged: [String: JSONValue] = [:]
            for part in parts {
                let resolved = part["$ref"]?.stringValue.flatMap(resolve) ?? part
                for (key, member) in resolved.objectValue ?? [:] where key != "required" && key != "properties" {
                    merged[key] = member
                }
                merged["properties"] = .object(
                    (merged["properties"]?.objectValue ?? [:]).merging(resolved["properties"]?.objectValue ?? [:]) { $1 })
                let required = (merged["required"]?.arrayValue ?? []) + (resolved["required"]?.arrayValue ?? [])
                merged["required"] = .array(required)
            }
            return value(for: .object(merged), name: name, depth: depth + 1)
        }
        switch typeName(members) {
        case "string": return .string(string(members, name: name))
        case "integer": return .int(Int(number(members)))
        case "number": return .double(number(members))
        case "boolean": return .bool(true)
        case "array": return array(members, name: name, depth: depth)
        case "object": return object(members, depth: depth)
        default: return .null
        }
    }

    private func typeName(_ members: [String: JSONValue]) -> String {
        switch members["type"] {
        case .string(let name): return name
        case .array(let names): return names.compactMap(\.stringValue).first { $0 != "null" } ?? "null"
        default:
            if members["properties"] != nil { return "object" }
            if members["items"] != nil { return "array" }
            return "null"
        }
    }

    private func string(_ members: [String: JSONValue], name: String) -> String {
        var text: String =
            switch members["format"]?.stringValue {
            case "date": "2025-01-15"
            case "date-time": "2025-01-15T12:00:00Z"
            case "time": "12:00:00"
            case "email": "user@example.com"
            case "uri", "url": "https://example.com"
            case "uuid": "00000000-0000-4000-8000-000000000000"
            default: "\(name) example"
            }
        if let minimum = integer(members["minLength"]), text.count < minimum {
            text += String(repeating: "x", count: minimum - text.count)
        }
        if let maximum = integer(members["maxLength"]), text.count > maximum { text = String(text.prefix(maximum)) }
        return text
    }

    private func number(_ members: [String: JSONValue]) -> Double {
        let isInteger = typeName(members) == "integer"
        let step = isInteger ? 1.0 : 0.5
        if let minimum = members["minimum"]?.doubleValue { return isInteger ? minimum.rounded(.up) : minimum }
        if let minimum = members["exclusiveMinimum"]?.doubleValue {
            return isInteger ? (minimum + 1).rounded(.down) : minimum + step
        }
        if let maximum = members["maximum"]?.doubleValue, maximum < 1 { return isInteger ? maximum.rounded(.down) : maximum }
        if let maximum = members["exclusiveMaximum"]?.doubleValue, maximum <= 1 {
            return isInteger ? (maximum - 1).rounded(.up) : maximum - step
        }
        return 1
    }

    private func array(_ members: [String: JSONValue], name: String, depth: Int) -> JSONValue {
        var count = max(integer(members["minItems"]) ?? 1, 1)
        if let maximum = integer(members["maxItems"]) { count = min(count, maximum) }
        let item = members["items"] ?? .object([:])
        return .array((0..<count).map { _ in value(for: item, name: name, depth: depth + 1) })
    }

    private func object(_ members: [String: JSONValue], depth: Int) -> JSONValue {
        let properties = members["properties"]?.objectValue ?? [:]
        let names = members["required"]?.arrayValue?.compactMap(\.stringValue) ?? properties.keys.sorted()
        var result: [String: JSONValue] = [:]
        for name in names {
            result[name] = value(for: properties[name] ?? .object([:]), name: name, depth: depth + 1)
        }
        return .object(result)
    }

    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: JSONValue? = root
        for part in reference.dropFirst(2).split(separator: "/") {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            node = node?[key]
        }
        return node
    }

    private func integer(_ value: JSONValue?) -> Int? { value?.doubleValue.map { Int($0) } }
}
