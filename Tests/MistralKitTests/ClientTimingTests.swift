import Foundation
import MistralEmulator
import MistralTestSupport
import Testing

@testable import MistralKit

/// Timeouts and cancellation over real HTTP against the emulator: long streams are bounded by
/// silence, not by a fixed deadline, and a cancelled consumer stops the request promptly.
struct ClientTimingTests {
    static let slowStream = EmulatorConfiguration(latency: EmulatorLatency(timeToFirstToken: .milliseconds(10), perToken: .milliseconds(60)))
    static let story = ChatCompletionRequest(model: "mistral-small-latest", messages: [.user("Tell me a long story about the sea.")], maxTokens: 80)

    @Test func aLongStreamThatKeepsSendingIsNotCut() async throws {
        let started = ContinuousClock.now
        let response = try await withEmulatorClient(
            configuration: Self.slowStream, timeouts: .init(readIdle: .seconds(1))
        ) { client, _ in
            try await client.chatStream(Self.story).collect()
        }
        // Over 20 tokens at 60 ms each is well past the 1 s idle timeout, and still completes.
        let tokens = try #require(response.usage?.completionTokens)
        #expect(tokens > 20)
        #expect(ContinuousClock.now - started > .milliseconds(60 * tokens))
        #expect(response.choices.first?.finishReason == .stop)
    }

    @Test func aTotalDeadlineCutsAStreamWithThePartialKept() async throws {
        let error = await #expect(throws: MistralError.self) {
            try await withEmulatorClient(configuration: Self.slowStream, timeouts: .init(total: .milliseconds(1200))) { client, _ in
                _ = try await client.chatStream(Self.story).collect()
            }
        }
        #expect(error?.kind == .timeout)
        #expect(error?.partial?.text.isEmpty == false)
    }

    @Test func cancellingTheConsumerCancelsTheRequestPromptly() async throws {
        try await withEmulatorClient(configuration: Self.slowStream) { client, emulator in
            var request = Self.story
            request.maxTokens = 500  // ten seconds of stream
            let stream = try await client.chatStream(request)
            let started = ContinuousClock.now
            let consumer = Task {
                var received = 0
                for try await _ in stream {
                    received += 1
                    if received == 3 { withUnsafeCurrentTask { $0?.cancel() } }
                }
                return received
            }
            let outcome = await consumer.result
            #expect(ContinuousClock.now - started < .seconds(2))
            switch outcome {
            case .success(let count): Issue.record("the stream ended normally after \(count) chunks")
            case .failure(let error):
                #expect((error as? MistralError)?.kind == .cancelled || error is CancellationError, "\(error)")
            }
            // The connection pool is still usable afterwards.
            let answer = try await client.chat(.init(model: "mistral-small-latest", messages: [.user("What is the capital of France?")]))
            #expect(answer.text == "The capital of France is Paris.")
            #expect(emulator.requestLog.count == 2)
        }
    }
}
