import MistralKit

/// Cuts text into chunks of about `chunkTokens` tokens that overlap by about `overlapTokens`,
/// at word boundaries. A word's tokens are counted once, by the client's token counter, so the
/// cost is linear in the text.
struct TextChunker {
    let chunkTokens: Int
    let overlapTokens: Int
    let counter: any TokenCounting

    func chunks(of text: String) -> [String] {
        let words = text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        guard !words.isEmpty else { return [] }
        let sizes = words.map { max(1, counter.tokens(in: " " + $0)) }
        var chunks: [String] = []
        var start = 0
        while start < words.count {
            var end = start
            var tokens = 0
            while end < words.count, end == start || tokens + sizes[end] <= chunkTokens {
                tokens += sizes[end]
                end += 1
            }
            chunks.append(words[start..<end].joined(separator: " "))
            if end == words.count { break }
            // Step back over about `overlapTokens` tokens of words, always moving forward.
            var next = end
            var overlap = 0
            while next > start + 1, overlap + sizes[next - 1] <= overlapTokens {
                next -= 1
                overlap += sizes[next]
            }
            start = next
        }
        return chunks
    }
}
