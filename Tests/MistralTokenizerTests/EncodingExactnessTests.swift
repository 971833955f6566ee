import Foundation
import Testing
@testable import MistralTokenizer

@Suite("Plain text encoding matches mistral-common", .referenceAvailable)
struct EncodingExactnessTests {
    @Test("every corpus text encodes to mistral-common's ids", arguments: ReferenceFixtures.tokenizerFiles)
    func encodesLikeReference(file: String) throws {
        let (fixtures, tokenizer, expected) = try ReferenceFixtures.reference(file)
        let encoded = try expected.list("encoded")
        var matchedTokens = 0
        var totalTokens = 0
        var mismatches = 0
        for (text, expectedValue) in zip(fixtures.corpus, encoded) {
            let ids = tokenizer.encode(text)
            let want = try #require(expectedValue.intArray)
            totalTokens += want.count
            matchedTokens += zip(ids, want).filter { $0 == $1 }.count
            if ids != want {
                mismatches += 1
                if mismatches <= 5 {
                    Issue.record("\(file): \(text.debugDescription.prefix(80)) -> \(ids.prefix(30)) expected \(want.prefix(30))")
                }
            }
        }
        #expect(mismatches == 0, "\(file): \(mismatches) texts differ, \(matchedTokens)/\(totalTokens) tokens match")
    }

    @Test("decoding gives mistral-common's text, including cut multi-byte characters", arguments: ReferenceFixtures.tokenizerFiles)
    func decodesLikeReference(file: String) throws {
        let (_, tokenizer, expected) = try ReferenceFixtures.reference(file)
        let (encoded, decoded, slices) = (try expected.list("encoded"), try expected.list("decoded"), try expected.list("decoded_slices"))
        var mismatches = 0
        for index in encoded.indices {
            let ids = try #require(encoded[index].intArray)
            let cut = ids.count > 2 ? Array(ids.dropFirst().dropLast()) : ids
            let whole = try tokenizer.decode(ids)
            let partial = try tokenizer.decode(cut)
            if whole != decoded[index].stringValue || partial != slices[index].stringValue {
                mismatches += 1
                if mismatches <= 5 {
                    Issue.record("\(file) #\(index): \(whole.debugDescription.prefix(60)) / \(partial.debugDescription.prefix(60))")
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("tekken round trips are byte-exact", arguments: ReferenceFixtures.tokenizerFiles.filter { $0.hasSuffix(".json") })
    func tekkenRoundTrips(file: String) throws {
        let (fixtures, tokenizer, _) = try ReferenceFixtures.reference(file)
        for text in fixtures.corpus {
            #expect(try tokenizer.decode(tokenizer.encode(text)) == text)
        }
    }

    @Test("files load with mistral-common's version, size and ids", arguments: ReferenceFixtures.tokenizerFiles)
    func metadataMatches(file: String) throws {
        let (_, tokenizer, expected) = try ReferenceFixtures.reference(file)
        #expect(tokenizer.version.name == expected["version"]?.stringValue)
        #expect(.int(tokenizer.vocabularySize) == expected["vocabulary_size"])
        #expect(.int(tokenizer.bosID) == expected["bos_id"])
        #expect(.int(tokenizer.eosID) == expected["eos_id"])
        #expect(tokenizer.encode("Hi", addBOS: true, addEOS: true).first == tokenizer.bosID)
        #expect(tokenizer.encode("Hi", addBOS: true, addEOS: true).last == tokenizer.eosID)
    }
}
