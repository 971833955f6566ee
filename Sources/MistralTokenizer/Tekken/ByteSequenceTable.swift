import Foundation

/// tekken's mergeable ranks: every regular token's bytes, and a hash table from bytes to rank.
///
/// All token bytes live in one contiguous buffer and the table is open addressing over rank
/// numbers, so loading allocates a handful of arrays instead of 130 000 small ones, and a
/// lookup hashes the bytes in place without copying them.
struct ByteSequenceTable: Sendable {
    /// Token bytes, token after token; token `r` is `bytes[offsets[r]..<offsets[r + 1]]`.
    let bytes: [UInt8]
    let offsets: [Int32]
    /// Ranks by hash slot, `-1` for an empty slot.
    let slots: [Int32]
    let mask: Int

    var count: Int { offsets.count - 1 }

    /// Builds the table; returns the rank of the first duplicate instead when one exists.
    static func build(bytes: [UInt8], offsets: [Int32]) -> Result<ByteSequenceTable, DuplicateToken> {
        let count = offsets.count - 1
        var capacity = 1
        while capacity < count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        var slots = [Int32](repeating: -1, count: capacity)
        let duplicate: Int? = bytes.withUnsafeBufferPointer { bytes in
            offsets.withUnsafeBufferPointer { offsets in
                slots.withUnsafeMutableBufferPointer { slots in
                    for rank in 0..<count {
                        let start = Int(offsets[rank])
                        let length = Int(offsets[rank + 1]) - start
                        let piece = UnsafeBufferPointer(rebasing: bytes[start..<start + length])
                        var slot = Int(truncatingIfNeeded: hash(piece)) & mask
                        while slots[slot] >= 0 {
                            let other = Int(slots[slot])
                            let otherStart = Int(offsets[other])
                            if Int(offsets[other + 1]) - otherStart == length,
                               memcmp(bytes.baseAddress! + start, bytes.baseAddress! + otherStart, length) == 0 {
                                return rank
                            }
                            slot = (slot + 1) & mask
                        }
                        slots[slot] = Int32(rank)
                    }
                    return nil
                }
            }
        }
        if let duplicate { return .failure(DuplicateToken(rank: duplicate)) }
        return .success(ByteSequenceTable(bytes: bytes, offsets: offsets, slots: slots, mask: mask))
    }

    struct DuplicateToken: Error {
        var rank: Int
    }

    /// FNV-1a over 8-byte words: cheap for the short pieces BPE asks about, well spread for the
    /// table's power-of-two size.
    @inline(__always)
    static func hash(_ piece: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(piece.count)
        var index = 0
        let count = piece.count
        let base = UnsafeRawPointer(piece.baseAddress)
        while index + 8 <= count {
            let word = base!.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            hash = (hash ^ word) &* 0x100_0000_01B3
            hash ^= hash >> 29
            index += 8
        }
        if index < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while index < count {
                tail |= UInt64(piece[index]) << shift
                shift += 8
                index += 1
            }
            hash = (hash ^ tail) &* 0x100_0000_01B3
            hash ^= hash >> 29
        }
        return hash &* 0x9E37_79B9_7F4A_7C15
    }
}

/// Read-only views of a ``ByteSequenceTable``'s arrays for the duration of one encode call.
struct ByteSequenceLookup {
    let bytes: UnsafeBufferPointer<UInt8>
    let offsets: UnsafeBufferPointer<Int32>
    let slots: UnsafeBufferPointer<Int32>
    let mask: Int

    /// The rank of `base[0..<length]`, or `nil` when it is not a token.
    @inline(__always)
    func rank(_ base: UnsafePointer<UInt8>, _ length: Int) -> Int? {
        var slot = Int(truncatingIfNeeded: ByteSequenceTable.hash(UnsafeBufferPointer(start: base, count: length))) & mask
        while true {
            let candidate = Int(slots[slot])
            if candidate < 0 { return nil }
            let start = Int(offsets[candidate])
            if Int(offsets[candidate + 1]) - start == length, memcmp(bytes.baseAddress! + start, base, length) == 0 {
                return candidate
            }
            slot = (slot + 1) & mask
        }
    }
}
