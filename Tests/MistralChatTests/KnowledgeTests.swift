import Foundation
import MistralChat
import MistralEmulator
import MistralKit
import MistralStore
import MistralTestSupport
import Testing

@testable import MistralChat

/// Knowledge bases against the emulator (feature-hashed embeddings: texts sharing words are
/// close) on SQLite and, when the test script started one, PostgreSQL.
@Suite("Knowledge bases")
struct KnowledgeTests {
    static let faq = [
        ("shipping.md", "# Shipping\nStandard delivery takes 3 to 5 business days. Express delivery arrives the next business day. Delivery options are chosen at checkout."),
        ("returns.md", "# Returns\nYou can return any item within 30 days for a full refund. Refunds reach your card within 10 days."),
        ("account.html", "<html><head><title>Your account</title><style>p{}</style></head><body><p>Reset your password from the login page.</p><script>x()</script></body></html>"),
    ]

    func withKnowledge(_ backend: EngineTests.Backend, _ body: (KnowledgeService, MistralEmulator, URL, String) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let opened: ChatStoreFactory.Opened
            switch backend {
            case .sqlite: opened = try await ChatStoreFactory.open(directory.appendingPathComponent("kb.sqlite").path)
            case .postgres: opened = try await ChatStoreFactory.open(try #require(StoreTests.postgresURL))
            }
            do {
                try await withEmulatorClient { client, emulator in
                    let service = KnowledgeService(client: client, store: opened.store, batchSize: 2, maxConcurrency: 2)
                    let name = EngineTests.agentName("faq")
                    try await service.create(KnowledgeBase(name: name, chunkTokens: 24, overlapTokens: 6))
                    for (file, text) in Self.faq { try Data(text.utf8).write(to: directory.appendingPathComponent(file)) }
                    try await body(service, emulator, directory, name)
                }
            } catch {
                await opened.close()
                throw error
            }
            await opened.close()
        }
    }

    @Test(arguments: EngineTests.backends)
    func ingestedDocumentsAreRetrievedByMeaningAndWords(_ backend: EngineTests.Backend) async throws {
        try await withKnowledge(backend) { service, emulator, directory, name in
            for (file, _) in Self.faq {
                let report = try await service.ingest(file: directory.appendingPathComponent(file), into: name)
                #expect(report.outcome == .added)
                #expect(report.chunks >= 1)
            }
            let documents = try await service.store.documents(knowledgeBase: name)
            #expect(documents.map(\.title).sorted() == ["Returns", "Shipping", "Your account"])
            let account = try #require(documents.first { $0.title == "Your account" })
            #expect(account.content == "Reset your password from the login page.")
            let results = try await service.search("What are my delivery options?", in: name, limit: 3)
            #expect(results.first?.title == "Shipping", "\(results.map(\.title))")
            let refund = try await service.search("how long until my refund", in: name, limit: 1)
            #expect(refund.first?.title == "Returns")
            #expect(refund.first?.text.lowercased().contains("refund") == true)
            #expect(emulator.requestLog.requests(path: "/v1/embeddings").count >= 4)
        }
    }

    /// A deleted document is no longer found (the in-memory index is rebuilt); a knowledge base's
    /// description and a document's name can change; a deleted knowledge base takes its documents with it.
    @Test(arguments: EngineTests.backends)
    func deletedDocumentsAndBasesAreGone(_ backend: EngineTests.Backend) async throws {
        try await withKnowledge(backend) { service, _, directory, name in
            for (file, _) in Self.faq { _ = try await service.ingest(file: directory.appendingPathComponent(file), into: name) }
            #expect(try await service.search("delivery options", in: name, limit: 1).first?.title == "Shipping")
            let shipping = try #require(try await service.store.documents(knowledgeBase: name).first { $0.title == "Shipping" })
            #expect(try await service.store.deleteDocument(id: shipping.id, knowledgeBase: name))
            #expect(try await !service.store.deleteDocument(id: shipping.id, knowledgeBase: name))
            #expect(try await service.store.documents(knowledgeBase: name).count == 2)
            #expect(try await service.search("delivery options", in: name, limit: 3).allSatisfy { $0.title != "Shipping" })
            var base = try #require(try await service.store.knowledgeBase(name: name))
            base.displayName = "Help centre"
            base.description = "Articles"
            #expect(try await service.store.updateKnowledgeBase(base))
            #expect(try await service.store.knowledgeBase(name: name) == base)
            let returns = try #require(try await service.store.documents(knowledgeBase: name).first { $0.title == "Returns" })
            let file = DocumentFile(name: "refunds.md", mimeType: "text/markdown", size: 10, sha256: "00")
            #expect(try await service.store.renameDocument(id: returns.id, knowledgeBase: name, title: "Refunds", file: file))
            let renamed = try #require(try await service.store.document(id: returns.id, knowledgeBase: name))
            #expect(try await service.store.document(id: returns.id, knowledgeBase: "another") == nil)
            #expect(renamed.title == "Refunds" && renamed.file == file && renamed.content == returns.content)
            #expect(try await !service.store.renameDocument(id: "nope", knowledgeBase: name, title: "x", file: nil))
            #expect(try await service.store.deleteKnowledgeBase(name: name))
            #expect(try await service.store.knowledgeBase(name: name) == nil)
            #expect(try await service.store.documents(knowledgeBase: name).isEmpty)
            #expect(try await !service.store.deleteKnowledgeBase(name: name))
            // The name can be used again.
            try await service.create(KnowledgeBase(name: name))
        }
    }

    /// Two instances sharing one database: what one ingests, the other finds at its next search,
    /// although it had the knowledge base in memory already.
    @Test(arguments: EngineTests.backends)
    func aDocumentIngestedByAnotherInstanceIsFoundAtTheNextSearch(_ backend: EngineTests.Backend) async throws {
        try await withKnowledge(backend) { service, _, directory, name in
            let other = KnowledgeService(client: service.client, store: service.store)
            _ = try await service.ingest(file: directory.appendingPathComponent("shipping.md"), into: name)
            let before = try await other.search("refund within 30 days", in: name, limit: 5)
            #expect(!before.contains { $0.title == "Returns" })
            let revision = try #require(try await service.store.revision(knowledgeBase: name))
            _ = try await service.ingest(file: directory.appendingPathComponent("returns.md"), into: name)
            #expect(try await service.store.revision(knowledgeBase: name) == revision + 1)
            let after = try await other.search("refund within 30 days", in: name, limit: 5)
            #expect(after.first?.title == "Returns", "\(after.map(\.title))")
            #expect(try await service.store.revision(knowledgeBase: "no-such-base") == nil)
        }
    }

    @Test(arguments: EngineTests.backends)
    func reingestingIsFreeWhenUnchangedAndReplacesWhenChanged(_ backend: EngineTests.Backend) async throws {
        try await withKnowledge(backend) { service, emulator, directory, name in
            let file = directory.appendingPathComponent("shipping.md")
            let first = try await service.ingest(file: file, into: name)
            let calls = emulator.requestLog.count
            let again = try await service.ingest(file: file, into: name)
            #expect(again.outcome == .unchanged)
            #expect(emulator.requestLog.count == calls)
            try Data("# Shipping\nWe now ship with drones in one hour.".utf8).write(to: file)
            let changed = try await service.ingest(file: file, into: name)
            #expect(changed.outcome == .replaced)
            #expect(changed.chunks < first.chunks)
            let chunks = try await service.store.chunks(knowledgeBase: name)
            #expect(chunks.count == changed.chunks)
            #expect(chunks.allSatisfy { $0.text.contains("drones") || $0.text.contains("Shipping") })
            #expect(try await service.store.searchText(knowledgeBase: name, query: "business days", limit: 5).isEmpty)
            #expect(try await service.search("drones", in: name, limit: 1).first?.text.contains("drones") == true)
        }
    }

    /// A PDF is read by the OCR model, then chunked, embedded and cited like any document.
    @Test(arguments: EngineTests.backends)
    func aPDFIsReadThroughOCRAndRetrieved(_ backend: EngineTests.Backend) async throws {
        try await withKnowledge(backend) { service, emulator, directory, name in
            let file = directory.appendingPathComponent("warranty.pdf")
            try SamplePDF.make(pages: [["# Warranty", "Every item carries a two year warranty."], ["Warranty claims go to the service desk."]])
                .write(to: file)
            let report = try await service.ingest(file: file, into: name)
            #expect(report.outcome == .added)
            #expect(emulator.requestLog.requests(path: "/v1/ocr").count == 1)
            let document = try #require(try await service.store.document(knowledgeBase: name, source: file.path))
            #expect(document.title == "Warranty")
            #expect(document.content.contains("two year warranty") && document.content.contains("service desk"))
            let found = try await service.search("how long is the warranty", in: name, limit: 1)
            #expect(found.first?.title == "Warranty")
            // The same file again costs neither OCR's embeddings nor a write.
            let embeddings = emulator.requestLog.requests(path: "/v1/embeddings").count
            #expect(try await service.ingest(file: file, into: name).outcome == .unchanged)
            #expect(emulator.requestLog.requests(path: "/v1/embeddings").count == embeddings)
        }
    }

    /// Stop words are left out of full-text queries (they would make the database score most of
    /// a large base), unless the query has nothing else.
    @Test(arguments: EngineTests.backends)
    func fullTextSearchIgnoresStopWordsUnlessThereIsNothingElse(_ backend: EngineTests.Backend) async throws {
        try await withKnowledge(backend) { service, _, directory, name in
            for (file, _) in Self.faq { _ = try await service.ingest(file: directory.appendingPathComponent(file), into: name) }
            let texts = Dictionary(uniqueKeysWithValues: try await service.store.chunks(knowledgeBase: name).map { ($0.id, $0.text.lowercased()) })
            // "the" is in the shipping and account articles, "refund" only in the returns one.
            let question = try await service.store.searchText(knowledgeBase: name, query: "Where is the refund?", limit: 10)
            #expect(!question.isEmpty)
            #expect(question.allSatisfy { texts[$0]?.contains("refund") == true }, "\(question.map { texts[$0] ?? "?" })")
            #expect(question == (try await service.store.searchText(knowledgeBase: name, query: "refund", limit: 10)))
            let onlyStopWords = try await service.store.searchText(knowledgeBase: name, query: "from the", limit: 10)
            #expect(!onlyStopWords.isEmpty)
            #expect(onlyStopWords.allSatisfy { texts[$0]?.contains("the") == true })
        }
    }

    @Test(arguments: EngineTests.backends)
    func badDocumentsAreRefusedAndLeaveTheBaseUntouched(_ backend: EngineTests.Backend) async throws {
        try await withKnowledge(backend) { service, emulator, directory, name in
            _ = try await service.ingest(file: directory.appendingPathComponent("returns.md"), into: name)
            let before = try await service.store.chunks(knowledgeBase: name)
            let pdf = directory.appendingPathComponent("manual.pdf")
            try Data("%PDF-1.7 binary".utf8).write(to: pdf)
            let big = directory.appendingPathComponent("big.txt")
            try Data(repeating: UInt8(ascii: "a"), count: DocumentText.maximumBytes + 1).write(to: big)
            let binary = directory.appendingPathComponent("image.txt")
            try Data([0xFF, 0xD8, 0x00, 0x10, 0x4A]).write(to: binary)
            for (url, expected) in [(pdf, "could not be read by OCR"), (big, "more than the"), (binary, "not UTF-8 text"), (directory.appendingPathComponent("missing.md"), "Cannot read")] {
                let error = await #expect(throws: ChatEngineError.self) { try await service.ingest(file: url, into: name) }
                #expect(error?.kind == .unreadableDocument)
                #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
            }
            let unknown = await #expect(throws: ChatEngineError.self) {
                try await service.ingest(file: directory.appendingPathComponent("returns.md"), into: "no-such-base")
            }
            #expect(unknown?.kind == .unknownKnowledgeBase)
            let taken = await #expect(throws: ChatEngineError.self) { try await service.create(KnowledgeBase(name: name)) }
            #expect(taken?.kind == .invalidKnowledgeBase)
            #expect(try await service.store.chunks(knowledgeBase: name) == before)
        }
    }

    @Test func chunksOverlapAndCoverTheText() {
        let words = (0..<100).map { "w\($0)" }
        let chunks = TextChunker(chunkTokens: 20, overlapTokens: 5, counter: EstimatedTokenCounter()).chunks(of: words.joined(separator: " "))
        #expect(chunks.count > 5)
        #expect(chunks.first?.hasPrefix("w0 ") == true)
        #expect(chunks.last?.hasSuffix("w99") == true)
        for (previous, next) in zip(chunks, chunks.dropFirst()) {
            let tail = Set(previous.split(separator: " ").suffix(3))
            #expect(!tail.isDisjoint(with: next.split(separator: " ")), "chunks should overlap: \(previous) | \(next)")
        }
    }

    @Test func fusionRewardsAgreementBetweenRankings() {
        let fused = KnowledgeService.fuse([["a", "b", "c"], ["c", "a", "d"]], limit: 3).map(\.0)
        #expect(fused == ["a", "c", "b"])
    }

    @Test func theVectorIndexFindsTheNearestByCosine() {
        let index = VectorIndex(chunks: [("x", [1, 0, 0]), ("y", [0, 1, 0]), ("xy", [1, 1, 0]), ("z", [0, 0, 5])])
        #expect(index.nearest([2, 0.1, 0], k: 2).map(\.id) == ["x", "xy"])
        #expect(index.nearest([0, 0, 1], k: 1).first?.id == "z")
        #expect(index.nearest([1, 0], k: 1).isEmpty)  // wrong dimension
    }

    /// The int8 scan only picks candidates: the answer must be the exact top-k, with exact cosines,
    /// on the one-slice path and on the parallel one (20,000 rows or more).
    @Test(arguments: [(rows: 3_000, dimension: 100), (rows: 24_000, dimension: 48)])
    func theQuantizedScanReturnsTheExactNearest(_ shape: (rows: Int, dimension: Int)) {
        var random = SplitMix64(seed: UInt64(shape.rows))
        func vector() -> [Float] { (0..<shape.dimension).map { _ in Float.random(in: -1...1, using: &random) } }
        let rows = (0..<shape.rows).map { (id: "c\($0)", embedding: vector()) }
        let index = VectorIndex(chunks: rows)
        let normalised = rows.map { VectorIndex.normalised($0.embedding) }
        for _ in 0..<10 {
            let query = vector()
            let unit = VectorIndex.normalised(query)
            let exact = normalised.enumerated()
                .map { (id: rows[$0.offset].id, score: zip($0.element, unit).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
                .sorted { $0.score > $1.score }.prefix(8)
            let found = index.nearest(query, k: 8)
            #expect(found.map(\.id) == exact.map(\.id))
            for (a, b) in zip(found, exact) { #expect(abs(a.score - b.score) < 1e-5) }
        }
    }

    @Test func quantizationKeepsTheSignAndScaleOfEachComponent() {
        let (values, scale) = VectorIndex.quantize([0.5, -0.25, 0, 0.001])
        #expect(values == [127, -64, 0, 0])
        #expect(abs(scale - 0.5 / 127) < 1e-9)
        #expect(VectorIndex.quantize([0, 0]).scale == 0)
    }
}

@Suite("Answers from knowledge bases")
struct RetrievalAugmentedTests {
    @Test(arguments: EngineTests.backends)
    func answersAreGivenFromRetrievedChunksAndCiteThem(_ backend: EngineTests.Backend) async throws {
        try await KnowledgeTests().withKnowledge(backend) { service, emulator, directory, name in
            for (file, _) in KnowledgeTests.faq { _ = try await service.ingest(file: directory.appendingPathComponent(file), into: name) }
            let engine = ChatEngine(client: service.client, store: service.store as! any ChatStore, citationsPerAnswer: 2)
            let agent = EngineTests.agentName("faq-bot")
            _ = try await engine.store.saveAgent(Agent(name: agent, instructions: "You are Acme's support assistant.", knowledgeBases: [name]))
            let turn = try await engine.send("What delivery options do I have?", userID: "u", sessionID: "s", agentName: agent)
            #expect(turn.citations.count == 2)
            #expect(turn.citations.first?.title == "Shipping")
            #expect(turn.contentChunks.last == .reference(ids: [.int(1), .int(2)]))
            let system = try #require(emulator.requestLog.last?.json?["messages"]?[0]?["content"]?.stringValue)
            #expect(system.hasPrefix("You are Acme's support assistant.\n\nAnswer from these sources"))
            #expect(system.contains("[1] Shipping: "))
            let stored = try await engine.store.entries(conversationID: turn.conversation.id)[1]
            #expect(stored.citations == turn.citations)
        }
    }

    @Test func anAgentWithAMissingKnowledgeBaseIsRefusedBeforeStoring() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteChatStore(path: directory.appendingPathComponent("chat.sqlite").path)
            try await withEmulatorClient { client, emulator in
                let engine = ChatEngine(client: client, store: store)
                _ = try await store.saveAgent(Agent(name: "lost", knowledgeBases: ["nowhere"]))
                let conversation = try await engine.conversation(userID: "u", sessionID: "s", agentName: "lost")
                let error = await #expect(throws: ChatEngineError.self) { try await engine.send("Hi", conversationID: conversation.id) }
                #expect(error?.kind == .invalidAgent)
                #expect(error?.message.contains("'nowhere'") == true)
                #expect(try await store.entries(conversationID: conversation.id).isEmpty)
                #expect(emulator.requestLog.count == 0)
            }
        }
    }
}
