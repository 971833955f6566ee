import Foundation
import MistralChat
import MistralStore

/// Top-5 retrieval over 100,000 chunks: the in-memory vector index (1,024 dimensions, like
/// `mistral-embed`), SQLite FTS5 over the same number of chunks, and the hybrid search that fuses
/// them (everything `KnowledgeService.search` does except embedding the query, a network call).
enum RetrievalBenchmark {
    static func run(report: inout Report, chunks count: Int = 100_000, dimension: Int = 1024) async throws {
        var generator = SystemRandomNumberGenerator()
        print("building \(count) random \(dimension)-dimension vectors")
        let vectors = (0..<count).map { index in ("chunk-\(index)", (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }) }
        let started = ContinuousClock.now
        let index = VectorIndex(chunks: vectors)
        let built = ContinuousClock.now - started
        let queries = (0..<20).map { _ in (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) } }
        var query = 0
        let vectorTimes = await measure(runs: 40, warmup: 3) {
            query += 1
            precondition(index.nearest(queries[query % queries.count], k: 5).count == 5)
        }.sorted()
        report.add(
            "Vector top-5 over \(count) chunks (\(dimension) dims, exact cosine)", median: formatMillis(vectorTimes.median),
            p90: formatMillis(vectorTimes.quantile(0.9)), note: String(format: "index built in %.2f s; target < 20 ms", built.seconds))

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mistralkit-retrieval-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteChatStore(path: directory.appendingPathComponent("bench.sqlite").path)
        try await store.createKnowledgeBase(KnowledgeBase(name: "bench"))
        let vocabulary = (0..<5000).map { "w\($0)" }
        print("storing \(count) chunks in SQLite (FTS5)")
        for document in 0..<(count / 1000) {
            let doc = KnowledgeDocument(knowledgeBase: "bench", source: "doc-\(document)", title: "Document \(document)", content: "\(document)", chunkCount: 1000)
            let chunks = (0..<1000).map { position in
                KnowledgeChunk(
                    id: "chunk-\(document * 1000 + position)", documentID: doc.id, position: position,
                    text: (0..<40).map { _ in vocabulary.randomElement(using: &generator)! }.joined(separator: " "), embedding: [0])
            }
            try await store.replaceDocument(doc, chunks: chunks)
        }
        let textQueries = (0..<20).map { _ in (0..<4).map { _ in vocabulary.randomElement(using: &generator)! }.joined(separator: " ") }
        var textTimes: [Double] = []
        var hybridTimes: [Double] = []
        for round in 0..<40 {
            let text = textQueries[round % textQueries.count]
            let textStart = ContinuousClock.now
            let byWords = try await store.searchText(knowledgeBase: "bench", query: text, limit: 20)
            textTimes.append((ContinuousClock.now - textStart).seconds)
            // As KnowledgeService.search does it: the full-text query runs while the index is scanned.
            let hybridStart = ContinuousClock.now
            async let words = store.searchText(knowledgeBase: "bench", query: text, limit: 20)
            let byMeaning = index.nearest(queries[round % queries.count], k: 20).map(\.id)
            let fused = KnowledgeService.fuse([byMeaning, try await words], limit: 5)
            hybridTimes.append((ContinuousClock.now - hybridStart).seconds)
            precondition(fused.count == 5 && !byWords.isEmpty)
        }
        textTimes.sort()
        hybridTimes.sort()
        report.add(
            "Full-text top-20 over \(count) chunks (SQLite FTS5, 4-word OR query)", median: formatMillis(textTimes.median),
            p90: formatMillis(textTimes.quantile(0.9)), note: "chunks of 40 random words from a 5,000-word vocabulary")
        report.add(
            "Hybrid top-5 over \(count) chunks (vector top-20 + FTS5 top-20, fused)", median: formatMillis(hybridTimes.median),
            p90: formatMillis(hybridTimes.quantile(0.9)), note: "without embedding the query (one embeddings call); target < 20 ms")
    }
}
