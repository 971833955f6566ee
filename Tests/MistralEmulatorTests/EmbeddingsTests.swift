import MistralEmulator
import MistralKit
import MistralTestSupport
import Testing

@Suite("Embeddings")
struct EmbeddingsTests {
    private let texts = [
        "The cat sat on the warm mat", "A cat sat on a mat in the sun", "Quarterly revenue grew by four percent",
    ]

    @Test func similarTextsAreCloser() async throws {
        try await withEmulatorClient { client, _ in
            let response = try await client.embeddings(EmbeddingRequest(model: "mistral-embed", input: texts))
            let vectors = response.vectors
            #expect(vectors.count == 3)
            #expect(vectors.allSatisfy { $0.count == 1024 })
            #expect(vectors.allSatisfy { abs(Fixtures.norm($0) - 1) < 1e-9 })
            #expect(Fixtures.cosine(vectors[0], vectors[1]) > Fixtures.cosine(vectors[0], vectors[2]) + 0.2)
            #expect(response.object == "list")
            #expect(response.data.map(\.index) == [0, 1, 2])
            #expect(response.usage?.promptTokens == texts.reduce(0) { $0 + TokenEstimator.count($1) })
            #expect(response.usage?.completionTokens == 0)
            let again = try await client.embeddings(EmbeddingRequest(model: "mistral-embed", input: [texts[0]]))
            #expect(again.vectors[0] == vectors[0])
        }
    }

    @Test func dimensionsPerModelAndRequest() async throws {
        try await withEmulatorClient { client, _ in
            let code = try await client.embeddings(EmbeddingRequest(model: "codestral-embed", input: ["func main()"]))
            #expect(code.vectors[0].count == 1536)
            let short = try await client.embeddings(
                EmbeddingRequest(model: "codestral-embed", input: ["func main()"], outputDimension: 256))
            #expect(short.vectors[0].count == 256)
            let error = await Fixtures.mistralError {
                _ = try await client.embeddings(EmbeddingRequest(model: "mistral-small-latest", input: ["x"]))
            }
            #expect(error?.type == "invalid_model")
        }
    }

    @Test func quantisedAndBase64RoundTrips() async throws {
        try await withEmulatorClient { client, _ in
            let input = [texts[0]]
            func embed(_ dtype: EmbeddingDtype, _ format: EmbeddingEncodingFormat? = nil) async throws -> [Double] {
                try await client.embeddings(
                    EmbeddingRequest(model: "mistral-embed", input: input, outputDimension: 64, outputDtype: dtype, encodingFormat: format)
                ).vectors[0]
            }
            let floats = try await embed(.float)
            let int8 = try await embed(.int8)
            #expect(int8 == floats.map { ($0 * 127).rounded() })
            #expect(try await embed(.int8, .base64) == int8)
            #expect(try await embed(.uint8, .base64) == floats.map { ($0 * 127).rounded() + 128 })
            let base64Floats = try await embed(.float, .base64)
            #expect(zip(base64Floats, floats).allSatisfy { abs($0 - $1) < 1e-6 })

            let binary = try await embed(.binary)
            #expect(binary.count == 8)
            let bits = stride(from: 0, to: 64, by: 8).map { start -> UInt8 in
                (0..<8).reduce(0) { byte, offset in floats[start + offset] > 0 ? byte | (0x80 >> UInt8(offset)) : byte }
            }
            #expect(binary == bits.map { Double(Int8(bitPattern: $0)) })
            #expect(try await embed(.binary, .base64) == binary)
            #expect(try await embed(.ubinary, .base64) == bits.map { Double($0) })
        }
    }
}
