import Foundation

/// Checks a JSON value against a ``FieldSchema`` the way Pydantic (lax mode) does: it collects
/// every problem with its location instead of stopping at the first, and returns the value with
/// lax coercions applied (`"0.5"` becomes `0.5`, `"true"` becomes `true`), so the coerced body
/// decodes into MistralKit's wire models.
struct SchemaValidator {
    private(set) var issues: [FieldIssue] = []

    /// The validated (and coerced) value; problems are appended to ``issues``.
    mutating func validate(_ value: JSONValue, _ schema: FieldSchema, at location: [JSONValue]) -> JSONValue {
        switch schema {
        case .any:
            return value
        case .string:
            if case .string = value { return value }
            fail(location, "string_type", "Input should be a valid string", value)
        case .number(let bounds):
            if let number = number(value, at: location) {
                check(number, bounds, at: location, input: value)
                if case .int = value { return value }
                return .double(number)
            }
        case .integer(let bounds):
            if let integer = integer(value, at: location) {
                check(Double(integer), bounds, at: location, input: value)
                return .int(integer)
            }
        case .boolean:
            if let flag = boolean(value, at: location) { return .bool(flag) }
        case .oneOf(let allowed):
            if let text = value.stringValue, allowed.contains(text) { return value }
            let expected = Self.quotedList(allowed)
            fail(location, "enum", "Input should be \(expected)", value, ["expected": .string(expected)])
        case .nullable(let inner):
            if value == .null { return .null }
            return validate(value, inner, at: location)
        case .dictionary:
            if case .object = value { return value }
            fail(location, "dict_type", "Input should be a valid dictionary", value)
        case .list(let item):
            guard case .array(let items) = value else {
                fail(location, "list_type", "Input should be a valid list", value)
                break
            }
            return .array(items.enumerated().map { validate($1, item, at: location + [.int($0)]) })
        case .object(let object):
            return validateObject(value, object, at: location)
        case .union(let members):
            return validateUnion(value, members, at: location)
        case .tagged(let union):
            return validateTagged(value, union, at: location)
        }
        return value
    }

    /// Validates an object body or member: known members by their schema, missing required
    /// members, then every unknown member as `extra_forbidden`.
    mutating func validateObject(_ value: JSONValue, _ schema: ObjectSchema, at location: [JSONValue]) -> JSONValue {
        guard case .object(let members) = value else {
            let isBody = location == ["body"]
            fail(
                location, isBody ? "model_attributes_type" : "model_type",
                isBody
                    ? "Input should be a valid dictionary or object to extract fields from"
                    : "Input should be a valid dictionary or instance of \(schema.name)",
                value)
            return value
        }
        var result: [String: JSONValue] = [:]
        for (name, memberSchema) in schema.members {
            if let member = members[name] {
                result[name] = validate(member, memberSchema, at: location + [.string(name)])
            } else if schema.required.contains(name) {
                issues.append(.missing(at: location + [.string(name)], in: value))
            }
        }
        let known = schema.memberNames
        for name in members.keys.sorted() where !known.contains(name) {
            issues.append(.extraForbidden(at: location + [.string(name)], value: members[name]!))
        }
        return .object(result)
    }

    private mutating func validateUnion(_ value: JSONValue, _ members: [UnionMember], at location: [JSONValue]) -> JSONValue {
        var collected: [FieldIssue] = []
        for member in members {
            var attempt = SchemaValidator()
            let coerced = attempt.validate(value, member.schema, at: location + [.string(member.label)])
            if attempt.issues.isEmpty { return coerced }
            collected += attempt.issues
        }
        issues += collected
        return value
    }

    private mutating func validateTagged(_ value: JSONValue, _ union: TaggedUnion, at location: [JSONValue]) -> JSONValue {
        guard case .object(let members) = value else {
            fail(location, "model_attributes_type", "Input should be a valid dictionary or object to extract fields from", value)
            return value
        }
        let discriminator: JSONValue = .string("'\(union.key)'")
        let tags = union.variants.map(\.tag)
        let tag: String
        switch members[union.key] {
        case .string(let text)?:
            tag = text
        case nil:
            guard let defaultTag = union.defaultTag else {
                fail(location, "union_tag_not_found", "Unable to extract tag using discriminator '\(union.key)'", value,
                     ["discriminator": discriminator])
                return value
            }
            tag = defaultTag
        case let other?:
            tag = other.jsonString
        }
        guard let schema = union.variant(tag) else {
            fail(location, "union_tag_invalid", Self.tagMismatch(tag, union.key, tags), value,
                 ["discriminator": discriminator, "tag": .string(tag), "expected_tags": .string(Self.quotedTags(tags))])
            return value
        }
        var coerced = validateObject(value, schema, at: location + [.string(tag)])
        if case .object(var object) = coerced, object[union.key] == nil {
            object[union.key] = .string(tag)
            coerced = .object(object)
        }
        return coerced
    }

    // MARK: - Scalars (Pydantic lax mode)

    private mutating func number(_ value: JSONValue, at location: [JSONValue]) -> Double? {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        case .string(let text):
            if let number = Double(text.trimmingCharacters(in: .whitespaces)), number.isFinite { return number }
            fail(location, "float_parsing", "Input should be a valid number, unable to parse string as a number", value)
        default:
            fail(location, "float_type", "Input should be a valid number", value)
        }
        return nil
    }

    private mutating func integer(_ value: JSONValue, at location: [JSONValue]) -> Int? {
        switch value {
        case .int(let number): return number
        case .double(let number):
            if number.rounded() == number, abs(number) < 9e18 { return Int(number) }
            fail(location, "int_from_float", "Input should be a valid integer, got a number with a fractional part", value)
        case .string(let text):
            if let number = Int(text.trimmingCharacters(in: .whitespaces)) { return number }
            fail(location, "int_parsing", "Input should be a valid integer, unable to parse string as an integer", value)
        default:
            fail(location, "int_type", "Input should be a valid integer", value)
        }
        return nil
    }

    private mutating func boolean(_ value: JSONValue, at location: [JSONValue]) -> Bool? {
        switch value {
        case .bool(let flag): return flag
        case .int(let number) where number == 0 || number == 1: return number == 1
        case .string(let text):
            switch text.lowercased() {
            case "true", "yes", "on", "1", "t", "y": return true
            case "false", "no", "off", "0", "f", "n": return false
            default: fail(location, "bool_parsing", "Input should be a valid boolean, unable to interpret input", value)
            }
        default:
            fail(location, "bool_type", "Input should be a valid boolean", value)
        }
        return nil
    }

    private mutating func check(_ number: Double, _ bounds: NumericBounds, at location: [JSONValue], input: JSONValue) {
        if let minimum = bounds.minimum {
            let bound = Self.boundValue(minimum)
            if bounds.minimumIsExclusive, number <= minimum {
                fail(location, "greater_than", "Input should be greater than \(bound.jsonString)", input, ["gt": bound])
            } else if !bounds.minimumIsExclusive, number < minimum {
                fail(location, "greater_than_equal", "Input should be greater than or equal to \(bound.jsonString)", input, ["ge": bound])
            }
        }
        if let maximum = bounds.maximum {
            let bound = Self.boundValue(maximum)
            if bounds.maximumIsExclusive, number >= maximum {
                fail(location, "less_than", "Input should be less than \(bound.jsonString)", input, ["lt": bound])
            } else if !bounds.maximumIsExclusive, number > maximum {
                fail(location, "less_than_equal", "Input should be less than or equal to \(bound.jsonString)", input, ["le": bound])
            }
        }
    }

    private mutating func fail(
        _ location: [JSONValue], _ type: String, _ message: String, _ input: JSONValue, _ context: [String: JSONValue]? = nil
    ) {
        issues.append(FieldIssue(location: location, type: type, message: message, input: input, context: context))
    }

    // MARK: - Message formatting

    private static func boundValue(_ value: Double) -> JSONValue {
        value.rounded() == value ? .int(Int(value)) : .double(value)
    }

    /// `'a'`, `'a' or 'b'`, `'a', 'b' or 'c'`, as Pydantic words enum errors.
    static func quotedList(_ values: [String]) -> String {
        let quoted = values.map { "'\($0)'" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }

    private static func quotedTags(_ tags: [String]) -> String { tags.map { "'\($0)'" }.joined(separator: ", ") }

    private static func tagMismatch(_ tag: String, _ key: String, _ tags: [String]) -> String {
        "Input tag '\(tag)' found using '\(key)' does not match any of the expected tags: \(quotedTags(tags))"
    }
}
