/// The expected shape of one JSON value in a request body: the subset of Pydantic's types that
/// Mistral's request schemas use, enough to report the same errors at the same locations.
indirect enum FieldSchema: Sendable {
    /// Anything goes (open members such as tool settings).
    case any
    case string
    case number(NumericBounds = NumericBounds())
    case integer(NumericBounds = NumericBounds())
    case boolean
    /// One of the listed strings (a Python `Enum`).
    case oneOf([String])
    /// The schema, or `null`.
    case nullable(FieldSchema)
    /// A free-form object (`metadata`, JSON Schemas).
    case dictionary
    /// An array whose items all match the schema.
    case list(FieldSchema)
    /// A model with named members; unknown members are forbidden.
    case object(ObjectSchema)
    /// The first member schema the value satisfies; otherwise every member's errors, each under
    /// its label (Pydantic's "smart" union).
    case union([UnionMember])
    /// Objects told apart by a tag member (`role`, `type`), with the tag in error locations.
    case tagged(TaggedUnion)
}

/// A member of a ``FieldSchema/union(_:)`` and the label Pydantic puts in error locations.
struct UnionMember: Sendable {
    var label: String
    var schema: FieldSchema

    init(_ label: String, _ schema: FieldSchema) {
        self.label = label
        self.schema = schema
    }
}

/// Objects discriminated by `key`; a missing tag takes `defaultTag` when there is one.
struct TaggedUnion: Sendable {
    var key: String
    var variants: [(tag: String, schema: ObjectSchema)]
    var defaultTag: String?

    func variant(_ tag: String) -> ObjectSchema? { variants.first { $0.tag == tag }?.schema }
}

/// Inclusive or exclusive limits on a number.
struct NumericBounds: Sendable {
    var minimum: Double?
    var minimumIsExclusive = false
    var maximum: Double?
    var maximumIsExclusive = false

    init(minimum: Double? = nil, exclusiveMinimum: Bool = false, maximum: Double? = nil, exclusiveMaximum: Bool = false) {
        self.minimum = minimum
        self.minimumIsExclusive = exclusiveMinimum
        self.maximum = maximum
        self.maximumIsExclusive = exclusiveMaximum
    }
}

/// The schema of one request body (or of an object inside one): its members in declaration order
/// (the order errors are reported in), which of them are required, and the name Pydantic uses in
/// `model_type` errors.
///
/// Take one from ``RequestSchemas`` and hand it to ``RequestValidator/decode(_:from:schema:)``;
/// its contents stay internal, so the schemas can follow Mistral's without breaking callers.
public struct ObjectSchema: Sendable {
    var name: String
    var members: [(name: String, schema: FieldSchema)]
    var required: Set<String>

    /// A model whose member names are exactly `allowed`, typed from `types` (members without a
    /// type accept anything), so the allowed set comes from the wire models' own key lists.
    init(name: String, allowed: [String], types: [String: FieldSchema], required: Set<String> = []) {
        self.name = name
        self.members = allowed.map { ($0, types[$0] ?? .any) }
        self.required = required
    }

    var memberNames: Set<String> { Set(members.map(\.name)) }
}
