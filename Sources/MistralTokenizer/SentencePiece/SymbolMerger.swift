/// The merge loop of SentencePiece's BPE over one text's symbols: pop the best queued pair,
/// skip it when stale, join it, and queue the pairs the joined symbol forms with its neighbours.
///
/// A struct with mutating methods (rather than closures over local variables) so the compiler
/// checks exclusive access statically instead of at every access in the hot loop.
struct SymbolMerger {
    let symbols: UnsafeMutableBufferPointer<Symbol>
    let base: UnsafePointer<UInt8>
    let lookup: ByteSequenceLookup
    let scores: UnsafeBufferPointer<Float>
    var agenda = MergeAgenda<ScoredPair>()

    /// A run of normalised bytes `[start, end)` in a linked list of symbols.
    struct Symbol {
        /// -1 once merged into its left neighbour.
        var start: Int32
        var end: Int32
        var previous: Int32
        var next: Int32
        /// User-defined pieces never merge.
        var frozen: Bool
    }

    init(symbols: UnsafeMutableBufferPointer<Symbol>, base: UnsafePointer<UInt8>, lookup: ByteSequenceLookup, scores: UnsafeBufferPointer<Float>) {
        self.symbols = symbols
        self.base = base
        self.lookup = lookup
        self.scores = scores
        agenda.reserve(symbols.count)
    }

    /// Queues the pair `left`, `right` when their concatenation is a piece.
    @inline(__always)
    mutating func consider(_ left: Int, _ right: Int) {
        guard left >= 0, right < symbols.count, !symbols[left].frozen, !symbols[right].frozen else { return }
        let start = Int(symbols[left].start)
        let end = Int(symbols[right].end)
        guard let entry = lookup.rank(base + start, end - start) else { return }
        agenda.push(.init(score: scores[entry], left: Int32(left), right: Int32(right), size: Int32(end - start)))
    }

    /// Merges until no queued pair is left.
    mutating func drain() {
        while let pair = agenda.pop() {
            let left = Int(pair.left)
            let right = Int(pair.right)
            // Stale when either side has been merged away or has grown since the pair was queued.
            guard symbols[left].start >= 0, symbols[right].start >= 0,
                  symbols[right].end - symbols[left].start == pair.size, Int(symbols[left].next) == right else { continue }
            symbols[left].end = symbols[right].end
            let after = Int(symbols[right].next)
            symbols[left].next = Int32(after)
            if after < symbols.count { symbols[after].previous = Int32(left) }
            symbols[right].start = -1
            consider(Int(symbols[left].previous), left)
            consider(left, after)
        }
    }

    /// Whether symbol `index` is `▁` following a symbol that is not.
    func startsWord(_ index: Int) -> Bool {
        isSpace(symbols[index]) && !isSpace(symbols[index - 1])
    }

    private func isSpace(_ symbol: Symbol) -> Bool {
        let start = Int(symbol.start)
        return symbol.end - symbol.start == 3 && base[start] == 0xE2 && base[start + 1] == 0x96 && base[start + 2] == 0x81
    }
}

/// A candidate SentencePiece merge: the joined piece's score, the two symbols and the joined
/// size (to spot stale entries); the highest score goes first, the leftmost on a tie.
struct ScoredPair: MergeCandidate {
    var score: Float
    var left: Int32
    var right: Int32
    var size: Int32

    func precedes(_ other: ScoredPair) -> Bool { score != other.score ? score > other.score : left < other.left }
}
