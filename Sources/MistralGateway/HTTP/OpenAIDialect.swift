import MistralKit

/// What the `openai` SDK sends that Mistral's API refuses, translated to Mistral's fields
/// before validation, so both official SDKs work unchanged and nothing Mistral rejects is
/// forwarded.
///
/// - `max_completion_tokens` becomes `max_tokens` (unless both are given);
/// - `seed` becomes `random_seed`;
/// - `tool_choice: "required"` becomes `"any"`;
/// - `stream_options` is dropped: Mistral's streams always end with their usage;
/// - `user` is dropped from the body and kept as the ledger tag `user`.
enum OpenAIDialect {
    /// `body` with the OpenAI-only members translated; the `user` it carried, if any.
    static func translate(_ body: JSONValue) -> (body: JSONValue, user: String?) {
        guard case .object(var members) = body else { return (body, nil) }
        var user: String?
        if let maxCompletion = members.removeValue(forKey: "max_completion_tokens"), members["max_tokens"] == nil {
            members["max_tokens"] = maxCompletion
        }
        if let seed = members.removeValue(forKey: "seed"), members["random_seed"] == nil { members["random_seed"] = seed }
        if members["tool_choice"] == "required" { members["tool_choice"] = "any" }
        members.removeValue(forKey: "stream_options")
        if let value = members.removeValue(forKey: "user") { user = value.stringValue }
        return (.object(members), user)
    }

    /// Whether the body has any member to translate (most requests have none and skip the rewrite).
    /// One pass over the bytes: at each quote, the markers that start there are compared.
    static func needsTranslation(_ body: [UInt8]) -> Bool {
        body.withUnsafeBufferPointer { bytes in
            let quote = UInt8(ascii: "\"")
            var index = 0
            while index < bytes.count {
                if bytes[index] == quote {
                    for marker in markers where index + marker.count <= bytes.count {
                        var matched = true
                        for offset in 1..<marker.count where bytes[index + offset] != marker[offset] {
                            matched = false
                            break
                        }
                        if matched { return true }
                    }
                }
                index += 1
            }
            return false
        }
    }

    /// Member names (and the one value) to translate. `"user"` alone would match every chat
    /// body's `"role":"user"`, so it counts only as a member name, followed by its colon.
    private static let markers: [[UInt8]] = [
        "\"max_completion_tokens\"", "\"seed\"", "\"required\"", "\"stream_options\"", "\"user\":", "\"user\" :",
    ].map { Array($0.utf8) }
}
