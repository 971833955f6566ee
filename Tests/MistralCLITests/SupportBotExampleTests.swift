import Foundation
import MistralTestSupport
import Testing

/// The runnable example (Examples/SupportBot) plays its session against the emulator.
struct SupportBotExampleTests {
    @Test func theExampleSessionUsesTheToolAndTheKnowledgeBase() async throws {
        let result = try await ProcessRunner.run(try ProcessRunner.builtProduct("support-bot"), [], environment: ["MISTRAL_API_KEY": ""])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("answering with the local emulator"))
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "customer> Hello, where is my order 4412? What is its order status?")
        // Alice's orders are offered newest first (4413, then 4412): the tool was called with the
        // order the question named, not the first one offered.
        #expect(lines.contains("  (tool order_status → Order 4412: shipped, with Colissimo, expected on 2026-11-27.)"), "\(result.stdout)")
        #expect(!lines.contains { $0.contains("Order 4413") }, "\(result.stdout)")
        #expect(lines.filter { $0.hasPrefix("bot> ") }.count == 3)
        #expect(lines.contains("  [1] Shipping and delivery"))
    }
}
