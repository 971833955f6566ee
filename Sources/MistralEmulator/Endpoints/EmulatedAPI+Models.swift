import Foundation
import Hummingbird
import MistralKit

extension EmulatedAPI {
    /// `GET /v1/models`: every model this instance serves.
    func listModels(_ context: EmulatorRequestContext) async throws -> Response {
        try await respond(try .json(ModelList(data: catalog.all)), headers: [], context)
    }

    /// `GET /v1/models/{model_id}`: one card, by id or alias; 404 when unknown.
    func retrieveModel(_ context: EmulatorRequestContext) async throws -> Response {
        let name = Self.modelID(context)
        guard let card = catalog.card(named: name) else { throw Self.modelNotFound(name) }
        return try await respond(try .json(card), headers: [], context)
    }

    /// `DELETE /v1/models/{model_id}`: deletes a fine-tuned model; 403 for base models, 404
    /// for unknown (or already deleted) ones.
    func deleteModel(_ context: EmulatorRequestContext) async throws -> Response {
        let name = Self.modelID(context)
        switch catalog.delete(name) {
        case .deleted(let card):
            return try await respond(try .json(DeletedModel(id: card.id, object: "model", deleted: true)), headers: [], context)
        case .baseModel:
            throw APIFailure.envelope(
                status: 403, message: "Model \(name) is a base model and cannot be deleted", type: "invalid_request_error")
        case .notFound:
            throw Self.modelNotFound(name)
        }
    }

    private static func modelID(_ context: EmulatorRequestContext) -> String {
        let raw = context.parameters.get("model_id") ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    private static func modelNotFound(_ name: String) -> APIFailure {
        APIFailure.envelope(status: 404, message: "Model not found: \(name)", type: "invalid_request_error", code: "1500")
    }
}
