/// A coding key for any member name, used to read and keep fields the models do not name.
struct DynamicCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { self.stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// Every member of the current object whose name is not in `known`, as raw JSON.
    func unknownMembers(known: Set<String>) throws -> [String: JSONValue] {
        let container = try container(keyedBy: DynamicCodingKey.self)
        var extra: [String: JSONValue] = [:]
        for key in container.allKeys where !known.contains(key.stringValue) {
            extra[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        return extra
    }
}
