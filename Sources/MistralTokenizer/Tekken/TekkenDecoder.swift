/// tekken decoding as mistral-common does it: runs of regular tokens become bytes read as UTF-8
/// (invalid sequences become U+FFFD); each run is read on its own, so a character split by a
/// special token does not join up again.
struct TekkenDecoder {
    let file: TekkenFile

    func decode(_ ids: [Int], keepingSpecialTokens: Bool) -> String {
        var text = ""
        var run: [UInt8] = []
        let specialCount = file.specialTokens.count
        for id in ids {
            if id < specialCount {
                if !run.isEmpty {
                    text += String(decoding: run, as: UTF8.self)
                    run.removeAll(keepingCapacity: true)
                }
                if keepingSpecialTokens { text += file.specialTokens[id] }
            } else {
                run += file.encoder.bytes(ofRank: id - specialCount)
            }
        }
        if !run.isEmpty { text += String(decoding: run, as: UTF8.self) }
        return text
    }
}
