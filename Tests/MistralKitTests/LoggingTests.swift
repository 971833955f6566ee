import Logging
import Synchronization
import Testing

@testable import MistralKit

/// Requests and responses are logged with metadata, and the API key never appears.
struct LoggingTests {
    final class CapturingHandler: LogHandler, @unchecked Sendable {
        let lines = Mutex<[String]>([])
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            lines.withLock { $0.append("\(event.level) \(event.message) \(rendered)") }
        }
    }

    @Test func traceLogsNeverContainTheKey() async throws {
        let handler = CapturingHandler()
        let logger = Logger(label: "test") { _ in handler }
        let secret = "sk-live-abcdef0123456789"
        let transport = FakeTransport(
            status: 200, headers: [("content-type", "application/json"), ("mistral-correlation-id", "corr-7")],
            body: MistralClientTests.okChat)
        let client = MistralClient(
            configuration: .init(apiKey: secret, server: MistralServer(baseURL: "http://127.0.0.1:1"), logger: logger), transport: transport)
        // A careless caller puts the key in metadata: it must still be redacted from logs.
        _ = try await client.chat(.init(model: "mistral-small-latest", messages: [.user("hi")], metadata: ["note": .string(secret)]))
        let lines = handler.lines.withLock { $0 }
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { !$0.contains(secret) }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("debug request") && $0.contains("path=/v1/chat/completions") && $0.contains("model=mistral-small-latest") })
        #expect(lines.contains { $0.hasPrefix("debug response") && $0.contains("request-id=corr-7") && $0.contains("status=200") })
        #expect(lines.contains { $0.hasPrefix("trace request body") && $0.contains("***") })
    }
}
