/// Just enough of the protobuf wire format to read a SentencePiece `ModelProto`: varints,
/// length-delimited fields and 32-bit floats, with every length checked against the buffer.
struct ProtobufReader {
    enum Field {
        case varint(UInt64)
        case fixed32(UInt32)
        case fixed64(UInt64)
        case bytes(Range<Int>)
    }

    struct Malformed: Error {
        var message: String
    }

    let data: UnsafeRawBufferPointer
    var position: Int
    let end: Int

    init(_ data: UnsafeRawBufferPointer, range: Range<Int>? = nil) {
        self.data = data
        self.position = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? data.count
    }

    /// The next field number and value, or `nil` at the end of the message.
    mutating func next() throws(Malformed) -> (number: Int, value: Field)? {
        guard position < end else { return nil }
        let key = try readVarint()
        let number = Int(key >> 3)
        guard number > 0 else { throw Malformed(message: "field number 0 at byte \(position)") }
        switch key & 7 {
        case 0: return (number, .varint(try readVarint()))
        case 1:
            guard position + 8 <= end else { throw Malformed(message: "truncated 64-bit field") }
            let value = data.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            position += 8
            return (number, .fixed64(UInt64(littleEndian: value)))
        case 2:
            let length = try readVarint()
            guard length <= UInt64(end - position) else {
                throw Malformed(message: "a field of \(length) bytes runs past the end of its message at byte \(position)")
            }
            let range = position..<(position + Int(length))
            position += Int(length)
            return (number, .bytes(range))
        case 5:
            guard position + 4 <= end else { throw Malformed(message: "truncated 32-bit field") }
            let value = data.loadUnaligned(fromByteOffset: position, as: UInt32.self)
            position += 4
            return (number, .fixed32(UInt32(littleEndian: value)))
        default:
            throw Malformed(message: "unsupported wire type \(key & 7) at byte \(position)")
        }
    }

    mutating func readVarint() throws(Malformed) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw Malformed(message: "truncated varint") }
            let byte = data[position]
            position += 1
            guard shift < 64 else { throw Malformed(message: "varint longer than 10 bytes") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: data[range]), as: UTF8.self)
    }
}
