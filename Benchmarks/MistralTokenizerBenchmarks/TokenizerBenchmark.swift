import Foundation
import MistralTokenizer

/// Measures MistralTokenizer on the exactness corpus: load time of every tokenizer file, encode
/// throughput (text by text, and as one document), and how many ids equal mistral-common's.
///
/// `MistralTokenizerBenchmarks --tokenizer-dir DIR [--seconds S] [--only NAME-PART]`, where DIR holds the tokenizer
/// files and fixtures.json written by scripts/setup-tokenizer-reference.sh. Prints one JSON object
/// per tokenizer file; scripts/bench-tokenizer.sh puts them next to mistral-common's.
@main
struct TokenizerBenchmark {
    static func main() throws {
        var arguments = CommandLine.arguments.dropFirst()
        var directory: URL?
        var seconds = 1.0
        var only: String?
        while let argument = arguments.popFirst() {
            switch argument {
            case "--tokenizer-dir": directory = arguments.popFirst().map { URL(fileURLWithPath: $0) }
            case "--seconds": seconds = arguments.popFirst().flatMap(Double.init) ?? seconds
            case "--only": only = arguments.popFirst()
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
                exit(2)
            }
        }
        guard let directory else {
            FileHandle.standardError.write(Data("usage: MistralTokenizerBenchmarks --tokenizer-dir DIR [--seconds S]\n".utf8))
            exit(2)
        }
        let fixtures = try BenchmarkFixtures(directory: directory)
        for file in fixtures.tokenizerFiles where only.map(file.contains) ?? true {
            let result = try measure(file: file, fixtures: fixtures, seconds: seconds)
            print(result.json)
        }
    }

    static func measure(file: String, fixtures: BenchmarkFixtures, seconds: Double) throws -> BenchmarkResult {
        let url = fixtures.directory.appendingPathComponent(file)
        var loadTimes: [Double] = []
        var tokenizer: Tokenizer?
        for _ in 0..<5 {
            let start = ContinuousClock.now
            tokenizer = try Tokenizer.load(contentsOf: url)
            loadTimes.append((ContinuousClock.now - start).seconds)
        }
        let loaded = tokenizer!
        // The first encode of the process also builds the Unicode class table (tekken only).
        let firstEncodeStart = ContinuousClock.now
        _ = loaded.encode("Hello, world!")
        let firstEncode = (ContinuousClock.now - firstEncodeStart).seconds

        var matchedTexts = 0
        var matchedTokens = 0
        var totalTokens = 0
        for (text, expected) in zip(fixtures.corpus, fixtures.expectedIDs[file] ?? []) {
            let ids = loaded.encode(text)
            totalTokens += expected.count
            matchedTokens += zip(ids, expected).filter { $0 == $1 }.count - abs(ids.count - expected.count)
            if ids == expected { matchedTexts += 1 }
        }

        let corpusBytes = fixtures.corpus.reduce(0) { $0 + $1.utf8.count }
        let perText = repeatFor(seconds: seconds, bytesPerRound: corpusBytes) {
            var count = 0
            for text in fixtures.corpus { count += loaded.encode(text).count }
            return count
        }
        let document = fixtures.corpus.joined(separator: "\n")
        let prose = fixtures.naturalTexts.joined(separator: "\n")
        return BenchmarkResult(
            file: file,
            loadSeconds: loadTimes,
            firstEncodeSeconds: firstEncode,
            matched: (matchedTexts, matchedTokens),
            corpus: (fixtures.corpus.count, totalTokens),
            perText: perText,
            document: repeatFor(seconds: seconds, bytesPerRound: document.utf8.count) { loaded.encode(document).count },
            natural: repeatFor(seconds: seconds, bytesPerRound: prose.utf8.count) { loaded.encode(prose).count })
    }

    /// Runs `body` (which encodes `bytesPerRound` bytes and returns the token count) until
    /// `seconds` have passed, at least twice after a warm-up round.
    static func repeatFor(seconds: Double, bytesPerRound: Int, _ body: () -> Int) -> BenchmarkResult.Throughput {
        _ = body()
        var rounds = 0
        var tokens = 0
        let start = ContinuousClock.now
        var elapsed = 0.0
        while elapsed < seconds || rounds < 2 {
            tokens += body()
            rounds += 1
            elapsed = (ContinuousClock.now - start).seconds
        }
        return BenchmarkResult.Throughput(bytes: bytesPerRound * rounds, tokens: tokens, seconds: elapsed)
    }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
