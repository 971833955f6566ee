import MistralKit

/// Reads a Conversations or Agents API request body the way Mistral validates it: every
/// problem found (a missing or mistyped field, a field Mistral does not know) is collected,
/// then refused at once as a 422 with FastAPI's `detail` list, so a caller sees all of them.
struct RequestFields {
    private let members: [String: JSONValue]
    private var issues: [JSONValue] = []

    /// `body`, which must be a JSON object with only `allowed` members.
    init(_ body: [UInt8], allowed: Set<String>) throws(GatewayFailure) {
        guard !body.isEmpty else {
            self.members = [:]
            return
        }
        guard let value = try? JSONParser.parse(body) else {
            throw GatewayFailure.validation(["detail": [Self.issue(["body"], "JSON decode error", "json_invalid", input: nil)]])
        }
        guard case .object(let members) = value else {
            throw GatewayFailure.validation(["detail": [Self.issue(["body"], "Input should be a valid dictionary", "dict_type", input: value)]])
        }
        self.members = members
        for (name, value) in members.sorted(by: { $0.key < $1.key }) where !allowed.contains(name) {
            issues.append(Self.issue(["body", .string(name)], "Extra inputs are not permitted", "extra_forbidden", input: value))
        }
    }

    static func issue(_ location: [JSONValue], _ message: String, _ type: String, input: JSONValue?) -> JSONValue {
        ["loc": .array(location), "msg": .string(message), "type": .string(type), "input": input ?? nil]
    }

    /// Records a problem with member `name`.
    mutating func refuse(_ name: String, _ message: String, type: String = "value_error") {
        issues.append(Self.issue(["body", .string(name)], message, type, input: members[name]))
    }

    /// Throws the collected problems, if any.
    func check() throws(GatewayFailure) {
        guard issues.isEmpty else { throw GatewayFailure.validation(["detail": .array(issues)]) }
    }

    func has(_ name: String) -> Bool { members[name].map { $0 != .null } ?? false }
    /// Whether `name` was sent as an explicit `null`.
    func isNull(_ name: String) -> Bool { members[name] == .null }
    func raw(_ name: String) -> JSONValue? { members[name].flatMap { $0 == .null ? nil : $0 } }

    mutating func string(_ name: String, required: Bool = false) -> String? {
        guard let value = raw(name) else {
            if required { issues.append(Self.issue(["body", .string(name)], "Field required", "missing", input: .object(members))) }
            return nil
        }
        guard let text = value.stringValue else {
            refuse(name, "Input should be a valid string", type: "string_type")
            return nil
        }
        return text
    }

    mutating func bool(_ name: String) -> Bool? {
        guard let value = raw(name) else { return nil }
        guard case .bool(let flag) = value else {
            refuse(name, "Input should be a valid boolean", type: "bool_type")
            return nil
        }
        return flag
    }

    mutating func integer(_ name: String) -> Int? {
        guard let value = raw(name) else { return nil }
        guard let number = value.doubleValue, number == number.rounded(), let integer = Int(exactly: number) else {
            refuse(name, "Input should be a valid integer", type: "int_type")
            return nil
        }
        return integer
    }

    mutating func object(_ name: String) -> [String: JSONValue]? {
        guard let value = raw(name) else { return nil }
        guard let object = value.objectValue else {
            refuse(name, "Input should be a valid dictionary", type: "dict_type")
            return nil
        }
        return object
    }

    mutating func array(_ name: String) -> [JSONValue]? {
        guard let value = raw(name) else { return nil }
        guard let array = value.arrayValue else {
            refuse(name, "Input should be a valid list", type: "list_type")
            return nil
        }
        return array
    }
}
