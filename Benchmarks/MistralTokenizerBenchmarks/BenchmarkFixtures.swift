import Foundation
import MistralTokenizer

/// The corpus and mistral-common's ids for it, read from the reference directory's fixtures.json.
struct BenchmarkFixtures {
    let directory: URL
    let corpus: [String]
    let tokenizerFiles: [String]
    let expectedIDs: [String: [[Int]]]
    /// Corpus texts 1...42: prose in many languages and code, without the stress cases.
    var naturalTexts: ArraySlice<String> { corpus[1...42] }

    init(directory: URL) throws {
        self.directory = directory
        let data = try Data(contentsOf: directory.appendingPathComponent("fixtures.json"))
        let root = try OrderedJSON(parsing: String(decoding: data, as: UTF8.self))
        guard case .array(let texts)? = root["corpus"], case .object(let tokenizers)? = root["tokenizers"] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        corpus = texts.map { $0.stringValue ?? "" }
        tokenizerFiles = tokenizers.map(\.key)
        var expected: [String: [[Int]]] = [:]
        for member in tokenizers {
            guard case .array(let lists)? = member.value["encoded"] else { continue }
            expected[member.key] = lists.map { list in
                guard case .array(let ids) = list else { return [] }
                return ids.compactMap { id in
                    if case .integer(let digits) = id { return Int(digits) }
                    return nil
                }
            }
        }
        expectedIDs = expected
    }
}

/// One tokenizer file's measurements, printed as a JSON object.
struct BenchmarkResult {
    var file: String
    var loadSeconds: [Double]
    var firstEncodeSeconds: Double
    /// How many corpus texts, and how many of their tokens, got mistral-common's ids.
    var matched: (texts: Int, tokens: Int)
    /// The corpus size, in texts and in mistral-common's tokens.
    var corpus: (texts: Int, tokens: Int)
    /// Encoding the corpus text by text, as one document, and its prose and code only.
    var perText, document, natural: Throughput

    /// Bytes and tokens encoded in some time.
    struct Throughput {
        var bytes: Int
        var tokens: Int
        var seconds: Double

        var megabytesPerSecond: Double { Double(bytes) / seconds / 1e6 }
        var tokensPerSecond: Double { Double(tokens) / seconds }
    }

    var json: String {
        let sorted = loadSeconds.sorted()
        let object: OrderedJSON = .object([
            .init("implementation", .string("swift")),
            .init("file", .string(file)),
            .init("load_first_s", .float(loadSeconds[0])),
            .init("load_median_s", .float(sorted[sorted.count / 2])),
            .init("first_encode_s", .float(firstEncodeSeconds)),
            .init("texts_matched", .int(matched.texts)),
            .init("texts", .int(corpus.texts)),
            .init("tokens_matched", .int(matched.tokens)),
            .init("tokens", .int(corpus.tokens)),
            .init("per_text_mb_s", .float(perText.megabytesPerSecond)),
            .init("per_text_tokens_s", .float(perText.tokensPerSecond)),
            .init("document_mb_s", .float(document.megabytesPerSecond)),
            .init("document_tokens_s", .float(document.tokensPerSecond)),
            .init("natural_mb_s", .float(natural.megabytesPerSecond)),
        ])
        return object.pythonJSON
    }
}
