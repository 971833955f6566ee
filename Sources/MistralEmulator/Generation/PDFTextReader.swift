/// The emulator's stand-in for Mistral's OCR model: the text of a PDF's uncompressed content
/// streams, one page per stream that draws text, in file order.
///
/// It reads the literal strings shown by `Tj`, `TJ`, `'` and `"` and starts a new line at each
/// text-positioning operator, which is enough for the simple PDFs tests and offline development
/// make. It does not decompress streams (`/FlateDecode`): such a page reads as a note saying so.
/// Real OCR (layout, tables, images, scanned pages) needs Mistral's service.
enum PDFTextReader {
    enum Failure: Error, Equatable {
        /// The bytes do not start with `%PDF-`.
        case notAPDF
        /// A PDF without any page that draws text or is compressed.
        case noPages
    }

    /// Each page's text.
    static func pages(of pdf: [UInt8]) throws(Failure) -> [String] {
        guard pdf.starts(with: Array("%PDF-".utf8)) else { throw .notAPDF }
        var pages: [String] = []
        var cursor = 0
        while let start = find(Array("stream".utf8), in: pdf, from: cursor) {
            var bodyStart = start + 6
            if bodyStart < pdf.count, pdf[bodyStart] == 0x0D { bodyStart += 1 }
            if bodyStart < pdf.count, pdf[bodyStart] == 0x0A { bodyStart += 1 }
            guard let end = find(Array("endstream".utf8), in: pdf, from: bodyStart) else { break }
            cursor = end + 9
            // "endstream" also contains "stream": skip matches that are the tail of one.
            if start >= 3, pdf[(start - 3)..<start].elementsEqual("end".utf8) { continue }
            let dictionary = String(decoding: pdf[max(0, start - 200)..<start], as: UTF8.self)
            if dictionary.contains("/FlateDecode") || dictionary.contains("/Filter") {
                pages.append("(This page's content is compressed; the emulator does not decompress PDF streams.)")
                continue
            }
            let text = text(of: Array(pdf[bodyStart..<end]))
            if let text { pages.append(text) }
        }
        guard !pages.isEmpty else { throw .noPages }
        return pages
    }

    /// The text a content stream shows, or `nil` when it shows none.
    static func text(of stream: [UInt8]) -> String? {
        var lines: [String] = [""]
        var shown = false
        var strings: [String] = []
        var index = 0
        while index < stream.count {
            let byte = stream[index]
            if byte == UInt8(ascii: "(") {
                let (string, next) = literal(stream, from: index + 1)
                strings.append(string)
                index = next
                continue
            }
            if isLetter(byte) || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "*") {
                var end = index
                while end < stream.count, isLetter(stream[end]) || stream[end] == UInt8(ascii: "*") || stream[end] == UInt8(ascii: "'")
                    || stream[end] == UInt8(ascii: "\"")
                {
                    end += 1
                }
                let op = String(decoding: stream[index..<end], as: UTF8.self)
                switch op {
                case "Tj", "TJ":
                    lines[lines.count - 1] += strings.joined()
                    shown = shown || !strings.isEmpty
                    strings.removeAll()
                case "'", "\"":
                    lines.append(strings.joined())
                    shown = shown || !strings.isEmpty
                    strings.removeAll()
                case "Td", "TD", "T*", "Tm", "ET":
                    if !lines[lines.count - 1].isEmpty { lines.append("") }
                default:
                    break
                }
                index = end
                continue
            }
            index += 1
        }
        guard shown else { return nil }
        return lines.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// A literal string from just after its `(` to its matching `)`, with escapes decoded.
    private static func literal(_ bytes: [UInt8], from start: Int) -> (String, Int) {
        var out: [UInt8] = []
        var depth = 1
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                let next = bytes[index + 1]
                switch next {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                default: out.append(next)
                }
                index += 2
                continue
            }
            if byte == UInt8(ascii: "(") { depth += 1 }
            if byte == UInt8(ascii: ")") {
                depth -= 1
                if depth == 0 { return (String(decoding: out, as: UTF8.self), index + 1) }
            }
            out.append(byte)
            index += 1
        }
        return (String(decoding: out, as: UTF8.self), index)
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
