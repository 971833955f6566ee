import Foundation

/// A `multipart/form-data` body (RFC 7578) split into its parts: what a file upload sends.
///
/// Only what uploads need: each part's name, file name, content type and bytes. A body that is
/// not well formed (no boundary, a part without `Content-Disposition: form-data; name=…`, no
/// closing delimiter) is refused with a reason.
struct MultipartForm: Sendable {
    struct Part: Sendable {
        var name: String
        var fileName: String?
        var contentType: String?
        var body: [UInt8]
    }

    var parts: [Part]

    struct Malformed: Error, Sendable {
        var reason: String
    }

    /// The parts of `body`, sent with the `Content-Type` header `contentType`.
    init(contentType: String, body: [UInt8]) throws(Malformed) {
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundary = Self.parameter("boundary", in: contentType), !boundary.isEmpty
        else {
            throw Malformed(reason: "The body must be multipart/form-data with a boundary.")
        }
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Part] = []
        guard var position = Self.find(delimiter, in: body, from: 0) else { throw Malformed(reason: "The multipart body has no part.") }
        while true {
            position += delimiter.count
            // `--` after a delimiter closes the body.
            if body.count >= position + 2, body[position] == UInt8(ascii: "-"), body[position + 1] == UInt8(ascii: "-") { break }
            guard let headerStart = Self.skipLineBreak(body, position),
                let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: headerStart)
            else { throw Malformed(reason: "A multipart part has no headers.") }
            let headers = String(decoding: body[headerStart..<headerEnd], as: UTF8.self)
            let contentStart = headerEnd + 4
            guard let next = Self.find(Array("\r\n".utf8) + delimiter, in: body, from: contentStart) else {
                throw Malformed(reason: "The multipart body is not closed by its boundary.")
            }
            var name: String?
            var fileName: String?
            var type: String?
            for line in headers.split(separator: "\r\n") {
                let pieces = line.split(separator: ":", maxSplits: 1)
                guard pieces.count == 2 else { continue }
                let value = pieces[1].trimmingCharacters(in: .whitespaces)
                switch pieces[0].lowercased() {
                case "content-disposition":
                    guard value.lowercased().hasPrefix("form-data") else { continue }
                    name = Self.parameter("name", in: value)
                    fileName = Self.parameter("filename", in: value)
                case "content-type": type = value
                default: break
                }
            }
            guard let name else { throw Malformed(reason: "A multipart part has no Content-Disposition name.") }
            parts.append(Part(name: name, fileName: fileName, contentType: type, body: Array(body[contentStart..<next])))
            position = next + 2
        }
        self.parts = parts
    }

    /// The part named `name`, if any.
    func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    /// A header parameter's value (`boundary=…`, `name="…"`), unquoted.
    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    private static func skipLineBreak(_ body: [UInt8], _ position: Int) -> Int? {
        if body.count >= position + 2, body[position] == 13, body[position + 1] == 10 { return position + 2 }
        if body.count >= position + 1, body[position] == 10 { return position + 1 }
        return nil
    }

    /// The first index of `needle` in `haystack` at or after `start`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
