import Foundation

/// The text of a document file, by its extension: plain text and Markdown as they are, HTML
/// without its tags, scripts and styles. Refuses what it cannot read rather than storing garbage.
/// PDFs are not text: ``KnowledgeService`` tells them apart with ``isPDF(_:name:)`` and sends them
/// to OCR.
enum DocumentText {
    /// The largest document accepted, in bytes.
    static let maximumBytes = 5 << 20

    /// The title (first Markdown heading, HTML `<title>`, else the file name) and text of `data`.
    static func extract(_ data: Data, name: String) throws -> (title: String, text: String) {
        if data.count > maximumBytes {
            throw ChatEngineError(.unreadableDocument, "\(name) is \(data.count) bytes, more than the \(maximumBytes)-byte limit for a document.")
        }
        let lowered = name.lowercased()
        guard let raw = String(data: data, encoding: .utf8), !raw.contains("\u{0}") else {
            throw ChatEngineError(.unreadableDocument, "\(name) is not UTF-8 text (binary or another encoding).")
        }
        let fallbackTitle = (name as NSString).lastPathComponent
        if lowered.hasSuffix(".html") || lowered.hasSuffix(".htm") {
            let title = firstMatch(#"<title[^>]*>([\s\S]*?)</title>"#, in: raw).map(decodeEntities) ?? fallbackTitle
            return (title.trimmingCharacters(in: .whitespacesAndNewlines), html(raw))
        }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { throw ChatEngineError(.unreadableDocument, "\(name) has no text.") }
        return (title(ofMarkdown: raw, name: name), text)
    }

    /// Whether `data` (from the file `name`) is a PDF, by its signature or its extension.
    static func isPDF(_ data: Data, name: String) -> Bool {
        name.lowercased().hasSuffix(".pdf") || data.starts(with: Array("%PDF".utf8))
    }

    /// The largest PDF sent to OCR, in bytes (Mistral's limit is 50 MB).
    static let maximumPDFBytes = 50 << 20

    /// The title of Markdown (a file's, or OCR's reading of a PDF): its first heading, else the
    /// file name.
    static func title(ofMarkdown markdown: String, name: String) -> String {
        markdown.split(separator: "\n").first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) } ?? (name as NSString).lastPathComponent
    }

    static func html(_ raw: String) -> String {
        var text = raw
        for pattern in [#"<(script|style|title)[^>]*>[\s\S]*?</\1>"#, #"<!--[\s\S]*?-->"#] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: [.regularExpression, .caseInsensitive])
        }
        text = text.replacingOccurrences(of: #"<(br|/p|/div|/li|/h[1-6]|/tr)[^>]*>"#, with: "\n", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(of: #"<[^>]+>"#, with: " ", options: .regularExpression)
        text = decodeEntities(text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        }
        return lines.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    static func decodeEntities(_ text: String) -> String {
        var result = text
        for (entity, character) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&apos;", "'"), ("&amp;", "&")] {
            result = result.replacingOccurrences(of: entity, with: character)
        }
        return result
    }

    private static func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let expression = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]),
            let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }
}
