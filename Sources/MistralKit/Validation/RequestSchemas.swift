/// The body schemas of Mistral's endpoints, for ``RequestValidator``.
///
/// Allowed members come from the wire models' `CodingKeys`, so a field MistralKit learns is
/// accepted here too; types and ranges follow Mistral's OpenAPI spec (`temperature` 0...1.5,
/// `top_p` in (0, 1], penalties -2...2, ...). The emulator and the gateway validate with these,
/// so both refuse exactly what Mistral refuses.
public enum RequestSchemas {
    /// `POST /v1/chat/completions`: a ``ChatCompletionRequest``.
    public static let chatCompletion = ObjectSchema(
        name: "ChatCompletionRequest", allowed: ChatCompletionRequest.CodingKeys.allCases.map(\.rawValue),
        types: sampling.merging([
            "messages": MessageSchemas.messages,
            "response_format": .nullable(.object(responseFormat)),
            "tools": .nullable(.list(MessageSchemas.tool)),
            "tool_choice": .union([
                UnionMember("ToolChoice", .object(toolChoice)),
                UnionMember("ToolChoiceEnum", .oneOf(["auto", "none", "any", "required"])),
            ]),
            "presence_penalty": .nullable(.number(NumericBounds(minimum: -2, maximum: 2))),
            "frequency_penalty": .nullable(.number(NumericBounds(minimum: -2, maximum: 2))),
            "n": .nullable(.integer(NumericBounds(minimum: 1))),
            "prediction": .nullable(.object(prediction)),
            "parallel_tool_calls": .boolean,
            "reasoning_effort": .nullable(.oneOf(["none", "minimal", "low", "medium", "high", "xhigh"])),
            "prompt_mode": .nullable(.oneOf(["reasoning"])),
            "guardrails": .nullable(.list(.dictionary)),
            "service_tier": .nullable(.oneOf(["auto", "standard_only"])),
            "safe_prompt": .boolean,
        ]) { $1 },
        required: ["model", "messages"])

    /// `POST /v1/fim/completions`: a ``FIMCompletionRequest``.
    public static let fimCompletion = ObjectSchema(
        name: "FIMCompletionRequest", allowed: FIMCompletionRequest.CodingKeys.allCases.map(\.rawValue),
        types: sampling.merging([
            "prompt": .string,
            "suffix": .nullable(.string),
            "min_tokens": .nullable(.integer(NumericBounds(minimum: 0))),
        ]) { $1 },
        required: ["model", "prompt"])

    /// `POST /v1/embeddings`: an ``EmbeddingRequest``.
    public static let embedding = ObjectSchema(
        name: "EmbeddingRequest", allowed: EmbeddingRequest.CodingKeys.allCases.map(\.rawValue),
        types: [
            "model": .string,
            "input": stringOrList,
            "metadata": .nullable(.dictionary),
            "output_dimension": .nullable(.integer(NumericBounds(minimum: 0, exclusiveMinimum: true))),
            "output_dtype": .oneOf(["float", "int8", "uint8", "binary", "ubinary"]),
            "encoding_format": .oneOf(["float", "base64"]),
        ],
        required: ["model", "input"])

    /// `POST /v1/ocr`: an ``OCRRequest``.
    public static let ocr = ObjectSchema(
        name: "OCRRequest", allowed: OCRRequest.CodingKeys.allCases.map(\.rawValue),
        types: [
            "model": .string,
            "document": .dictionary,
            "id": .nullable(.string),
            "pages": .nullable(.list(.integer(NumericBounds(minimum: 0)))),
            "include_image_base64": .nullable(.boolean),
            "image_limit": .nullable(.integer(NumericBounds(minimum: 0))),
            "image_min_size": .nullable(.integer(NumericBounds(minimum: 0))),
            "table_format": .nullable(.oneOf(["markdown", "html"])),
            "extract_header": .boolean,
            "extract_footer": .boolean,
            "include_blocks": .boolean,
            "bbox_annotation_format": .nullable(.dictionary),
            "document_annotation_format": .nullable(.dictionary),
            "document_annotation_prompt": .nullable(.string),
            "confidence_scores_granularity": .nullable(.oneOf(["word", "page", "block"])),
        ],
        required: ["model", "document"])

    /// `POST /v1/moderations` and `POST /v1/classifications`: a ``ClassificationRequest``.
    public static let classification = ObjectSchema(
        name: "ClassificationRequest", allowed: ClassificationRequest.CodingKeys.allCases.map(\.rawValue),
        types: ["model": .string, "input": stringOrList, "metadata": .nullable(.dictionary)],
        required: ["model", "input"])

    /// `POST /v1/chat/moderations`: a ``ChatModerationRequest``.
    public static let chatModeration = ObjectSchema(
        name: "ChatModerationRequest", allowed: ChatModerationRequest.CodingKeys.allCases.map(\.rawValue),
        types: [
            "model": .string,
            "input": .union([
                UnionMember("list[Messages]", MessageSchemas.messages),
                UnionMember("list[list[Messages]]", .list(MessageSchemas.messages)),
            ]),
        ],
        required: ["model", "input"])

    /// `POST /v1/chat/classifications`: a ``ChatClassificationRequest``.
    public static let chatClassification = ObjectSchema(
        name: "ChatClassificationRequest", allowed: ChatClassificationRequest.CodingKeys.allCases.map(\.rawValue),
        types: [
            "model": .string,
            "input": .union([
                UnionMember("InstructRequest", .object(instruct)), UnionMember("list[InstructRequest]", .list(.object(instruct))),
            ]),
        ],
        required: ["model", "input"])

    // MARK: - Parts

    /// Members chat and FIM share.
    private static let sampling: [String: FieldSchema] = [
        "model": .string,
        "temperature": .nullable(.number(NumericBounds(minimum: 0, maximum: 1.5))),
        "top_p": .nullable(.number(NumericBounds(minimum: 0, exclusiveMinimum: true, maximum: 1))),
        "max_tokens": .nullable(.integer(NumericBounds(minimum: 0))),
        "stream": .boolean,
        "stop": .nullable(.union([UnionMember("str", .string), UnionMember("list[str]", .list(.string))])),
        "random_seed": .nullable(.integer(NumericBounds(minimum: 0))),
        "metadata": .nullable(.dictionary),
        "prompt_cache_key": .nullable(.string),
    ]

    private static let stringOrList: FieldSchema = .union([UnionMember("str", .string), UnionMember("list[str]", .list(.string))])

    private static let responseFormat = ObjectSchema(
        name: "ResponseFormat", allowed: ["type", "json_schema"],
        types: [
            "type": .oneOf(["text", "json_object", "json_schema"]),
            "json_schema": .nullable(
                .object(
                    ObjectSchema(
                        name: "JsonSchema", allowed: ["name", "description", "schema", "strict"],
                        types: ["name": .string, "description": .nullable(.string), "schema": .dictionary, "strict": .boolean],
                        required: ["name", "schema"]))),
        ])

    private static let toolChoice = ObjectSchema(
        name: "ToolChoice", allowed: ["type", "function"],
        types: [
            "type": .string,
            "function": .object(ObjectSchema(name: "FunctionName", allowed: ["name"], types: ["name": .string], required: ["name"])),
        ],
        required: ["function"])

    private static let prediction = ObjectSchema(
        name: "Prediction", allowed: ["type", "content"], types: ["type": .oneOf(["content"]), "content": .string])

    private static let instruct = ObjectSchema(
        name: "InstructRequest", allowed: ["messages"], types: ["messages": MessageSchemas.messages], required: ["messages"])
}
