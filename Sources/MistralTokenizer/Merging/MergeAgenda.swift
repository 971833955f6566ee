/// A candidate merge of two adjacent symbols, ordered by how soon it must be applied.
protocol MergeCandidate {
    /// Whether `self` must be merged before `other`.
    func precedes(_ other: Self) -> Bool
}

/// The pending merges of one piece of text: a binary heap that pops the candidate that
/// ``MergeCandidate/precedes(_:)`` every other first.
///
/// Tekken (lowest rank first) and SentencePiece (highest score first) differ only in that
/// order, so both merge loops share this one heap; generic rather than existential, so the
/// optimiser specialises it for each candidate type on the hot path.
struct MergeAgenda<Candidate: MergeCandidate> {
    private var storage: [Candidate] = []

    mutating func reserve(_ count: Int) { storage.reserveCapacity(count) }

    mutating func push(_ candidate: Candidate) {
        storage.append(candidate)
        storage.withUnsafeMutableBufferPointer { heap in
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) >> 1
                guard candidate.precedes(heap[parent]) else { break }
                heap[child] = heap[parent]
                child = parent
            }
            heap[child] = candidate
        }
    }

    mutating func pop() -> Candidate? {
        guard !storage.isEmpty else { return nil }
        let last = storage.removeLast()
        if storage.isEmpty { return last }
        return storage.withUnsafeMutableBufferPointer { heap in
            let top = heap[0]
            // Sift the hole at the root down, then drop `last` into it.
            var hole = 0
            let count = heap.count
            while true {
                var child = 2 * hole + 1
                guard child < count else { break }
                if child + 1 < count, heap[child + 1].precedes(heap[child]) { child += 1 }
                guard heap[child].precedes(last) else { break }
                heap[hole] = heap[child]
                hole = child
            }
            heap[hole] = last
            return top
        }
    }
}
