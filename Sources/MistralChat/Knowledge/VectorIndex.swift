import Dispatch
import Foundation
import Synchronization

/// Normalised embeddings in one contiguous array, searched exhaustively by cosine similarity:
/// exact (no approximate-neighbour recall loss), and fast enough for 100,000 chunks (see
/// BENCHMARKS.md). Vectors of another dimension than the first are left out.
public struct VectorIndex: Sendable {
    public let dimension: Int
    public let ids: [String]
    private let vectors: [Float]

    public init(chunks: [(id: String, embedding: [Float])]) {
        dimension = chunks.first?.embedding.count ?? 0
        var ids: [String] = []
        var vectors: [Float] = []
        ids.reserveCapacity(chunks.count)
        vectors.reserveCapacity(chunks.count * dimension)
        for chunk in chunks where chunk.embedding.count == dimension {
            ids.append(chunk.id)
            vectors += Self.normalised(chunk.embedding)
        }
        self.ids = ids
        self.vectors = vectors
    }

    public var count: Int { ids.count }

    /// The `k` nearest chunks to `query`, best first, with their cosine similarity; none when
    /// the query's dimension differs. Large indexes are scanned in parallel, one slice per core.
    public func nearest(_ query: [Float], k: Int) -> [(id: String, score: Float)] {
        guard query.count == dimension, dimension > 0, k > 0 else { return [] }
        let query = Self.normalised(query)
        let slices = ids.count >= 20_000 ? max(1, ProcessInfo.processInfo.activeProcessorCount) : 1
        let size = (ids.count + slices - 1) / slices
        let partial = Mutex<[(index: Int, score: Float)]>([])
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let best = scan(query, rows: (slice * size)..<min(ids.count, (slice + 1) * size), k: k)
            partial.withLock { $0 += best }
        }
        return partial.withLock { $0 }.sorted { ($0.score, $1.index) > ($1.score, $0.index) }.prefix(k).map { (ids[$0.index], $0.score) }
    }

    /// The `k` best rows of `rows`, best first.
    private func scan(_ query: [Float], rows: Range<Int>, k: Int) -> [(index: Int, score: Float)] {
        var best: [(index: Int, score: Float)] = []
        best.reserveCapacity(k + 1)
        var threshold = -Float.infinity
        let dimension = self.dimension
        vectors.withUnsafeBufferPointer { all in
            query.withUnsafeBufferPointer { q in
                for row in rows {
                    let base = row * dimension
                    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                    var i = 0
                    while i + 4 <= dimension {
                        s0 += all[base + i] * q[i]
                        s1 += all[base + i + 1] * q[i + 1]
                        s2 += all[base + i + 2] * q[i + 2]
                        s3 += all[base + i + 3] * q[i + 3]
                        i += 4
                    }
                    while i < dimension {
                        s0 += all[base + i] * q[i]
                        i += 1
                    }
                    let score = (s0 + s1) + (s2 + s3)
                    guard best.count < k || score > threshold else { continue }
                    let position = best.firstIndex { $0.score < score } ?? best.count
                    best.insert((row, score), at: position)
                    if best.count > k { best.removeLast() }
                    if best.count == k { threshold = best[k - 1].score }
                }
            }
        }
        return best
    }

    static func normalised(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }
}
