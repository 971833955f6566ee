import Foundation

/// The checks a turn passes before anything is stored, so that bad input leaves the store
/// untouched and the model uncalled.
enum TurnValidation {
    /// Throws ``ChatEngineError`` `.emptyMessage` for a message that is empty or only whitespace.
    static func checkMessage(_ text: String) throws {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ChatEngineError(.emptyMessage, "The message is empty: say something.")
        }
    }

    /// Throws ``ChatEngineError`` `.invalidIdentifier` naming `what` (`user id`, `session id`) for
    /// an id that is blank or longer than 200 characters.
    static func checkIdentifier(_ value: String, _ what: String) throws {
        if value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 200 {
            throw ChatEngineError(.invalidIdentifier, "The \(what) must be 1 to 200 characters, not only spaces.")
        }
    }

    /// The tools of `registry` that `agent` lists, in its order.
    ///
    /// - Throws: ``ChatEngineError`` `.invalidAgent` naming a tool `registry` does not have.
    static func tools(of agent: Agent, in registry: [String: ChatTool]) throws -> [ChatTool] {
        try agent.tools.map { name in
            guard let tool = registry[name] else {
                throw ChatEngineError(.invalidAgent, "Agent '\(agent.name)' uses the tool '\(name)', which this engine does not have.")
            }
            return tool
        }
    }

    /// Throws ``ChatEngineError`` `.invalidAgent` naming a knowledge base `agent` answers from
    /// that `store` does not have.
    static func checkKnowledgeBases(of agent: Agent, in store: any KnowledgeStore) async throws {
        for name in agent.knowledgeBases where try await store.knowledgeBase(name: name) == nil {
            throw ChatEngineError(.invalidAgent, "Agent '\(agent.name)' answers from the knowledge base '\(name)', which does not exist.")
        }
    }
}
