/// A wire model that can be read straight from its JSON bytes, skipping the tree: the hot ones
/// (``ChatCompletionResponse``, ``ChatCompletionChunk``), in their `+FastPath` files.
///
/// ``JSONValueDecoder`` asks a conforming type first; `nil` means "not the plain shape" and the
/// tree path then decodes the same bytes, returning the same value or throwing its usual error.
protocol JSONFastPathDecodable: Decodable {
    /// The value in `bytes`, or `nil` when the tree path must decide.
    static func fastPath(_ bytes: UnsafeBufferPointer<UInt8>) -> Self?
}

extension ChatCompletionResponse: JSONFastPathDecodable {}

extension ChatCompletionChunk: JSONFastPathDecodable {
    static func fastPath(_ bytes: UnsafeBufferPointer<UInt8>) -> ChatCompletionChunk? {
        fastPath(bytes, previous: nil)
    }
}
