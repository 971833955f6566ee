import Foundation
import MistralEmulator
import MistralKit
import MistralTestSupport
import Testing

@Suite("Injected faults")
struct FaultTests {
    private let request = Fixtures.chat(Fixtures.capitalQuestion)

    /// The error a chat call (JSON or stream) gets when the request carries `fault`.
    private func error(
        _ fault: String, stream: Bool = false, timeouts: MistralClient.Timeouts = .init()
    ) async throws -> MistralError? {
        try await withEmulator { baseURL, _ in
            try await withClient(baseURL: baseURL, headers: [(EmulatorFault.headerName, fault)], timeouts: timeouts) { client in
                await Fixtures.mistralError {
                    if stream {
                        _ = try await client.chatStream(request).collect()
                    } else {
                        _ = try await client.chat(request)
                    }
                }
            }
        }
    }

    @Test func statusFault() async throws {
        let error = try await error("status=503")
        #expect(error?.kind == .server)
        #expect(error?.status == 503)
        #expect(error?.requestID != nil)
    }

    @Test func rateLimitFaultWithRetryAfter() async throws {
        let error = try await error("status=429&retry-after=2")
        #expect(error?.kind == .rateLimited)
        #expect(error?.retryAfter == .seconds(2))
        #expect(error?.code == "1300")
    }

    @Test(arguments: [false, true])
    func resetBeforeHeaders(stream: Bool) async throws {
        #expect(try await error("reset-before-headers", stream: stream)?.kind == .connection)
    }

    @Test func resetAfterHeaders() async throws {
        #expect(try await error("reset-after-headers")?.kind == .connection)
        #expect(try await error("reset-after-headers", stream: true)?.kind == .truncatedStream)
    }

    @Test func cutStreamKeepsThePartialAnswer() async throws {
        let error = try await error("cut-stream-after=3", stream: true)
        #expect(error?.kind == .truncatedStream)
        #expect(error?.partial?.text == "The capital")
        #expect(error?.partial?.choices.first?.finishReason == nil)
    }

    @Test func malformedJSON() async throws {
        #expect(try await error("malformed-json")?.kind == .undecodableResponse)
        #expect(try await error("malformed-json", stream: true)?.kind == .undecodableResponse)
    }

    @Test func hangTimesOutOnTheClient() async throws {
        let timeouts = MistralClient.Timeouts(readIdle: .milliseconds(300))
        let started = ContinuousClock.now
        #expect(try await error("hang", timeouts: timeouts)?.kind == .timeout)
        #expect(try await error("stall-stream-after=2", stream: true, timeouts: timeouts)?.kind == .timeout)
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func hangDoesNotBlockShutdown() async throws {
        let started = ContinuousClock.now
        let outcome = try await withEmulator { baseURL, emulator in
            let client = makeClient(baseURL: baseURL, headers: [(EmulatorFault.headerName, "hang")])
            let call = Task { await Fixtures.mistralError { _ = try await client.listModels() } }
            // Shut down only once the hanging request has arrived.
            #expect(await eventually(timeout: .seconds(30)) { emulator.requestLog.count == 1 })
            return (client, call)
        }
        let error = await outcome.1.value
        try await outcome.0.shutdown()
        #expect(error?.kind == .connection)
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func delayOnlySlowsTheAnswer() async throws {
        try await withEmulatorClient(headers: [(EmulatorFault.headerName, "delay-ms=150")]) { client, _ in
            let started = ContinuousClock.now
            let response = try await client.chat(request)
            #expect(response.text == Fixtures.capitalAnswer)
            #expect(ContinuousClock.now - started >= .milliseconds(150))
        }
    }

    @Test func unreadableFaultHeaderIs400() async throws {
        try await withEmulator { baseURL, _ in
            let response = try await sendRaw("GET", baseURL + "/v1/models", headers: [(EmulatorFault.headerName, "explode")])
            #expect(response.status == 400)
            #expect(response.json?["message"]?.stringValue?.contains("unknown item 'explode'") == true)
        }
    }

    @Test func scheduleFailsTheFirstRequestsThenSucceeds() async throws {
        let configuration = EmulatorConfiguration(faultSchedule: [.status(503), .status(503)])
        try await withEmulatorClient(configuration: configuration) { client, emulator in
            #expect(await Fixtures.mistralError { _ = try await client.listModels() }?.status == 503)
            #expect(await Fixtures.mistralError { _ = try await client.listModels() }?.status == 503)
            let models = try await client.listModels()
            #expect(!models.isEmpty)
            emulator.scheduleFaults([.noFault, .resetBeforeHeaders])
            let answer = try await client.chat(request)
            #expect(answer.text == Fixtures.capitalAnswer)
            #expect(await Fixtures.mistralError { _ = try await client.chat(request) }?.kind == .connection)
            #expect(emulator.remainingScheduledFaults == 0)
            let faults = emulator.requestLog.requests.map { $0.fault?.headerValue }
            #expect(faults == ["status=503", "status=503", nil, "none", "reset-before-headers"])
        }
    }
}
