import Dispatch
import Foundation
import MistralChat
import MistralStore
import Synchronization

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
        // The same queries answered by an exact scan of the Float vectors (the index before int8),
        // on every core: the reference for recall and for speed.
        let unit = vectors.flatMap { normalised($0.1) }
        var exactTimes: [Double] = []
        var agreeing = 0
        for query in queries {
            let start = ContinuousClock.now
            let exact = exactNearest(normalised(query), in: unit, dimension: dimension, k: 5).map { "chunk-\($0)" }
            exactTimes.append((ContinuousClock.now - start).seconds)
            agreeing += Set(exact).intersection(index.nearest(query, k: 5).map(\.id)).count
        }
        exactTimes.sort()
        report.add(
            "Vector top-5 over \(count) chunks (\(dimension) dims, int8 scan + exact re-rank)", median: formatMillis(vectorTimes.median),
            p90: formatMillis(vectorTimes.quantile(0.9)),
            note: String(
                format: "recall@5 against the exact scan %.1f%%; index built in %.2f s; target < 20 ms",
                Double(agreeing) / Double(queries.count * 5) * 100, built.seconds))
        report.add(
            "Reference: exact Float32 scan on every core (the index before int8)", median: formatMillis(exactTimes.median), p90: formatMillis(exactTimes.quantile(0.9)),
            note: String(format: "%.1f× the index's time", exactTimes.median / vectorTimes.median))

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
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var textTimes: [Double] = []
        var hybridTimes: [Double] = []
        var crowdedTimes: [Double] = []
        for round in 0..<40 {
            let text = textQueries[round % textQueries.count]
            let textStart = ContinuousClock.now
            let byWords = try await store.searchText(knowledgeBase: "bench", query: text, limit: 20)
            textTimes.append((ContinuousClock.now - textStart).seconds)
            let embedding = queries[round % queries.count]
            let hybridStart = ContinuousClock.now
            let fused = try await KnowledgeService.rank(words: text, meaning: embedding, index: index, store: store, knowledgeBase: "bench", limit: 5)
            hybridTimes.append((ContinuousClock.now - hybridStart).seconds)
            precondition(fused.count == 5 && !byWords.isEmpty)
            // The same, with the vector scan on every core beside the full-text query.
            let crowdedStart = ContinuousClock.now
            async let words = store.searchText(knowledgeBase: "bench", query: text, limit: 20)
            let byMeaning = index.nearest(embedding, k: 20, parallelism: cores).map(\.id)
            let crowded = KnowledgeService.fuse([byMeaning, try await words], limit: 5)
            precondition(crowded.count == 5)
            crowdedTimes.append((ContinuousClock.now - crowdedStart).seconds)
        }
        textTimes.sort()
        hybridTimes.sort()
        crowdedTimes.sort()
        report.add(
            "Full-text top-20 over \(count) chunks (SQLite FTS5, 4-word OR query)", median: formatMillis(textTimes.median),
            p90: formatMillis(textTimes.quantile(0.9)), note: "chunks of 40 random words from a 5,000-word vocabulary")
        report.add(
            "Hybrid top-5 over \(count) chunks (vector top-20 + FTS5 top-20, fused)", median: formatMillis(hybridTimes.median),
            p90: formatMillis(hybridTimes.quantile(0.9)), note: "without embedding the query (one embeddings call); target < 20 ms")
        report.add(
            "Hybrid, but the vector scan on all \(cores) cores beside the full-text query", median: formatMillis(crowdedTimes.median),
            p90: formatMillis(crowdedTimes.quantile(0.9)), note: String(format: "%.2f× the hybrid search's time", crowdedTimes.median / hybridTimes.median))

        try await naturalText(report: &report, store: store, chunks: count, generator: &generator)
    }

    /// Full-text search over chunks whose words follow Zipf's law, as real text does, with the
    /// commonest English words at the top: what a question like "what are my delivery options"
    /// costs, stop words dropped, and what a query of common words that are not stop words costs.
    static func naturalText(report: inout Report, store: SQLiteChatStore, chunks count: Int, generator: inout SystemRandomNumberGenerator) async throws {
        let common = [
            "the", "of", "and", "to", "a", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are", "as", "with", "his", "they",
            "i", "at", "be", "this", "have", "from", "or", "by", "what", "my", "we",
        ]
        let vocabulary = common + (common.count..<50_000).map { "w\($0)" }
        var cumulative: [Double] = []
        var total = 0.0
        for rank in vocabulary.indices {
            total += 1 / Double(rank + 1)
            cumulative.append(total)
        }
        func word() -> String {
            let target = Double.random(in: 0..<total, using: &generator)
            var low = 0
            var high = cumulative.count - 1
            while low < high {
                let middle = (low + high) / 2
                if cumulative[middle] <= target { low = middle + 1 } else { high = middle }
            }
            return vocabulary[low]
        }
        try await store.createKnowledgeBase(KnowledgeBase(name: "natural"))
        print("storing \(count) chunks of Zipf-distributed words in SQLite (FTS5)")
        for document in 0..<(count / 1000) {
            let doc = KnowledgeDocument(knowledgeBase: "natural", source: "doc-\(document)", title: "Document \(document)", content: "\(document)", chunkCount: 1000)
            let chunks = (0..<1000).map { position in
                KnowledgeChunk(
                    id: "natural-\(document * 1000 + position)", documentID: doc.id, position: position,
                    text: (0..<40).map { _ in word() }.joined(separator: " "), embedding: [0])
            }
            try await store.replaceDocument(doc, chunks: chunks)
        }
        func times(_ queries: [String]) async throws -> [Double] {
            var samples: [Double] = []
            for round in 0..<40 {
                let start = ContinuousClock.now
                _ = try await store.searchText(knowledgeBase: "natural", query: queries[round % queries.count], limit: 20)
                samples.append((ContinuousClock.now - start).seconds)
            }
            return samples.sorted()
        }
        // Questions: three stop words and two content words (ranks 100–2,000 and 2,000–20,000).
        let questions = (0..<20).map { _ in
            "what are my w\(Int.random(in: 100..<2000, using: &generator)) w\(Int.random(in: 2000..<20_000, using: &generator))"
        }
        let questionTimes = try await times(questions)
        report.add(
            "Full-text top-20, natural word frequencies: a question with 3 stop words and 2 content words", median: formatMillis(questionTimes.median),
            p90: formatMillis(questionTimes.quantile(0.9)), note: "stop words left out of the query; 100,000 chunks, Zipf over 50,000 words")
        // Common words that are not stop words (ranks 30–60: each in about 5–10% of chunks).
        let commonQueries = (0..<20).map { _ in
            "w\(Int.random(in: 30..<60, using: &generator)) w\(Int.random(in: 30..<60, using: &generator)) w\(Int.random(in: 2000..<20_000, using: &generator))"
        }
        let commonTimes = try await times(commonQueries)
        report.add(
            "Same, 2 common words that are not stop words and 1 content word", median: formatMillis(commonTimes.median),
            p90: formatMillis(commonTimes.quantile(0.9)), note: "what is left: bm25 scores every chunk holding a common word")
    }
}

private func normalised(_ vector: [Float]) -> [Float] {
    let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return vector.map { $0 / norm }
}

/// The `k` best rows of `vectors` by dot product with `query`, scanned in one slice per core:
/// `VectorIndex.nearest` as it was before the int8 scan.
private func exactNearest(_ query: [Float], in vectors: [Float], dimension: Int, k: Int) -> [Int] {
    let rows = vectors.count / dimension
    let slices = ProcessInfo.processInfo.activeProcessorCount
    let best = Mutex<[(Int, Float)]>([])
    DispatchQueue.concurrentPerform(iterations: slices) { slice in
        var top: [(Int, Float)] = []
        let size = (rows + slices - 1) / slices
        vectors.withUnsafeBufferPointer { all in
            query.withUnsafeBufferPointer { q in
                for row in (slice * size)..<min(rows, (slice + 1) * size) {
                    let base = row * dimension
                    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                    for i in stride(from: 0, to: dimension, by: 4) {
                        s0 += all[base + i] * q[i]
                        s1 += all[base + i + 1] * q[i + 1]
                        s2 += all[base + i + 2] * q[i + 2]
                        s3 += all[base + i + 3] * q[i + 3]
                    }
                    let score = (s0 + s1) + (s2 + s3)
                    guard top.count < k || score > top[k - 1].1 else { continue }
                    top.insert((row, score), at: top.firstIndex { $0.1 < score } ?? top.count)
                    if top.count > k { top.removeLast() }
                }
            }
        }
        best.withLock { $0 += top }
    }
    return best.withLock { $0 }.sorted { $0.1 > $1.1 }.prefix(k).map(\.0)
}
