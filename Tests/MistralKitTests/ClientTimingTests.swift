import Foundation
import MistralEmulator
import MistralTestSupport
import Testing

@testable import MistralKit

/// Timeouts and cancellation over real HTTP against the emulator: long streams are bounded by
/// silence, not by a fixed deadline, and a cancelled consumer stops the request promptly.
struct ClientTimingTests {
    static let storyQuestion = "Tell me a long story about the sea."
    static let longerStoryQuestion = "Tell me a longer story about the sea."
    /// 60 ms a token, and canned stories of 80 and 200 tokens: streams of 4.8 s and 12 s.
    static let slowStream = EmulatorConfiguration(
        latency: EmulatorLatency(timeToFirstToken: .milliseconds(10), perToken: .milliseconds(60)),
        cannedAnswers: EmulatorConfiguration.defaultCannedAnswers.merging([
            storyQuestion: Array(repeating: "wave", count: 80).joined(separator: " "),
            longerStoryQuestion: Array(repeating: "wave", count: 200).joined(separator: " "),
        ]) { $1 })
    static let story = ChatCompletionRequest(model: "mistral-small-latest", messages: [.user(storyQuestion)], maxTokens: 100)

    @Test func aLongStreamThatKeepsSendingIsNotCut() async throws {
        let started = ContinuousClock.now
        let response = try await withEmulatorClient(
            configuration: Self.slowStream, timeouts: .init(readIdle: .seconds(3))
        ) { client, _ in
            try await client.chatStream(Self.story).collect()
        }
        // 80 tokens at 60 ms each is well past the 3 s idle timeout (which leaves a slow machine
        // room for a long pause between two chunks), and still completes.
        let tokens = try #require(response.usage?.completionTokens)
        #expect(tokens > 50)
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
            request.messages = [.user(Self.longerStoryQuestion)]  // twelve seconds of stream
            request.maxTokens = 300
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
            // Well before the stream's own end, with room for a slow machine.
            #expect(ContinuousClock.now - started < .seconds(6))
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
