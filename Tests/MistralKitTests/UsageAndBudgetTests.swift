import Foundation
import MistralTestSupport
import Synchronization
import Testing

@testable import MistralKit

@Suite("Usage, cost and budgets")
struct UsageAndBudgetTests {
    @Test func costAppliesCacheBatchPriorityAndRegionalModifiers() throws {
        let table = PriceTable.mistral
        #expect(table.asOf == "2026-08-13")
        // mistral-small: $0.15 in, $0.60 out per million.
        let plain = try #require(table.cost(promptTokens: 1_000_000, completionTokens: 1_000_000, model: "mistral-small-latest"))
        #expect(abs(plain - 0.75) < 1e-12)
        let cached = try #require(table.cost(promptTokens: 1_000_000, completionTokens: 0, cachedTokens: 500_000, model: "mistral-small-2603"))
        #expect(abs(cached - (0.075 + 0.0075)) < 1e-12)
        let batch = try #require(table.cost(promptTokens: 1_000_000, completionTokens: 0, model: "mistral-small-latest", context: .init(batch: true)))
        #expect(abs(batch - 0.075) < 1e-12)
        let priority = try #require(
            table.cost(promptTokens: 1_000_000, completionTokens: 0, cachedTokens: 1_000_000, model: "mistral-small-latest", context: .init(priority: true)))
        #expect(abs(priority - 0.015 * 1.75) < 1e-12)
        let regional = try #require(table.cost(promptTokens: 0, completionTokens: 1_000_000, model: "mistral-small-latest", context: .init(regional: true)))
        #expect(abs(regional - 0.66) < 1e-12)
        // Its own cached price wins over the 10% rule.
        let glm = try #require(table.cost(promptTokens: 1_000_000, completionTokens: 0, cachedTokens: 1_000_000, model: "zai-glm-5-2"))
        #expect(abs(glm - 0.14) < 1e-12)
    }

    @Test func pricesAreFoundByAliasFamilyAndFineTunedBase() {
        let table = PriceTable.mistral
        #expect(table.price(for: "mistral-small-2609") == table.price(for: "mistral-small-latest"))
        #expect(table.price(for: "ft:ministral-8b-latest:abc123:20260101:x1") == table.price(for: "ministral-8b-latest"))
        #expect(table.price(for: "smollm2") == nil)
        #expect(table.cost(promptTokens: 10, completionTokens: 10, model: "smollm2") == nil)
    }

    @Test func aPriceFileOverridesTheTable() async throws {
        try await withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("prices.json")
            try Data(#"{"as_of":"2026-12-01","models":{"mistral-small-latest":{"input":1,"output":2}},"batch_fraction":0.4}"#.utf8).write(to: file)
            let table = try PriceTable.mistral.loading(overridesFrom: file)
            #expect(table.asOf == "2026-12-01")
            #expect(table.price(for: "mistral-small-latest") == ModelPrice(inputPerMillion: 1, outputPerMillion: 2))
            #expect(table.price(for: "mistral-large-latest") == PriceTable.mistral.price(for: "mistral-large-latest"))
            #expect(table.batchFraction == 0.4)
            try Data(#"{"models":{"x":{"input":-1,"output":2}}}"#.utf8).write(to: file)
            let negative = #expect(throws: MistralError.self) { try PriceTable.mistral.loading(overridesFrom: file) }
            #expect(negative?.message.contains("negative price") == true)
            try Data("not json".utf8).write(to: file)
            let corrupt = #expect(throws: MistralError.self) { try PriceTable.mistral.loading(overridesFrom: file) }
            #expect(corrupt?.kind == .configuration)
            #expect(corrupt?.message.contains("prices.json") == true)
        }
    }

    @Test func everyCallIsRecordedWithItsTags() async throws {
        let ledger = InMemoryUsageLedger()
        let transport = ScriptedTransport { _, _ in Canned.json(200, Canned.chatBody(prompt: 1000, completion: 2000, cached: 400)) }
        let client = scriptedClient(transport) { $0.usageLedger = ledger }
        try await UsageTags.with(["user": "42", "feature": "support"]) {
            _ = try await client.chat(hello, tags: ["session": "s1", "feature": "override"])
        }
        let record = try #require(ledger.records().first)
        #expect(record.tags == ["user": "42", "session": "s1", "feature": "override"])
        #expect(record.endpoint == "chat")
        #expect(record.model == "mistral-small-latest")
        #expect(record.provider == "mistral")
        #expect((record.promptTokens, record.completionTokens, record.cachedTokens) == (1000, 2000, 400))
        #expect(!record.estimated)
        let expected = (600 * 0.15 + 400 * 0.015 + 2000 * 0.60) / 1_000_000
        #expect(abs((record.costUSD ?? 0) - expected) < 1e-12)
    }

    @Test func aCutStreamIsRecordedWithItsPartialTokens() async throws {
        let ledger = InMemoryUsageLedger()
        let transport = ScriptedTransport { _, _ in
            Canned.stream([Canned.chunk("one "), Canned.chunk("two ")], failure: MistralError(kind: .connection, message: "reset"))
        }
        let client = scriptedClient(transport) { $0.usageLedger = ledger }
        let stream = try await client.chatStream(hello)
        await #expect(throws: MistralError.self) { _ = try await stream.collect() }
        let record = try #require(ledger.records().first)
        #expect(record.outcome == "stream truncated")
        #expect(record.estimated)
        #expect(record.completionTokens == EstimatedTokenCounter().tokens(in: "one two "))
        #expect(record.promptTokens > 0)
        #expect(record.endpoint == "chat.stream")
    }

    @Test func aFinishedStreamRecordsTheUsageItReported() async throws {
        let ledger = InMemoryUsageLedger()
        let transport = ScriptedTransport { _, _ in Canned.stream([Canned.chunk("Hi"), Canned.chunk("!", finish: "stop", usage: true), "[DONE]"]) }
        let client = scriptedClient(transport) { $0.usageLedger = ledger }
        _ = try await client.chatStream(hello).collect()
        let record = try #require(ledger.records().first)
        #expect((record.promptTokens, record.completionTokens, record.estimated, record.outcome) == (5, 2, false, "ok"))
    }

    @Test func aStreamDroppedBeforeItEndsIsRecordedAsCancelledWithTheChunksItDelivered() async throws {
        let ledger = InMemoryUsageLedger()
        let transport = ScriptedTransport { _, _ in
            Canned.stream([Canned.chunk("one"), Canned.chunk(" two"), Canned.chunk(" three"), Canned.chunk("!", finish: "stop", usage: true), "[DONE]"])
        }
        let client = scriptedClient(transport) { $0.usageLedger = ledger }
        do {
            var iterator = try await client.chatStream(hello).makeAsyncIterator()
            _ = try await iterator.next()
            _ = try await iterator.next()
        }
        // The iterator, and the call it held, are gone: the call is recorded once, as cancelled.
        let record = try #require(ledger.records().first)
        #expect(ledger.records().count == 1)
        #expect((record.outcome, record.estimated, record.completionTokens) == ("cancelled", true, 2))
    }

    @Test func theHardLimitHoldsUnder100ConcurrentCalls() async throws {
        let prices = PriceTable(asOf: "test", models: ["m": ModelPrice(inputPerMillion: 1_000_000, outputPerMillion: 1_000_000)])  // $1 a token
        let request = ChatCompletionRequest(model: "m", messages: [.user("Hello")], maxTokens: 10)
        let reservation = Double(try EstimatedTokenCounter().promptTokens(for: request) + 10)
        let budget = Budget(hardLimitUSD: reservation * 10 + 0.5, period: .month)
        let ledger = InMemoryUsageLedger()
        let refused = Shared(0)
        let arrived = Shared(0)
        let transport = ScriptedTransport { _, _ in
            // Every call is in flight at once: none is answered (and frees its reservation) before
            // all 100 were either sent or refused, however slowly the machine starts them.
            arrived.withLock { $0 += 1 }
            let deadline = ContinuousClock.now + .seconds(60)
            while arrived.value + refused.value < 100, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            return Canned.json(200, Canned.chatBody(model: "m", prompt: 3, completion: 4))
        }
        let client = scriptedClient(transport) {
            $0.prices = prices
            $0.budget = budget
            $0.usageLedger = ledger
        }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    do { _ = try await client.chat(request) } catch let error as MistralError where error.kind == .budgetExceeded {
                        refused.withLock { $0 += 1 }
                    } catch {}
                }
            }
        }
        #expect(transport.count == 10)
        #expect(refused.value == 90)
        #expect(budget.status.spentUSD == 70)  // 10 calls × 7 tokens × $1
        #expect(budget.status.reservedUSD == 0)
        #expect(ledger.records().count == 10)
    }

    @Test func theSoftLimitWarnsOnceAndTheHardLimitRefusesBeforeSending() async throws {
        let warnings = Shared<[Budget.Status]>([])
        let budget = Budget(hardLimitUSD: 0.00002, softLimitUSD: 0.000005, period: .day, onSoftLimit: { status in warnings.withLock { $0.append(status) } })
        let transport = ScriptedTransport { _, _ in Canned.json(200, Canned.chatBody(prompt: 10, completion: 10)) }
        let client = scriptedClient(transport) { $0.budget = budget }
        let request = ChatCompletionRequest(model: "mistral-small-latest", messages: [.user("Hi")], maxTokens: 10)
        _ = try await client.chat(request)  // 10 × 0.15 + 10 × 0.6 = $0.0000075: past the soft limit
        _ = try await client.chat(request)
        #expect(warnings.withLock { $0.count } == 1)
        let error = await #expect(throws: MistralError.self) {
            for _ in 0..<3 { _ = try await client.chat(request) }
        }
        #expect(error?.kind == .budgetExceeded)
        #expect(error?.message.contains("day budget") == true)
        #expect(transport.count == 2)
    }

    @Test func newLimitsKeepWhatWasSpentAndReserved() throws {
        let warnings = Shared(0)
        let budget = Budget(hardLimitUSD: 10, softLimitUSD: 3, period: .day, onSoftLimit: { _ in warnings.withLock { $0 += 1 } })
        let held = try #require(try budget.reserve(estimateUSD: 2, tags: [:]))
        try #require(try budget.reserve(estimateUSD: 4, tags: [:])).commit(actualUSD: 4)
        #expect(warnings.withLock { $0 } == 1)
        budget.setLimits(hardUSD: 7, softUSD: 5)
        #expect(budget.status == Budget.Status(period: .day, spentUSD: 4, reservedUSD: 2, softLimitUSD: 5, hardLimitUSD: 7))
        #expect(throws: MistralError.self) { try budget.reserve(estimateUSD: 1.5, tags: [:]) }
        held.commit(actualUSD: 1)
        #expect(warnings.withLock { $0 } == 2)  // the raised soft limit, crossed again
        budget.setLimits(hardUSD: nil, softUSD: nil)
        #expect(try budget.reserve(estimateUSD: 100, tags: [:]) != nil)
    }

    @Test func aBudgetScopedToATagOnlyCountsThatTag() async throws {
        let budget = Budget(hardLimitUSD: 0.000001, scope: ["user": "alice"])
        let transport = ScriptedTransport { _, _ in Canned.json() }
        let client = scriptedClient(transport) { $0.budget = budget }
        _ = try await client.chat(hello, tags: ["user": "bob"])
        await #expect(throws: MistralError.self) { try await client.chat(hello, tags: ["user": "alice"]) }
        #expect(transport.count == 1)
    }

    @Test func budgetsStartFromTheLedgerAndRollOverWithThePeriod() throws {
        let november = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18
        let clock = Shared(november)
        let records = [
            UsageRecord(timestamp: november, endpoint: "chat", model: "m", promptTokens: 1, completionTokens: 1, costUSD: 4),
            UsageRecord(timestamp: november.addingTimeInterval(-40 * 86400), endpoint: "chat", model: "m", promptTokens: 1, completionTokens: 1, costUSD: 100),
        ]
        let budget = Budget(hardLimitUSD: 5, period: .month, seedFrom: records, now: { clock.withLock { $0 } })
        #expect(budget.status.spentUSD == 4)
        #expect(throws: MistralError.self) { _ = try budget.reserve(estimateUSD: 2, tags: [:]) }
        clock.withLock { $0 = november.addingTimeInterval(20 * 86400) }  // December
        #expect(budget.status.spentUSD == 0)
        #expect(try budget.reserve(estimateUSD: 2, tags: [:]) != nil)
    }

    @Test func theJSONLinesLedgerRoundTripsAndReportsClearly() async throws {
        try await withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("nested/usage.jsonl")
            let ledger = JSONLinesUsageLedger(url: url)
            let day = Date(timeIntervalSince1970: 1_795_000_000)
            ledger.record(UsageRecord(timestamp: day, endpoint: "chat", model: "a", promptTokens: 10, completionTokens: 5, costUSD: 0.5, tags: ["user": "u1"]))
            ledger.record(UsageRecord(timestamp: day.addingTimeInterval(86400), endpoint: "chat", model: "b", promptTokens: 1, completionTokens: 1, costUSD: nil, outcome: "server error", tags: ["user": "u2"]))
            let records = try ledger.records()
            #expect(records.count == 2)
            #expect(records[0].timestamp.timeIntervalSince1970 == 1_795_000_000)
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(text.contains(#""timestamp":"2026-11-18T"#))
            let byModel = UsageReport(records: records, grouping: .model)
            #expect(byModel.rows.map(\.key) == ["a", "b"])
            #expect(byModel.total.requests == 2 && byModel.total.failed == 1 && byModel.total.unpriced == 1)
            #expect(UsageReport(records: records, grouping: .day).rows.map(\.key).sorted() == ["2026-11-18", "2026-11-19"])
            #expect(UsageReport(records: records, grouping: .tag("user")).rows.count == 2)
            #expect(try ledger.records(since: day.addingTimeInterval(3600)).count == 1)
            try (text + "garbage\n").write(to: url, atomically: true, encoding: .utf8)
            let error = #expect(throws: MistralError.self) { try ledger.records() }
            #expect(error?.message.contains("Line 3") == true)
        }
    }

    @Test func theMonthlyProjectionExtrapolatesTheMonthSoFar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(from: DateComponents(year: 2026, month: 11, day: 1))!
        let now = calendar.date(from: DateComponents(year: 2026, month: 11, day: 11))!  // a third of November
        let records = [
            UsageRecord(timestamp: start.addingTimeInterval(3600), endpoint: "chat", model: "a", promptTokens: 1, completionTokens: 1, costUSD: 2),
            UsageRecord(timestamp: start.addingTimeInterval(-3600), endpoint: "chat", model: "a", promptTokens: 1, completionTokens: 1, costUSD: 50),
        ]
        let projection = UsageReport.monthlyProjection(records: records, now: now)
        #expect(projection.spentUSD == 2)
        #expect(abs(projection.projectedUSD - 6) < 1e-9)
    }
}
