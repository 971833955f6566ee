/// Splits text into the pieces that tekken's byte-pair encoding works on, exactly as tiktoken's
/// regex does with the pattern every Mistral tekken file carries:
///
/// ```
/// [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+
/// |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*
/// |\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// ```
///
/// The matcher is written by hand: each alternative's backtracking is resolved in closed form
/// (which end a leftmost-first backtracking engine settles on), so a piece costs one pass over
/// its scalars instead of a regex engine's trial and error.
enum TekkenPreTokenizer {
    /// The pattern this matcher implements; files with another pattern are refused.
    static let pattern = #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The end (exclusive) of the piece starting at scalar `start` of `classes`.
    static func pieceEnd(_ classes: UnsafeBufferPointer<CharacterClass>, from start: Int) -> Int {
        let count = classes.count
        let first = classes[start]
        let firstIsPrefix = !first.contains(.newline) && !first.contains(.letter) && !first.contains(.number)

        // [^\r\n\p{L}\p{N}]? U* W+  (U = upper class, W = lower class; they overlap on Lm, Lo, M)
        var bodyStart = firstIsPrefix ? start + 1 : start
        while true {
            var index = bodyStart
            var lastLowerInUpperRun = -1
            while index < count, classes[index].contains(.upper) {
                if classes[index].contains(.lower) { lastLowerInUpperRun = index }
                index += 1
            }
            if index < count, classes[index].contains(.lower) {
                index += 1
                while index < count, classes[index].contains(.lower) { index += 1 }
                return index
            }
            // Backtracking U* hands the last lower-class scalar of its run to W+.
            if lastLowerInUpperRun >= 0 { return lastLowerInUpperRun + 1 }
            if bodyStart == start { break }
            bodyStart = start
        }

        // [^\r\n\p{L}\p{N}]? U+ W*
        bodyStart = firstIsPrefix ? start + 1 : start
        while true {
            var index = bodyStart
            while index < count, classes[index].contains(.upper) { index += 1 }
            if index > bodyStart {
                while index < count, classes[index].contains(.lower) { index += 1 }
                return index
            }
            if bodyStart == start { break }
            bodyStart = start
        }

        // \p{N}
        if first.contains(.number) { return start + 1 }

        // " ?[^\s\p{L}\p{N}]+[\r\n/]*"
        bodyStart = first.contains(.space) ? start + 1 : start
        var index = bodyStart
        while index < count, isSymbol(classes[index]) { index += 1 }
        if index > bodyStart {
            while index < count, !classes[index].isDisjoint(with: [.newline, .slash]) { index += 1 }
            return index
        }

        // \s*[\r\n]+ : the whitespace run up to and including its last newline.
        index = start
        var lastNewline = -1
        while index < count, classes[index].contains(.whitespace) {
            if classes[index].contains(.newline) { lastNewline = index }
            index += 1
        }
        if lastNewline >= 0 { return lastNewline + 1 }

        // \s+(?!\S) : the run, minus its last scalar when a non-space follows.
        if index > start {
            if index == count { return index }
            if index - 1 > start { return index - 1 }
            // \s+
            return index
        }
        // Every scalar matches one alternative above; keep going rather than loop forever.
        return start + 1
    }

    @inline(__always)
    static func isSymbol(_ classes: CharacterClass) -> Bool {
        classes.isDisjoint(with: [.whitespace, .letter, .number])
    }
}
