import Hummingbird

/// The emulator's routes, all behind ``EmulatorMiddleware``.
enum EmulatorRouter {
    static func make(api: EmulatedAPI, middleware: EmulatorMiddleware) -> Router<EmulatorRequestContext> {
        let router = Router(context: EmulatorRequestContext.self)
        router.add(middleware: middleware)
        router.post("/v1/chat/completions") { _, context in try await api.chatCompletions(context) }
        router.post("/v1/fim/completions") { _, context in try await api.fimCompletions(context) }
        router.post("/v1/embeddings") { _, context in try await api.embeddings(context) }
        router.get("/v1/models") { _, context in try await api.listModels(context) }
        router.get("/v1/models/{model_id}") { _, context in try await api.retrieveModel(context) }
        router.delete("/v1/models/{model_id}") { _, context in try await api.deleteModel(context) }
        router.post("/v1/ocr") { _, context in try await api.ocr(context) }
        router.post("/v1/moderations") { _, context in try await api.moderations(context) }
        router.post("/v1/chat/moderations") { _, context in try await api.chatModerations(context) }
        router.post("/v1/classifications") { _, context in try await api.classifications(context) }
        router.post("/v1/chat/classifications") { _, context in try await api.chatClassifications(context) }
        return router
    }
}
