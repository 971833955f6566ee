import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import MistralChat
import MistralGatewayCore
import MistralKit

/// Mistral's Libraries API over MistralChat's knowledge bases: libraries (create, list, get,
/// update, delete) and their documents (upload as `multipart/form-data`, list, get, status, text
/// content, delete). A document is read (text, Markdown, HTML; PDF through the upstream's OCR),
/// chunked and embedded during its upload, so an upload answers with the document `done` and
/// searchable, or with a 4xx that stored nothing (a binary file, an empty one, too large). Agents
/// use a library through the `document_library` tool; answers cite it with `tool_reference` chunks.
/// A library belongs to the owner of the key that made it; other owners get a 404 for it.
struct LibrariesHandler: Sendable {
    let conversations: ConversationsHandler
    private var store: any ChatStore { conversations.engine.store }
    private var relay: RelayHandler { conversations.relay }
    private var knowledge: KnowledgeService { conversations.engine.knowledge }

    /// `POST /v1/libraries`: 201.
    func create(_ request: Request) async -> Response {
        await conversations.withKey(request) { key, requestID in
            var fields = try RequestFields(try await relay.collectBody(request), allowed: ["name", "description", "chunk_size", "owner_type"])
            let name = fields.string("name", required: true)
            let description = fields.string("description")
            let chunkCharacters = fields.integer("chunk_size")
            if let chunkCharacters, !(256...32768).contains(chunkCharacters) { fields.refuse("chunk_size", "chunk_size must be from 256 to 32768.") }
            _ = fields.string("owner_type")
            try fields.check()
            // Mistral counts a chunk in characters; the engine chunks by tokens (about four characters each).
            var base = KnowledgeBase(name: UUID().uuidString.lowercased(), chunkTokens: (chunkCharacters ?? 1200) / 4)
            base.owner = key.owner
            base.displayName = name
            base.description = description
            try await knowledge.create(base)
            return .json(try await Self.library(base, store: store), status: .created, headers: relay.requestHeaders(requestID))
        }
    }

    /// `GET /v1/libraries`: `{"data": [...]}`, the owner's libraries.
    func list(_ request: Request) async -> Response {
        await conversations.withKey(request) { key, requestID in
            var libraries: [JSONValue] = []
            for base in try await store.knowledgeBases() where base.owner == key.owner {
                libraries.append(try await Self.library(base, store: store))
            }
            return .json(["data": .array(libraries)], headers: relay.requestHeaders(requestID))
        }
    }

    /// `GET /v1/libraries/{id}`.
    func get(_ request: Request, id: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            .json(try await Self.library(try await ownedLibrary(id, key: key), store: store), headers: relay.requestHeaders(requestID))
        }
    }

    /// `PATCH` (and `PUT`, as older SDKs send) `/v1/libraries/{id}`: a new name or description.
    func update(_ request: Request, id: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            var fields = try RequestFields(try await relay.collectBody(request), allowed: ["name", "description"])
            var base = try await ownedLibrary(id, key: key)
            if let name = fields.string("name") {
                if name.isEmpty { fields.refuse("name", "A library's name cannot be empty.") }
                base.displayName = name
            }
            if fields.isNull("description") {
                base.description = nil
            } else if let description = fields.string("description") {
                base.description = description
            }
            try fields.check()
            _ = try await store.updateKnowledgeBase(base)
            return .json(try await Self.library(base, store: store), headers: relay.requestHeaders(requestID))
        }
    }

    /// `PATCH` (and `PUT`) `/v1/libraries/{id}/documents/{document}`: a new name. Attributes and
    /// expiry are refused by name: not kept by this server.
    func updateDocument(_ request: Request, id: String, document documentID: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            var fields = try RequestFields(try await relay.collectBody(request), allowed: ["name", "attributes", "expires_at"])
            _ = try await ownedLibrary(id, key: key)
            let document = try await ownedDocument(documentID, library: id)
            let name = fields.string("name")
            if let name, name.isEmpty { fields.refuse("name", "A document's name cannot be empty.") }
            for member in ["attributes", "expires_at"] where fields.has(member) {
                fields.refuse(member, "Document \(member) are not kept by this server.")
            }
            try fields.check()
            guard let name else { return .json(Self.document(document, owner: key.owner), headers: relay.requestHeaders(requestID)) }
            var file = document.file
            file?.name = name
            _ = try await store.renameDocument(id: documentID, knowledgeBase: id, title: name, file: file)
            return .json(Self.document(try await ownedDocument(documentID, library: id), owner: key.owner), headers: relay.requestHeaders(requestID))
        }
    }

    /// `DELETE /v1/libraries/{id}`: the library with its documents; the deleted library.
    func delete(_ request: Request, id: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            let base = try await ownedLibrary(id, key: key)
            let shown = try await Self.library(base, store: store)
            _ = try await store.deleteKnowledgeBase(name: id)
            return .json(shown, headers: relay.requestHeaders(requestID))
        }
    }

    /// `POST /v1/libraries/{id}/documents`: the file part `file`, read, chunked and embedded; 201.
    func upload(_ request: Request, id: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            _ = try await ownedLibrary(id, key: key)
            let body = try await relay.collectBody(request)
            let form: MultipartForm
            do {
                form = try MultipartForm(contentType: request.headers[.contentType] ?? "", body: body)
            } catch let error as MultipartForm.Malformed {
                throw GatewayFailure.validation(["detail": [RequestFields.issue(["body", "file"], error.reason, "value_error", input: nil)]])
            }
            guard let part = form.part("file") else {
                throw GatewayFailure.validation(["detail": [RequestFields.issue(["body", "file"], "Field required", "missing", input: nil)]])
            }
            // The SDKs send the name raw, with `"` as `%22`.
            let name = part.fileName.flatMap { $0.isEmpty ? nil : (($0.removingPercentEncoding ?? $0) as NSString).lastPathComponent } ?? "document"
            let file = DocumentFile(
                name: name, mimeType: Self.mimeType(of: name, declared: part.contentType), size: part.body.count,
                sha256: SHA256.hash(data: part.body).map { String(format: "%02x", $0) }.joined())
            let report = try await billed(key: key, requestID: requestID) {
                try await knowledge.ingest(upload: Data(part.body), file: file, into: id)
            }
            let document = try await ownedDocument(report.documentID, library: id)
            return .json(Self.document(document, owner: key.owner), status: .created, headers: relay.requestHeaders(requestID))
        }
    }

    /// `GET /v1/libraries/{id}/documents`: `{"pagination": …, "data": […]}`, newest first.
    func documents(_ request: Request, id: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            _ = try await ownedLibrary(id, key: key)
            let query = request.uri.queryParameters
            let page = max(0, query["page"].flatMap { Int(String($0)) } ?? 0)
            let size = min(100, max(1, query["page_size"].flatMap { Int(String($0)) } ?? 100))
            let search = query["search"].map { String($0).lowercased() }
            let all = try await store.documents(knowledgeBase: id)
                .filter { document in search.map { (document.file?.name ?? document.title).lowercased().contains($0) } ?? true }
                .sorted { ($0.ingestedAt, $0.id) > ($1.ingestedAt, $1.id) }
            let shown = all.dropFirst(page * size).prefix(size)
            let pages = (all.count + size - 1) / size
            return .json(
                [
                    "pagination": [
                        "total_items": .int(all.count), "total_pages": .int(pages), "current_page": .int(page), "page_size": .int(size),
                        "has_more": .bool((page + 1) * size < all.count),
                    ],
                    "data": .array(shown.map { Self.document($0, owner: key.owner) }),
                ], headers: relay.requestHeaders(requestID))
        }
    }

    /// `GET /v1/libraries/{id}/documents/{document}`, `…/status` and `…/text_content`.
    func document(_ request: Request, id: String, document documentID: String, view: DocumentView) async -> Response {
        await conversations.withKey(request) { key, requestID in
            _ = try await ownedLibrary(id, key: key)
            let document = try await ownedDocument(documentID, library: id)
            let body: JSONValue =
                switch view {
                case .whole: Self.document(document, owner: key.owner)
                case .status: ["document_id": .string(document.id), "process_status": "done", "processing_status": "Completed"]
                case .text: ["text": .string(document.content)]
                }
            return .json(body, headers: relay.requestHeaders(requestID))
        }
    }

    enum DocumentView: Sendable { case whole, status, text }

    /// `POST /v1/libraries/{id}/documents/{document}/reprocess`: 204. A document is processed
    /// completely during its upload, so there is nothing left to do but confirm it exists.
    func reprocess(_ request: Request, id: String, document documentID: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            _ = try await ownedLibrary(id, key: key)
            _ = try await ownedDocument(documentID, library: id)
            return Response(status: .noContent, headers: relay.requestHeaders(requestID))
        }
    }

    /// A file's type by its extension (what the SDKs send as the part's type is a guess too),
    /// else what the part declared.
    static func mimeType(of name: String, declared: String?) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "md", "markdown": "text/markdown"
        case "txt", "text": "text/plain"
        case "html", "htm": "text/html"
        case "pdf": "application/pdf"
        case "csv": "text/csv"
        case "json": "application/json"
        default: declared ?? "application/octet-stream"
        }
    }

    /// A stable UUID-shaped id for an owner (the SDKs want `owner_id` and `uploaded_by_id` as strings).
    static func ownerID(_ owner: String) -> String {
        let hex = SHA256.hash(data: Data("owner:\(owner)".utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    /// `DELETE /v1/libraries/{id}/documents/{document}`: 204.
    func deleteDocument(_ request: Request, id: String, document documentID: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            _ = try await ownedLibrary(id, key: key)
            guard try await store.deleteDocument(id: documentID, knowledgeBase: id) else {
                throw ChatEngineError(.unknownKnowledgeBase, "Library \(id) has no document \(documentID).")
            }
            return Response(status: .noContent, headers: relay.requestHeaders(requestID))
        }
    }

    // MARK: - Steps

    func ownedLibrary(_ id: String, key: VirtualKey) async throws -> KnowledgeBase {
        guard let base = try await store.knowledgeBase(name: id), base.owner == key.owner else {
            throw ChatEngineError(.unknownKnowledgeBase, "There is no library \(id).")
        }
        return base
    }

    private func ownedDocument(_ id: String, library: String) async throws -> KnowledgeDocument {
        guard let document = try await store.document(id: id, knowledgeBase: library) else {
            throw ChatEngineError(.unknownKnowledgeBase, "Library \(library) has no document \(id).")
        }
        return document
    }

    /// Runs `work` (embedding, OCR) billed to `key`, as a conversation turn's calls are.
    private func billed<Result: Sendable>(key: VirtualKey, requestID: String, _ work: () async throws -> Result) async throws -> Result {
        guard !relay.ledger.isFull else { throw GatewayFailure.ledgerFull }
        let account = TurnAccount(key: key, requestID: requestID, endpoint: "libraries")
        return try await conversations.inLane(of: key, billedTo: account, batch: true) { try await work() }
    }

    static func library(_ base: KnowledgeBase, store: any ChatStore) async throws -> JSONValue {
        let documents = try await store.documents(knowledgeBase: base.name)
        let updated = documents.map(\.ingestedAt).max() ?? base.createdAt
        return [
            "id": .string(base.name), "name": .string(base.displayName ?? base.name), "description": base.description.map { .string($0) } ?? nil,
            "created_at": ConversationWire.timestamp(base.createdAt), "updated_at": ConversationWire.timestamp(updated),
            "owner_id": .string(ownerID(base.owner ?? "")), "owner_type": "Workspace",
            "total_size": .int(documents.reduce(0) { $0 + ($1.file?.size ?? $1.content.utf8.count) }), "nb_documents": .int(documents.count),
            "chunk_size": nil,
        ]
    }

    static func document(_ document: KnowledgeDocument, owner: String?) -> JSONValue {
        let name = document.file?.name ?? document.title
        return [
            "id": .string(document.id), "library_id": .string(document.knowledgeBase), "name": .string(name),
            "hash": .string(document.file?.sha256 ?? ""), "mime_type": .string(document.file?.mimeType ?? mimeType(of: name, declared: "text/plain")),
            "extension": .string((name as NSString).pathExtension.lowercased()), "size": .int(document.file?.size ?? document.content.utf8.count),
            "summary": nil, "created_at": ConversationWire.timestamp(document.ingestedAt),
            "last_processed_at": ConversationWire.timestamp(document.ingestedAt), "number_of_pages": nil, "process_status": "done",
            "processing_status": "Completed", "uploaded_by_id": .string(ownerID(owner ?? "")), "uploaded_by_type": "Workspace",
            "tokens_processing_total": .int(document.chunkCount),
        ]
    }
}
