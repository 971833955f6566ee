import CMistralVectors
import Dispatch
import Foundation
import Synchronization

/// Normalised embeddings searched exhaustively by cosine similarity, fast enough for 100,000
/// chunks of 1,024 dimensions (see BENCHMARKS.md).
///
/// A search scans an int8 copy of the vectors (a quarter of the memory traffic of `Float`, which
/// is what bounds a scan), keeps the best candidates with room to spare, and re-ranks them with the
/// exact `Float` vectors: the scores returned are exact cosines, and the int8 error (about 0.0003
/// in cosine at 1,024 dimensions) is far below the margin the candidates leave. Vectors of another
/// dimension than the first are left out.
public struct VectorIndex: Sendable {
    public let dimension: Int
    public let ids: [String]
    /// Normalised vectors, for the exact re-rank.
    private let vectors: [Float]
    /// Each normalised vector scaled so its largest component is ±127, and that scale.
    private let quantized: [Int8]
    private let scales: [Float]

    /// Candidates the int8 scan keeps beyond `k` before the exact re-rank.
    static let spareCandidates = 32

    public init(chunks: [(id: String, embedding: [Float])]) {
        dimension = chunks.first?.embedding.count ?? 0
        var ids: [String] = []
        var vectors: [Float] = []
        var quantized: [Int8] = []
        var scales: [Float] = []
        ids.reserveCapacity(chunks.count)
        vectors.reserveCapacity(chunks.count * dimension)
        quantized.reserveCapacity(chunks.count * dimension)
        scales.reserveCapacity(chunks.count)
        for chunk in chunks where chunk.embedding.count == dimension {
            ids.append(chunk.id)
            let vector = Self.normalised(chunk.embedding)
            vectors += vector
            let (values, scale) = Self.quantize(vector)
            quantized += values
            scales.append(scale)
        }
        self.ids = ids
        self.vectors = vectors
        self.quantized = quantized
        self.scales = scales
    }

    public var count: Int { ids.count }

    /// The `k` nearest chunks to `query`, best first, with their exact cosine similarity; none
    /// when the query's dimension differs.
    ///
    /// Indexes of 20,000 vectors or more are scanned in `parallelism` slices at once (by default
    /// one per core). Pass fewer when other work runs beside the scan: more slices than free cores
    /// made a search slower here, not faster (see BENCHMARKS.md, retrieval).
    public func nearest(_ query: [Float], k: Int, parallelism: Int = ProcessInfo.processInfo.activeProcessorCount) -> [(id: String, score: Float)] {
        guard query.count == dimension, dimension > 0, k > 0, count > 0 else { return [] }
        let query = Self.normalised(query)
        let (values, _) = Self.quantize(query)
        let wideQuery = values.map(Int16.init)
        let keep = min(count, k + Self.spareCandidates)
        let slices = count >= 20_000 ? max(1, parallelism) : 1
        let size = (count + slices - 1) / slices
        let partial = Mutex<[(index: Int, score: Float)]>([])
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let rows = (slice * size)..<min(count, (slice + 1) * size)
            guard !rows.isEmpty else { return }
            let best = approximateScan(wideQuery, rows: rows, keep: keep)
            partial.withLock { $0 += best }
        }
        let candidates = partial.withLock { $0 }
        return vectors.withUnsafeBufferPointer { all in
            query.withUnsafeBufferPointer { q in
                candidates.map { candidate in
                    (index: candidate.index, score: Self.dot(all.baseAddress! + candidate.index * dimension, q.baseAddress!, dimension))
                }
            }
        }
        .sorted { ($0.score, $1.index) > ($1.score, $0.index) }
        .prefix(k)
        .map { (ids[$0.index], $0.score) }
    }

    /// The `keep` rows of `rows` with the best int8 scores (scaled back to cosines), unordered.
    private func approximateScan(_ query: [Int16], rows: Range<Int>, keep: Int) -> [(index: Int, score: Float)] {
        var scores = [Int32](repeating: 0, count: rows.count)
        quantized.withUnsafeBufferPointer { all in
            query.withUnsafeBufferPointer { q in
                scores.withUnsafeMutableBufferPointer { out in
                    mk_int8_dot_rows(all.baseAddress! + rows.lowerBound * dimension, rows.count, dimension, q.baseAddress!, out.baseAddress!)
                }
            }
        }
        // A min-heap of the best `keep`: the root is the weakest kept candidate.
        var heap: [(index: Int, score: Float)] = []
        heap.reserveCapacity(keep)
        scales.withUnsafeBufferPointer { scales in
            for (offset, raw) in scores.enumerated() {
                let row = rows.lowerBound + offset
                let score = Float(raw) * scales[row]
                if heap.count < keep {
                    heap.append((row, score))
                    Self.siftUp(&heap, from: heap.count - 1)
                } else if score > heap[0].score {
                    heap[0] = (row, score)
                    Self.siftDown(&heap, from: 0)
                }
            }
        }
        return heap
    }

    private static func siftUp(_ heap: inout [(index: Int, score: Float)], from start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].score < heap[parent].score else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func siftDown(_ heap: inout [(index: Int, score: Float)], from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, heap[left + 1].score < heap[left].score { smallest = left + 1 }
            guard heap[smallest].score < heap[parent].score else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }

    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var i = 0
        while i + 4 <= count {
            s0 += a[i] * b[i]
            s1 += a[i + 1] * b[i + 1]
            s2 += a[i + 2] * b[i + 2]
            s3 += a[i + 3] * b[i + 3]
            i += 4
        }
        while i < count {
            s0 += a[i] * b[i]
            i += 1
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// `vector` scaled so its largest component is ±127 and rounded, and the factor that scales
    /// the rounded values back (0 for a zero vector).
    static func quantize(_ vector: [Float]) -> (values: [Int8], scale: Float) {
        let largest = vector.reduce(Float(0)) { max($0, abs($1)) }
        guard largest > 0, largest.isFinite else { return (Array(repeating: 0, count: vector.count), 0) }
        let factor = 127 / largest
        return (vector.map { Int8(($0 * factor).rounded()) }, largest / 127)
    }

    static func normalised(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }
}
