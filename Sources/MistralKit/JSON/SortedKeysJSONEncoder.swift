import Foundation

/// Encodes `Encodable` values to compact JSON with sorted keys, byte for byte what Foundation's
/// `JSONEncoder` writes with `[.sortedKeys, .withoutEscapingSlashes]`, in a fraction of the time.
///
/// Why: every call encodes its request body and ``EstimatedTokenCounter`` encodes each message,
/// and on Linux `JSONEncoder` costs tens of microseconds for a small request, a measurable share
/// of a call against a fast server. Why it is the same output: it follows the same rules
/// (members sorted by their UTF-8 bytes, a repeated key keeping its last value, the same string
/// escapes, floating-point numbers as their shortest `description` without a trailing `.0`).
/// Whatever it does not handle the same way for certain (dates, data, URLs, decimals,
/// non-finite numbers, `superEncoder`, 128-bit integers, very deep nesting, a value that encodes
/// nothing, any error) throws ``Unsupported``, and ``JSONCoding`` then runs `JSONEncoder`, which
/// produces its own output or error as before.
struct SortedKeysJSONEncoder {
    /// This value needs Foundation's `JSONEncoder`.
    struct Unsupported: Error {}

    /// `JSONEncoder` refuses containers nested this deep; leave such values to it.
    static let maximumDepth = 500

    /// `a.utf8.lexicographicallyPrecedes(b.utf8)`, by `memcmp` when both are contiguous: the
    /// order of an object's members.
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        let result: Bool?? = a.utf8.withContiguousStorageIfAvailable { a in
            b.utf8.withContiguousStorageIfAvailable { b in
                let common = Swift.min(a.count, b.count)
                let order = common == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, common)
                return order != 0 ? order < 0 : a.count < b.count
            }
        }
        if let result = result ?? nil { return result }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// A floating-point number as written: its shortest `description` without a trailing `.0`;
    /// `nil` for non-finite numbers, which are `JSONEncoder`'s to refuse (with its error).
    static func numberText<T: BinaryFloatingPoint & CustomStringConvertible>(_ value: T) -> String? {
        guard value.isFinite else { return nil }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = TreeEncoder(parent: nil, key: nil)
        let root = try encoder.box(value)
        guard !encoder.state.unsupported, let root else { throw Unsupported() }
        var writer = Writer()
        try writer.write(root, depth: 0)
        return writer.bytes
    }

    /// `value` as a ``JSONValue`` tree holding what ``encode(_:)`` would write, for a body that
    /// is changed before it is written (a request mapped to another provider's dialect). Throws
    /// ``Unsupported`` where `encode` would, and for integers above `Int.max`.
    static func tree<T: Encodable>(_ value: T) throws -> JSONValue {
        let encoder = TreeEncoder(parent: nil, key: nil)
        let root = try encoder.box(value)
        guard !encoder.state.unsupported, let root else { throw Unsupported() }
        return try root.tree(depth: 0)
    }
}

extension EncodedJSON {
    fileprivate func tree(depth: Int) throws -> JSONValue {
        switch self {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .int(let value): return .int(Int(value))
        case .uint(let value):
            guard let value = Int(exactly: value) else { throw SortedKeysJSONEncoder.Unsupported() }
            return .int(value)
        case .double(let value):
            guard value.isFinite else { throw SortedKeysJSONEncoder.Unsupported() }
            return .double(value)
        case .float(let value):
            // Through its text as written, so the double is written as the float would be.
            guard let text = SortedKeysJSONEncoder.numberText(value), let double = Double(text) else {
                throw SortedKeysJSONEncoder.Unsupported()
            }
            return .double(double)
        case .string(let value): return .string(value)
        case .raw(let value): return value
        case .array(let array):
            guard depth < SortedKeysJSONEncoder.maximumDepth else { throw SortedKeysJSONEncoder.Unsupported() }
            return .array(try array.elements.map { try $0.tree(depth: depth + 1) })
        case .object(let object):
            guard depth < SortedKeysJSONEncoder.maximumDepth else { throw SortedKeysJSONEncoder.Unsupported() }
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(object.keys.count)
            for (key, value) in zip(object.keys, object.values) { members[key] = try value.tree(depth: depth + 1) }
            return .object(members)
        }
    }
}

/// A value as encoded, before it is written (objects are sorted then).
private enum EncodedJSON {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case float(Float)
    case string(String)
    case raw(JSONValue)
    case object(EncodedObject)
    case array(EncodedArray)
}

private final class EncodedObject {
    var keys: [String] = []
    var values: [EncodedJSON] = []
    private var positions: [String: Int]?

    func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        return keys.firstIndex(of: key)
    }

    /// Sets `key`, replacing an earlier value as a JSON object read into a dictionary would.
    func set(_ key: String, _ value: EncodedJSON) {
        if let position = position(of: key) {
            values[position] = value
            return
        }
        keys.append(key)
        values.append(value)
        if positions != nil {
            positions![key] = keys.count - 1
        } else if keys.count > 16 {
            // Large objects (metadata, schemas) look keys up in a table instead of scanning.
            positions = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
        }
    }
}

private final class EncodedArray {
    var elements: [EncodedJSON] = []
}

/// Shared by every encoder of one encoding: set when a container was used in a way only
/// Foundation's encoder defines.
private final class EncodingState {
    var unsupported = false
}

private final class TreeEncoder: Encoder {
    let parent: TreeEncoder?
    let key: (any CodingKey)?
    let state: EncodingState
    var value: EncodedJSON?

    init(parent: TreeEncoder?, key: (any CodingKey)?) {
        self.parent = parent
        self.key = key
        self.state = parent?.state ?? EncodingState()
    }

    // Built only when asked for (custom `encode(to:)` implementations rarely do).
    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var encoder: TreeEncoder? = self
        while let current = encoder {
            if let key = current.key { path.append(key) }
            encoder = current.parent
        }
        return path.reversed()
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        switch value {
        case .object(let object)?:
            return KeyedEncodingContainer(KeyedContainer(encoder: self, object: object))
        case nil:
            let object = EncodedObject()
            value = .object(object)
            return KeyedEncodingContainer(KeyedContainer(encoder: self, object: object))
        default:
            state.unsupported = true
            return KeyedEncodingContainer(KeyedContainer(encoder: self, object: EncodedObject()))
        }
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        switch value {
        case .array(let array)?:
            return UnkeyedContainer(encoder: self, array: array)
        case nil:
            let array = EncodedArray()
            value = .array(array)
            return UnkeyedContainer(encoder: self, array: array)
        default:
            state.unsupported = true
            return UnkeyedContainer(encoder: self, array: EncodedArray())
        }
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleValueContainer(encoder: self) }

    /// `value` as encoded under `key`; `nil` when it encoded nothing.
    func box<T: Encodable>(_ value: T, key: (any CodingKey)? = nil) throws -> EncodedJSON? {
        // The common leaves without an encoder of their own.
        if T.self == String.self { return .string(value as! String) }
        if T.self == Int.self { return .int(Int64(value as! Int)) }
        if T.self == Bool.self { return .bool(value as! Bool) }
        if T.self == Double.self { return .double(value as! Double) }
        if T.self == JSONValue.self { return .raw(value as! JSONValue) }
        // Types `JSONEncoder` treats specially (Foundation's, and 128-bit integers).
        if T.self == Date.self || T.self == Data.self || T.self == URL.self || T.self == Decimal.self || T.self == Int128.self
            || T.self == UInt128.self
        {
            throw SortedKeysJSONEncoder.Unsupported()
        }
        let child = TreeEncoder(parent: self, key: key)
        try value.encode(to: child)
        return child.value
    }

    /// A nested value that encoded nothing is an empty object, as with `JSONEncoder`.
    func boxNested<T: Encodable>(_ value: T, key: (any CodingKey)?) throws -> EncodedJSON {
        try box(value, key: key) ?? .object(EncodedObject())
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: TreeEncoder
    let object: EncodedObject
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil(forKey key: Key) throws { object.set(key.stringValue, .null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { object.set(key.stringValue, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { object.set(key.stringValue, .string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { object.set(key.stringValue, .double(value)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { object.set(key.stringValue, .float(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { object.set(key.stringValue, .int(Int64(value))) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { object.set(key.stringValue, .int(Int64(value))) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { object.set(key.stringValue, .int(Int64(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { object.set(key.stringValue, .int(Int64(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { object.set(key.stringValue, .int(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { object.set(key.stringValue, .uint(UInt64(value))) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { object.set(key.stringValue, .uint(UInt64(value))) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { object.set(key.stringValue, .uint(UInt64(value))) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { object.set(key.stringValue, .uint(UInt64(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { object.set(key.stringValue, .uint(value)) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        object.set(key.stringValue, try encoder.boxNested(value, key: key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = EncodedObject()
        if object.position(of: key.stringValue) != nil { encoder.state.unsupported = true }
        object.set(key.stringValue, .object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: TreeEncoder(parent: encoder, key: key), object: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = EncodedArray()
        if object.position(of: key.stringValue) != nil { encoder.state.unsupported = true }
        object.set(key.stringValue, .array(nested))
        return UnkeyedContainer(encoder: TreeEncoder(parent: encoder, key: key), array: nested)
    }

    mutating func superEncoder() -> any Encoder {
        encoder.state.unsupported = true
        return TreeEncoder(parent: encoder, key: nil)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        encoder.state.unsupported = true
        return TreeEncoder(parent: encoder, key: key)
    }
}

private struct IndexCodingKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "Index \(intValue!)" }
    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: TreeEncoder
    let array: EncodedArray
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { array.elements.count }

    mutating func encodeNil() throws { array.elements.append(.null) }
    mutating func encode(_ value: Bool) throws { array.elements.append(.bool(value)) }
    mutating func encode(_ value: String) throws { array.elements.append(.string(value)) }
    mutating func encode(_ value: Double) throws { array.elements.append(.double(value)) }
    mutating func encode(_ value: Float) throws { array.elements.append(.float(value)) }
    mutating func encode(_ value: Int) throws { array.elements.append(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { array.elements.append(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { array.elements.append(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { array.elements.append(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { array.elements.append(.int(value)) }
    mutating func encode(_ value: UInt) throws { array.elements.append(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { array.elements.append(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { array.elements.append(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { array.elements.append(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { array.elements.append(.uint(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        array.elements.append(try encoder.boxNested(value, key: IndexCodingKey(count)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = EncodedObject()
        let key = IndexCodingKey(count)
        array.elements.append(.object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: TreeEncoder(parent: encoder, key: key), object: nested))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = EncodedArray()
        let key = IndexCodingKey(count)
        array.elements.append(.array(nested))
        return UnkeyedContainer(encoder: TreeEncoder(parent: encoder, key: key), array: nested)
    }

    mutating func superEncoder() -> any Encoder {
        encoder.state.unsupported = true
        return TreeEncoder(parent: encoder, key: IndexCodingKey(count))
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let encoder: TreeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func set(_ value: EncodedJSON) {
        // A second value in one single-value container is a programming error to JSONEncoder.
        if encoder.value != nil { encoder.state.unsupported = true }
        encoder.value = value
    }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(.double(value)) }
    mutating func encode(_ value: Float) throws { set(.float(value)) }
    mutating func encode(_ value: Int) throws { set(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { set(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { set(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { set(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { set(.int(value)) }
    mutating func encode(_ value: UInt) throws { set(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { set(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { set(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { set(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { set(.uint(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        // The value encodes into this same encoder's place, as `JSONEncoder` does.
        set(try encoder.box(value, key: nil) ?? .object(EncodedObject()))
    }
}

/// Writes encoded values as `JSONEncoder`'s writer does with sorted keys and unescaped slashes.
private struct Writer {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(512) }

    mutating func write(_ value: EncodedJSON, depth: Int) throws {
        switch value {
        case .null: append("null")
        case .bool(let value): append(value ? "true" : "false")
        case .int(let value): appendInteger(value)
        case .uint(let value): appendInteger(value)
        case .double(let value): try appendFloatingPoint(value)
        case .float(let value): try appendFloatingPoint(value)
        case .string(let value): appendString(value)
        case .raw(let value): try write(value, depth: depth)
        case .array(let array):
            guard depth < SortedKeysJSONEncoder.maximumDepth else { throw SortedKeysJSONEncoder.Unsupported() }
            bytes.append(UInt8(ascii: "["))
            for (position, element) in array.elements.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                try write(element, depth: depth + 1)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            guard depth < SortedKeysJSONEncoder.maximumDepth else { throw SortedKeysJSONEncoder.Unsupported() }
            bytes.append(UInt8(ascii: "{"))
            for (position, index) in Self.sortedPositions(object.keys).enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                appendString(object.keys[index])
                bytes.append(UInt8(ascii: ":"))
                try write(object.values[index], depth: depth + 1)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    mutating func write(_ value: JSONValue, depth: Int) throws {
        switch value {
        case .null: append("null")
        case .bool(let value): append(value ? "true" : "false")
        case .int(let value): appendInteger(Int64(value))
        case .double(let value): try appendFloatingPoint(value)
        case .string(let value): appendString(value)
        case .array(let elements):
            guard depth < SortedKeysJSONEncoder.maximumDepth else { throw SortedKeysJSONEncoder.Unsupported() }
            bytes.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                try write(element, depth: depth + 1)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            guard depth < SortedKeysJSONEncoder.maximumDepth else { throw SortedKeysJSONEncoder.Unsupported() }
            bytes.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted(by: SortedKeysJSONEncoder.utf8Precedes)
            for (position, key) in keys.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                appendString(key)
                bytes.append(UInt8(ascii: ":"))
                try write(members[key]!, depth: depth + 1)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Positions of `keys` in the order of their UTF-8 bytes (keys are unique).
    private static func sortedPositions(_ keys: [String]) -> [Int] {
        var positions = Array(keys.indices)
        guard keys.count <= 32 else {
            positions.sort { SortedKeysJSONEncoder.utf8Precedes(keys[$0], keys[$1]) }
            return positions
        }
        // Most objects are small: an insertion sort with byte comparisons beats a general sort.
        for unsorted in positions.indices.dropFirst() {
            let position = positions[unsorted]
            var slot = unsorted
            while slot > 0, SortedKeysJSONEncoder.utf8Precedes(keys[position], keys[positions[slot - 1]]) {
                positions[slot] = positions[slot - 1]
                slot -= 1
            }
            positions[slot] = position
        }
        return positions
    }

    private mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func appendInteger<T: FixedWidthInteger>(_ value: T) {
        if value >= 0, value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        bytes.append(contentsOf: value.description.utf8)
    }

    private mutating func appendFloatingPoint<T: BinaryFloatingPoint & CustomStringConvertible>(_ value: T) throws {
        guard let text = SortedKeysJSONEncoder.numberText(value) else { throw SortedKeysJSONEncoder.Unsupported() }
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func appendString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var mark = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[mark..<index]))
                mark = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[mark..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
