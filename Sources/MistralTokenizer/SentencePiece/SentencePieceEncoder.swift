/// SentencePiece's BPE encoding as the `sentencepiece` library runs it for Mistral's models:
/// spaces become `▁` and one `▁` is prepended, user-defined pieces (such as `[REF]`) are cut out
/// whole, then adjacent symbols are merged highest score first (leftmost on a tie) while their
/// concatenation is a piece, and symbols that are not pieces fall back to `<0xXX>` byte pieces.
struct SentencePieceEncoder: Sendable {
    let model: SentencePieceModel
    /// Normal and user-defined pieces by their UTF-8 bytes; entry `e` is piece `mergeablePieceIDs[e]`.
    let mergeable: ByteSequenceTable
    let mergeablePieceIDs: [Int32]
    /// The score of each mergeable entry, so the merge loop never touches the piece records.
    let entryScores: [Float]
    /// Whether no piece has `▁` after another character, so words can be merged one at a time.
    let wordsAreIndependent: Bool
    /// User-defined pieces' UTF-8 bytes, longest first, and which first bytes can start one.
    let userDefined: [[UInt8]]
    let userDefinedFirstBytes: [Bool]
    let bytePieceIDs: [Int]

    init(model: SentencePieceModel, path: String?) throws(TokenizerError) {
        self.model = model
        var bytes: [UInt8] = []
        var offsets: [Int32] = [0]
        var ids: [Int32] = []
        var userDefined: [[UInt8]] = []
        var bytePieceIDs = [Int](repeating: model.unknownID, count: 256)
        var firstBytes = [Bool](repeating: false, count: 256)
        for (id, piece) in model.pieces.enumerated() {
            switch piece.type {
            case .normal, .userDefined:
                bytes.append(contentsOf: piece.text.utf8)
                offsets.append(Int32(bytes.count))
                ids.append(Int32(id))
                if piece.type == .userDefined, let first = piece.text.utf8.first {
                    userDefined.append(Array(piece.text.utf8))
                    firstBytes[Int(first)] = true
                }
            case .byte:
                if let byte = SentencePieceEncoder.byteValue(ofPiece: piece.text) { bytePieceIDs[Int(byte)] = id }
            default: break
            }
        }
        switch ByteSequenceTable.build(bytes: bytes, offsets: offsets) {
        case .success(let table): mergeable = table
        case .failure(let duplicate):
            throw TokenizerError(.corruptFile, "piece \(ids[duplicate.rank]) repeats an earlier piece", path: path)
        }
        mergeablePieceIDs = ids
        entryScores = ids.map { model.pieces[Int($0)].score }
        wordsAreIndependent = !model.pieces.contains { piece in
            guard piece.type == .normal || piece.type == .userDefined else { return false }
            var previous: Unicode.Scalar?
            for character in piece.text.unicodeScalars {
                if character == "\u{2581}", let previous, previous != "\u{2581}" { return true }
                previous = character
            }
            return false
        }
        self.userDefined = userDefined.sorted { $0.count > $1.count }
        userDefinedFirstBytes = firstBytes
        self.bytePieceIDs = bytePieceIDs
    }

    static func byteValue(ofPiece text: String) -> UInt8? {
        guard text.count == 6, text.hasPrefix("<0x"), text.hasSuffix(">") else { return nil }
        return UInt8(text.dropFirst(3).prefix(2), radix: 16)
    }

    /// The ids of `text`, without BOS or EOS.
    func encode(_ text: String) -> [Int] {
        if text.isEmpty { return [] }
        let normalized = normalize(text)
        return normalized.withUnsafeBufferPointer { normalized in
            mergeable.bytes.withUnsafeBufferPointer { bytes in
                mergeable.offsets.withUnsafeBufferPointer { offsets in
                    mergeable.slots.withUnsafeBufferPointer { slots in
                        let lookup = ByteSequenceLookup(bytes: bytes, offsets: offsets, slots: slots, mask: mergeable.mask)
                        return encode(normalized: normalized, lookup: lookup)
                    }
                }
            }
        }
    }

    /// Identity normalisation: `▁` first, then the text with every U+0020 replaced by `▁`.
    func normalize(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 3)
        let space: [UInt8] = model.escapeWhitespaces ? [0xE2, 0x96, 0x81] : [0x20]
        if model.addDummyPrefix { output.append(contentsOf: space) }
        for byte in text.utf8 {
            if byte == 0x20 { output.append(contentsOf: space) } else { output.append(byte) }
        }
        return output
    }

    private func encode(normalized: UnsafeBufferPointer<UInt8>, lookup: ByteSequenceLookup) -> [Int] {
        let base = normalized.baseAddress!
        let length = normalized.count
        // Symbols as a linked list of byte ranges [start, end), frozen ones (user-defined pieces)
        // never merging.
        var symbols: [SymbolMerger.Symbol] = []
        symbols.reserveCapacity(length)
        var position = 0
        while position < length {
            let width: Int
            var frozen = false
            if userDefinedFirstBytes[Int(normalized[position])], let match = userDefinedMatch(normalized, at: position) {
                width = match
                frozen = true
            } else {
                width = SentencePieceEncoder.utf8Width(normalized[position])
            }
            let index = symbols.count
            symbols.append(SymbolMerger.Symbol(start: Int32(position), end: Int32(position + width), previous: Int32(index - 1), next: Int32(index + 1), frozen: frozen))
            position += width
        }
        let symbolCount = symbols.count
        entryScores.withUnsafeBufferPointer { scores in
            symbols.withUnsafeMutableBufferPointer { symbols in
                var merger = SymbolMerger(symbols: symbols, base: base, lookup: lookup, scores: scores)
                // When no piece has "▁" after another character, no merge crosses into a word that
                // starts with "▁": finishing each word before queueing the next keeps the agenda
                // small and merges exactly the same pairs.
                for index in 0..<(symbolCount - 1) {
                    if wordsAreIndependent, merger.startsWord(index + 1) {
                        merger.drain()
                        continue
                    }
                    merger.consider(index, index + 1)
                }
                merger.drain()
            }
        }

        var output: [Int] = []
        output.reserveCapacity(symbolCount)
        var symbol = 0
        while symbol < symbolCount {
            let start = Int(symbols[symbol].start)
            let end = Int(symbols[symbol].end)
            if let entry = lookup.rank(base + start, end - start) {
                output.append(Int(mergeablePieceIDs[entry]))
            } else if model.byteFallback {
                for offset in start..<end { output.append(bytePieceIDs[Int(normalized[offset])]) }
            } else {
                output.append(model.unknownID)
            }
            symbol = Int(symbols[symbol].next)
        }
        return output
    }

    /// The length of the longest user-defined piece at `position`, if any.
    private func userDefinedMatch(_ normalized: UnsafeBufferPointer<UInt8>, at position: Int) -> Int? {
        for candidate in userDefined where candidate.count <= normalized.count - position {
            var matches = true
            for (offset, byte) in candidate.enumerated() where normalized[position + offset] != byte {
                matches = false
                break
            }
            if matches { return candidate.count }
        }
        return nil
    }

    static func utf8Width(_ lead: UInt8) -> Int {
        if lead < 0x80 { return 1 }
        if lead < 0xE0 { return 2 }
        if lead < 0xF0 { return 3 }
        return 4
    }
}

