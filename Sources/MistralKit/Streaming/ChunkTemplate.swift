#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A stream chunk read in full, kept as the bytes before and after its delta's text: a
/// stream's chunks differ only in their text, so a chunk whose bytes match around a string is
/// that chunk with this text, and only the string needs reading.
///
/// Exact by construction: identical bytes before the string put the parser in the same state
/// at its start, and identical bytes after it parse the same way whatever the string held, so
/// the chunk reads as the prototype with the new text, as a full read would give.
struct ChunkTemplate: Sendable {
    /// Everything before the text's opening quote.
    private let prefix: [UInt8]
    /// Everything after the text's closing quote.
    private let suffix: [UInt8]
    /// The chunk that was read in full (one choice, a text delta, no finish reason, tool
    /// calls or usage), without its choice.
    let prototype: ChatCompletionChunk
    /// The index of the prototype's one choice.
    let choiceIndex: Int
    /// The role its delta named, if any.
    private let role: String?

    /// A template from `chunk`, read in full from `bytes` with its text in `content`; `nil`
    /// unless the chunk is one text delta and nothing else.
    init?(bytes: UnsafeBufferPointer<UInt8>, content: Range<Int>, chunk: ChatCompletionChunk) {
        guard chunk.usage == nil, chunk.choices.count == 1, chunk.choices[0].finishReason == nil,
            chunk.choices[0].delta.toolCalls == nil, case .text? = chunk.choices[0].delta.content
        else { return nil }
        prefix = Array(bytes[..<content.lowerBound])
        suffix = Array(bytes[content.upperBound...])
        choiceIndex = chunk.choices[0].index
        role = chunk.choices[0].delta.role
        var prototype = chunk
        prototype.choices = []
        self.prototype = prototype
    }

    /// The text of `bytes` when they are this template around one JSON string, else `nil`.
    func text(of bytes: UnsafeBufferPointer<UInt8>) -> String? {
        // At least the two quotes of a string between the two parts.
        guard bytes.count >= prefix.count + suffix.count + 2, let base = bytes.baseAddress,
            bytes[prefix.count] == UInt8(ascii: "\""),
            prefix.withUnsafeBufferPointer({ $0.isEmpty || memcmp(base, $0.baseAddress!, $0.count) == 0 }),
            suffix.withUnsafeBufferPointer({ $0.isEmpty || memcmp(base + (bytes.count - $0.count), $0.baseAddress!, $0.count) == 0 })
        else { return nil }
        var parser = JSONParser(bytes: bytes)
        parser.index = prefix.count
        guard let text = try? parser.parseString(), parser.index == bytes.count - suffix.count else { return nil }
        return text
    }

    /// The chunk of bytes that matched with `text` (see ``text(of:)``).
    func chunk(text: String) -> ChatCompletionChunk {
        var chunk = prototype
        // A new one-choice array (changing a copy of the prototype's would copy it first, through
        // the generic copy of its element: that cost more than the rest of the chunk).
        chunk.choices = [.init(index: choiceIndex, delta: DeltaMessage(role: role, content: .text(text)))]
        return chunk
    }
}
