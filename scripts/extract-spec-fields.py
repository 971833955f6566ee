#!/usr/bin/env python3
"""Extracts, from Mistral's OpenAPI spec, the member names each request schema accepts.

The Swift tests compare MistralKit's encoders against this file, so a field Mistral adds or
removes shows up as a failing test. Usage:
    scripts/extract-spec-fields.py ../shared/reference/mistral-openapi.yaml > Tests/MistralKitTests/Fixtures/spec-fields.json
"""
import json
import sys

import yaml

SCHEMAS = [
    "ChatCompletionRequest", "FIMCompletionRequest", "EmbeddingRequest", "ClassificationRequest",
    "ChatModerationRequest", "ChatClassificationRequest", "SystemMessage", "UserMessage", "AssistantMessage",
    "ToolMessage", "Tool", "Function", "WebSearchTool", "WebSearchPremiumTool", "CodeInterpreterTool",
    "ImageGenerationTool", "DocumentLibraryTool", "CustomConnector", "ResponseFormat", "JsonSchema",
    "GuardrailConfig", "ModerationLLMV1Config", "ToolCall", "FunctionCall", "UsageInfo",
    "ChatCompletionChoice", "CompletionChunk", "CompletionResponseStreamChoice", "DeltaMessage",
    "TextChunk", "ImageURLChunk", "DocumentURLChunk", "ReferenceChunk", "FileChunk", "ThinkChunk", "AudioChunk",
]
ENUMS = ["ReasoningEffort", "ResponseFormats", "ToolChoiceEnum", "RequestedServiceTier", "EmbeddingDtype",
         "EncodingFormat", "ImageDetail"]

spec = yaml.safe_load(open(sys.argv[1]))
schemas = spec["components"]["schemas"]
out = {"schemas": {}, "enums": {}}
for name in SCHEMAS:
    schema = schemas[name]
    out["schemas"][name] = {
        "properties": sorted(schema.get("properties", {}).keys()),
        "required": sorted(schema.get("required", [])),
    }
for name in ENUMS:
    out["enums"][name] = schemas[name]["enum"]
json.dump(out, sys.stdout, indent=1, sort_keys=True)
print()
