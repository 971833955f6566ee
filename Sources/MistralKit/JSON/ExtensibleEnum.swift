/// A string enum that keeps values it does not know.
///
/// Mistral adds enum values over time (finish reasons, reasoning efforts, tool types). A Swift
/// `enum` would fail to decode a new value and break every caller; these structs decode any
/// string, compare against known values with static members, and encode back what they hold.
public protocol ExtensibleEnum: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
where RawValue == String {
    init(rawValue: String)
}

extension ExtensibleEnum {
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
