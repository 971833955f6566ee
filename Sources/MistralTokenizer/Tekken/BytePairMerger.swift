/// tiktoken's byte-pair merge: repeatedly join the adjacent pair whose joined bytes have the
/// lowest rank (the leftmost such pair on a tie) until no adjacent pair is a token.
///
/// Short pieces use tiktoken's own array scan; long ones (very long words, runs of symbols) use a
/// heap over the same (rank, position) order, which picks the same pair at every step without
/// the quadratic rescans.
struct BytePairMerger {
    let lookup: ByteSequenceLookup
    /// Pieces up to this many bytes use the array scan.
    static let scanLimit = 128

    /// Appends the ranks of `piece` (not itself a token) to `output`.
    func merge(_ piece: UnsafePointer<UInt8>, _ length: Int, into output: inout [Int]) {
        if length <= BytePairMerger.scanLimit {
            mergeByScanning(piece, length, into: &output)
        } else {
            mergeWithHeap(piece, length, into: &output)
        }
    }

    private func pairRank(_ piece: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        lookup.rank(piece + start, end - start) ?? Int.max
    }

    private func mergeByScanning(_ piece: UnsafePointer<UInt8>, _ length: Int, into output: inout [Int]) {
        withUnsafeTemporaryAllocation(of: (start: Int, rank: Int).self, capacity: length + 1) { parts in
            var partCount = 0
            var minRank = Int.max
            var minIndex = 0
            for index in 0..<(length - 1) {
                let rank = pairRank(piece, index, index + 2)
                if rank < minRank {
                    minRank = rank
                    minIndex = index
                }
                parts[partCount] = (index, rank)
                partCount += 1
            }
            parts[partCount] = (length - 1, Int.max)
            parts[partCount + 1] = (length, Int.max)
            partCount += 2

            func rankAfterMerge(_ index: Int) -> Int {
                index + 3 < partCount ? pairRank(piece, parts[index].start, parts[index + 3].start) : Int.max
            }

            while minRank != Int.max {
                let index = minIndex
                if index > 0 { parts[index - 1].rank = rankAfterMerge(index - 1) }
                parts[index].rank = rankAfterMerge(index)
                for move in (index + 1)..<(partCount - 1) { parts[move] = parts[move + 1] }
                partCount -= 1
                minRank = Int.max
                for scan in 0..<(partCount - 1) where parts[scan].rank < minRank {
                    minRank = parts[scan].rank
                    minIndex = scan
                }
            }
            for index in 0..<(partCount - 1) {
                output.append(lookup.rank(piece + parts[index].start, parts[index + 1].start - parts[index].start)!)
            }
        }
    }

    private func mergeWithHeap(_ piece: UnsafePointer<UInt8>, _ length: Int, into output: inout [Int]) {
        // Symbols are byte ranges in a doubly linked list; the heap holds candidate pairs
        // (rank, left start, right end) and stale entries are skipped when popped.
        var next = Array(1...length)
        var previous = Array(-1..<(length - 1))
        var alive = [Bool](repeating: true, count: length)
        var heap = MergeAgenda<RankedPair>()
        for start in 0..<(length - 1) {
            if let rank = lookup.rank(piece + start, 2) { heap.push(.init(rank: rank, left: start, end: start + 2)) }
        }
        while let pair = heap.pop() {
            let left = pair.left
            guard alive[left] else { continue }
            let right = next[left]
            guard right < length, alive[right], next[right] == pair.end else { continue }
            alive[right] = false
            next[left] = pair.end
            if pair.end < length { previous[pair.end] = left }
            let before = previous[left]
            if before >= 0, let rank = lookup.rank(piece + before, pair.end - before) {
                heap.push(.init(rank: rank, left: before, end: pair.end))
            }
            if pair.end < length {
                let after = next[pair.end]
                if let rank = lookup.rank(piece + left, after - left) {
                    heap.push(.init(rank: rank, left: left, end: after))
                }
            }
        }
        var start = 0
        while start < length {
            let end = next[start]
            output.append(lookup.rank(piece + start, end - start)!)
            start = end
        }
    }
}

/// A candidate tekken merge: the pair's rank, where it starts and where it ends; the lowest
/// rank goes first, the leftmost on a tie, as in tiktoken.
struct RankedPair: MergeCandidate {
    var rank: Int
    var left: Int
    var end: Int

    func precedes(_ other: RankedPair) -> Bool { rank != other.rank ? rank < other.rank : left < other.left }
}
