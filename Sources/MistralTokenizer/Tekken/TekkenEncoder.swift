/// tekken's text encoding: the pre-tokenizer splits text into pieces, each piece becomes the
/// ranks of its bytes' pair merges, and ranks are shifted past the special tokens.
struct TekkenEncoder: Sendable {
    let table: ByteSequenceTable
    /// Regular token `r` has id `r + specialTokenCount`.
    let specialTokenCount: Int

    /// The ids of `text`, without any special token.
    func encode(_ text: String) -> [Int] {
        var text = text
        return text.withUTF8 { utf8 in encode(utf8: utf8) }
    }

    func encode(utf8: UnsafeBufferPointer<UInt8>) -> [Int] {
        if utf8.isEmpty { return [] }
        var output: [Int] = []
        output.reserveCapacity(utf8.count / 3 + 4)
        // Classes and byte offsets of every scalar, so the matcher can look ahead and back freely.
        let scalarLimit = utf8.count
        withUnsafeTemporaryAllocation(of: CharacterClass.self, capacity: scalarLimit) { classes in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: scalarLimit + 1) { starts in
                let scalarCount = TekkenEncoder.classify(utf8, classes: classes, starts: starts)
                let classView = UnsafeBufferPointer(rebasing: classes[0..<scalarCount])
                table.bytes.withUnsafeBufferPointer { bytes in
                    table.offsets.withUnsafeBufferPointer { offsets in
                        table.slots.withUnsafeBufferPointer { slots in
                            let lookup = ByteSequenceLookup(bytes: bytes, offsets: offsets, slots: slots, mask: table.mask)
                            let merger = BytePairMerger(lookup: lookup)
                            let base = utf8.baseAddress!
                            var start = 0
                            while start < scalarCount {
                                let end = TekkenPreTokenizer.pieceEnd(classView, from: start)
                                let byteStart = Int(starts[start])
                                let length = Int(starts[end]) - byteStart
                                if let rank = lookup.rank(base + byteStart, length) {
                                    output.append(rank)
                                } else {
                                    merger.merge(base + byteStart, length, into: &output)
                                }
                                start = end
                            }
                        }
                    }
                }
            }
        }
        if specialTokenCount != 0 {
            for index in output.indices { output[index] += specialTokenCount }
        }
        return output
    }

    /// Decodes UTF-8 into per-scalar classes and byte starts; returns the scalar count.
    static func classify(
        _ utf8: UnsafeBufferPointer<UInt8>,
        classes: UnsafeMutableBufferPointer<CharacterClass>,
        starts: UnsafeMutableBufferPointer<Int32>
    ) -> Int {
        let table = CharacterClass.basicPlane
        return table.withUnsafeBufferPointer { table in
            var index = 0
            var count = 0
            let length = utf8.count
            while index < length {
                let lead = utf8[index]
                starts[count] = Int32(index)
                if lead < 0x80 {
                    classes[count] = table[Int(lead)]
                    index += 1
                } else {
                    // Swift strings hold valid UTF-8, so the sequence length follows from the lead byte.
                    var value: UInt32
                    var width: Int
                    if lead < 0xE0 {
                        value = UInt32(lead & 0x1F); width = 2
                    } else if lead < 0xF0 {
                        value = UInt32(lead & 0x0F); width = 3
                    } else {
                        value = UInt32(lead & 0x07); width = 4
                    }
                    for offset in 1..<width { value = value << 6 | UInt32(utf8[index + offset] & 0x3F) }
                    if value < 0x10000 {
                        classes[count] = table[Int(value)]
                    } else {
                        classes[count] = CharacterClass.of(Unicode.Scalar(value)!)
                    }
                    index += width
                }
                count += 1
            }
            starts[count] = Int32(length)
            return count
        }
    }

    /// The bytes of regular token `rank`.
    func bytes(ofRank rank: Int) -> ArraySlice<UInt8> {
        table.bytes[Int(table.offsets[rank])..<Int(table.offsets[rank + 1])]
    }
}
