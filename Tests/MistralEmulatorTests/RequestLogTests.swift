import MistralEmulator
import MistralKit
import MistralTestSupport
import Testing

@Suite("Request log")
struct RequestLogTests {
    @Test func recordsWhatWasSent() async throws {
        try await withEmulatorClient { client, emulator in
            _ = try await client.chat(Fixtures.chat(Fixtures.capitalQuestion))
            _ = try await client.listModels()
            let requests = emulator.requestLog.requests
            #expect(requests.map(\.method) == ["POST", "GET"])
            #expect(requests.map(\.path) == ["/v1/chat/completions", "/v1/models"])
            let chat = try #require(requests.first)
            #expect(chat.header("authorization") == "Bearer \(testAPIKey)")
            #expect(chat.json?["model"] == .string(Fixtures.chatModel))
            #expect(chat.json?["stream"] == false)
            #expect(chat.fault == nil)
            #expect(chat.correlationID.count == 36)
            #expect(emulator.requestLog.requests(path: "/v1/models").count == 1)
            emulator.requestLog.removeAll()
            #expect(emulator.requestLog.count == 0)
        }
    }

    @Test func refusedRequestsAreRecordedToo() async throws {
        try await withEmulator { baseURL, emulator in
            _ = try await sendRaw("POST", baseURL + "/v1/embeddings?x=1", body: "{oops", apiKey: nil)
            let entry = try #require(emulator.requestLog.last)
            #expect(entry.path == "/v1/embeddings?x=1")
            #expect(entry.bodyText == "{oops")
            #expect(entry.header("authorization") == nil)
        }
    }
}
