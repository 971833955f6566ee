import Foundation
import MistralChat
import MistralKit

/// Mistral's conversation event stream: each event an `event:` line naming its type and one
/// `data:` line of JSON carrying the same `type`, then a blank line. There is no `[DONE]`:
/// the stream ends after `conversation.response.done` (or `conversation.response.error`, when
/// the answer failed after the head was sent) and the connection's body closes.
enum ConversationEvents {
    static func event(_ type: String, _ members: [String: JSONValue]) -> [UInt8] {
        var data = members
        data["type"] = .string(type)
        data["created_at"] = ConversationWire.timestamp(Date())
        let json = (try? Array(JSONCoding.encode(JSONValue.object(data)))) ?? Array("{}".utf8)
        return Array("event: \(type)\ndata: ".utf8) + json + Array("\n\n".utf8)
    }

    static func started(conversationID: String) -> [UInt8] {
        event("conversation.response.started", ["conversation_id": .string(conversationID)])
    }

    /// A piece of the answer: every piece of one answer carries its entry's id and index.
    static func delta(_ piece: String, output: ConversationEntry, agentID: String?) -> [UInt8] {
        outputDelta(.string(piece), index: 0, output: output, agentID: agentID)
    }

    /// The answer's citations, each a `tool_reference` chunk as one more delta of the answer.
    static func citations(_ output: ConversationEntry, agentID: String?) -> [[UInt8]] {
        guard case .array(let chunks) = ConversationWire.outputContent(output) else { return [] }
        return chunks.dropFirst().enumerated().map { index, chunk in outputDelta(chunk, index: index + 1, output: output, agentID: agentID) }
    }

    /// A `message.output.delta` of `output` carrying `content` (a string or one chunk) at `index`.
    private static func outputDelta(_ content: JSONValue, index: Int, output: ConversationEntry, agentID: String?) -> [UInt8] {
        event(
            "message.output.delta",
            [
                "output_index": 0, "id": .string(output.id), "content_index": .int(index), "model": output.model.map { .string($0) } ?? nil,
                "agent_id": agentID.map { .string($0) } ?? nil, "role": "assistant", "content": content,
            ])
    }

    /// A call of a function the caller runs, whole in one delta (the SDKs join a call's deltas).
    static func functionCall(_ call: ConversationEntry, index: Int, model: String?, agentID: String?) -> [UInt8] {
        event(
            "function.call.delta",
            [
                "output_index": .int(index), "id": .string(call.id), "name": .string(call.toolName ?? ""),
                "tool_call_id": .string(call.toolCallID ?? ""), "arguments": .string(call.toolArguments ?? "{}"),
                "model": model.map { .string($0) } ?? nil, "agent_id": agentID.map { .string($0) } ?? nil,
            ])
    }

    static func done(_ output: ConversationEntry) -> [UInt8] {
        event("conversation.response.done", ["usage": ConversationWire.usage(prompt: output.promptTokens ?? 0, completion: output.completionTokens ?? 0)])
    }

    /// The answer failed after the stream began: the turn is stored as failed (append with no
    /// inputs runs it again). `code` is the HTTP status the failure would have had.
    static func error(_ message: String, code: Int) -> [UInt8] {
        event("conversation.response.error", ["message": .string(message), "code": .int(code)])
    }
}
