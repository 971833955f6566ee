import Foundation
import MistralTestSupport
import Testing

/// The official `mistralai` Python SDK against the emulator: if the SDK's strict response
/// validation accepts every answer, the emulator speaks Mistral's wire format.
struct PythonSDKPeerTests {
    @Test(.enabled(if: ProcessRunner.peersPythonShouldRun, "the peers venv is not installed (scripts/setup-peers.sh)"))
    func officialSDKPassesEveryCheck() async throws {
        let python = try #require(try ProcessRunner.peersPython())
        let script = ProcessRunner.packageRoot.appendingPathComponent("scripts/sdk_peer_test.py").path
        try await withEmulator { baseURL, emulator in
            let result = try await ProcessRunner.run(python, [script, baseURL], timeout: .seconds(120))
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("8 passed, 0 failed"), "\(result.stdout)")
            // The SDK really went through this emulator, with its own user agent.
            let agents = Set(emulator.requestLog.requests.compactMap { $0.header("user-agent") })
            #expect(agents.contains { $0.hasPrefix("mistral-client-python/") }, "\(agents)")
        }
    }
}
