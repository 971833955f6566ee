#!/usr/bin/env python3
"""Expected outputs of mistral-common for MistralTokenizer's exactness tests.

Run with the venv that scripts/setup-tokenizer-reference.sh prepares:

    python scripts/tokenizer-fixtures.py --tokenizer-dir DIR --output FILE

It copies the tokenizer files shipped inside the mistral-common wheel into DIR, derives tekken
files for the versions the wheel does not ship (v7, v11, v13, v15: the wheel's tekken vocabulary
with a `special_tokens` list, a version and, for v15, a `model_settings_builder`, laid out like
Mistral's published files), builds a broad corpus, and writes FILE: for every tokenizer file the
ids of every corpus text, their decoded text, every chat case rendered by `encode_chat_completion`
(or the exception it raises) and every fill-in-the-middle case.
"""

import argparse
import base64
import json
import random
import shutil
import struct
import sys
from pathlib import Path

import mistral_common
from mistral_common.protocol.fim.request import FIMRequest
from mistral_common.protocol.instruct.chunk import TextChunk, ThinkChunk
from mistral_common.protocol.instruct.messages import AssistantMessage, SystemMessage, ToolMessage, UserMessage
from mistral_common.protocol.instruct.request import ChatCompletionRequest, JsonSchema, ResponseFormat
from mistral_common.protocol.instruct.tool_calls import Function, FunctionCall, Tool, ToolCall
from mistral_common.tokens.tokenizers.base import SpecialTokenPolicy
from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

DATA = Path(mistral_common.__file__).parent / "data"

WHEEL_FILES = [
    "tokenizer.model.v1",
    "mistral_instruct_tokenizer_240216.model.v2",
    "mistral_instruct_tokenizer_240323.model.v3",
    "mistral_instruct_tokenizer_241114.model.v7",
    "mistral_instruct_tokenizer_241114.model.v7m1",
    "tekken_240718.json",
    "tekken_240911.json",
]

# Special tokens of Mistral's newer tekken files: the 20 legacy ones, then audio, tool-call and
# thinking tokens at the ranks Mistral's published files use, the rest `<SPECIAL_n>`.
NEWER_SPECIAL_TOKENS = {
    0: "<unk>", 1: "<s>", 2: "</s>", 3: "[INST]", 4: "[/INST]", 5: "[AVAILABLE_TOOLS]",
    6: "[/AVAILABLE_TOOLS]", 7: "[TOOL_RESULTS]", 8: "[/TOOL_RESULTS]", 9: "[TOOL_CALLS]",
    10: "[IMG]", 11: "<pad>", 12: "[IMG_BREAK]", 13: "[IMG_END]", 14: "[PREFIX]", 15: "[MIDDLE]",
    16: "[SUFFIX]", 17: "[SYSTEM_PROMPT]", 18: "[/SYSTEM_PROMPT]", 19: "[TOOL_CONTENT]",
    24: "[AUDIO]", 25: "[BEGIN_AUDIO]", 32: "[ARGS]", 33: "[CALL_ID]", 34: "[THINK]", 35: "[/THINK]",
    36: "[MODEL_SETTINGS]", 37: "[/MODEL_SETTINGS]",
}


def derived_tekken(base: dict, version: str) -> dict:
    special = []
    for rank in range(base["config"]["default_num_special_tokens"]):
        name = NEWER_SPECIAL_TOKENS.get(rank, f"<SPECIAL_{rank}>")
        if version != "v15" and name in ("[MODEL_SETTINGS]", "[/MODEL_SETTINGS]"):
            name = f"<SPECIAL_{rank}>"
        special.append({"rank": rank, "token_str": name, "is_control": True})
    data = {"config": dict(base["config"], version=version), "vocab": base["vocab"], "special_tokens": special}
    if version == "v15":
        data["model_settings_builder"] = {
            "reasoning_effort": {"type": "enum", "accepts_none": True, "default": "none", "values": ["none", "high"]},
            "json_schema": {"type": "json_schema", "accepts_none": False, "default": None},
        }
    return data


def prepare_tokenizer_files(directory: Path) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    for name in WHEEL_FILES:
        target = directory / name
        if not target.exists() or target.stat().st_size != (DATA / name).stat().st_size:
            shutil.copyfile(DATA / name, target)
    base = json.loads((DATA / "tekken_240718.json").read_text(encoding="utf-8"))
    derived = []
    for version in ("v7", "v11", "v13", "v15"):
        name = f"tekken_derived_{version}.json"
        target = directory / name
        if not target.exists():
            part = target.with_suffix(".part")
            part.write_text(json.dumps(derived_tekken(base, version), ensure_ascii=False), encoding="utf-8")
            part.rename(target)
        derived.append(name)
    return WHEEL_FILES + derived


# MARK: Corpus


def corpus() -> list[str]:
    texts = [
        "",
        "Hello, world!",
        "The quick brown fox jumps over the lazy dog. THE QUICK BROWN FOX! McDonald's iPhone XMLHttpRequest camelCaseWord",
        "Le cœur a ses raisons que la raison ne connaît point. « Déjà vu », l'été dernier — naïve façade.",
        "Größenmaßstäbe für Straßenbahnüberführungen: Äpfel, Öl, Übermut. ẞ",
        "¿Dónde está la biblioteca? ¡Olé! Mañana será otro día.",
        "Съешь же ещё этих мягких французских булок, да выпей чаю. Їжачок і ґудзик.",
        "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία. ΑΒΓΔ αβγδ ς ϐ ϑ",
        "مرحبا بالعالم! العَرَبِيَّةُ لُغَةٌ جَمِيلَةٌ. ١٢٣٤٥ ٦٧٨٩٠",
        "שָׁלוֹם עוֹלָם! עברית בלי ניקוד. 123",
        "नमस्ते दुनिया! हिन्दी में लिखा गया वाक्य। क्षत्रिय ज्ञान श्री ०१२३",
        "বাংলা ভাষা সুন্দর। தமிழ் மொழி. తెలుగు. ગુજરાતી. ਪੰਜਾਬੀ.",
        "สวัสดีชาวโลก ภาษาไทยไม่มีช่องว่างระหว่างคำ กรุงเทพมหานคร",
        "你好，世界！这是一个中文句子，包含标点符号。繁體中文：龍與鳳。",
        "こんにちは世界！カタカナとひらがな、漢字を混ぜた文。ラーメン、ｶﾀｶﾅ、ー",
        "안녕하세요 세계! 한국어 문장입니다. ᄀᄁᄂ ㄱㄴㄷ",
        "Tiếng Việt có dấu: Xin chào thế giới. Nguyễn",
        "Türkçe: İstanbul, ıspanak, ŞĞÜÖÇ. Ǆemal ǅemal ǆemal",
        "ქართული ენა. Հայերեն լեզու. አማርኛ ቋንቋ. ᏣᎳᎩ. ᠮᠣᠩᠭᠣᠯ",
        "Numbers: 3.14159, 1,000,000, -42, 1e-10, 0x1F, 2024-11-25, +33 6 12 34 56 78, ½ ¾ ² ³ Ⅻ ⅷ ①",
        "１２３４５ full-width ＡＢＣ ａｂｃ！",
        "Emoji: 😀 😃 👍🏽 ❤️ 🎉 🙏🏿 🤷‍♀️ 👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷🇯🇵🇺🇸 1️⃣ #️⃣ ©️",
        "Mixed: I ❤️ NY 🗽 and 東京 🗼 — naïve café 🥐",
        "Tabs\tand\t\tmore\t\t\ttabs\n\nNew  lines\n\n\n   indented\r\nCRLF line\r\n\r\nend   ",
        "   leading and trailing spaces   ",
        "\n\n\nleading newlines",
        "trailing newlines\n\n\n",
        " \n \t \r\n \u00a0 \u3000 \u2028 \u0085 \u200b \ufeff x",
        "Control chars: \x00 \x01 \x1f \x7f end",
        "Zero\u200bwidth\u200djoiner\u200cnon-joiner",
        "Combining: e\u0301 a\u0300 n\u0303 \u0301alone  o\u0308\u0304 Z\u0351\u0352\u0353algo",
        "[INST] pretend instruction [/INST] </s> <s> <unk> <pad> [TOOL_CALLS] [AVAILABLE_TOOLS] [SYSTEM_PROMPT]",
        "[REF] reference [/REF] [REFERENCE_DOC_1] [REFERENCE_DOC_19] <0x0A> ▁ ▁▁ <SPECIAL_20> [THINK]",
        "def fibonacci(n: int) -> int:\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)\n",
        "func greet(_ name: String) -> String {\n\treturn \"Hello, \\(name)!\"\n}\n",
        '{"key": "value", "list": [1, 2.5, true, null], "nested": {"a": "b\\n"}}',
        "<html><body><div class=\"x\">Text &amp; more</div></body></html>",
        "SELECT id, name FROM users WHERE age >= 18 AND name LIKE '%smith%' ORDER BY id DESC;",
        "ls -la /usr/local/bin | grep -E '^-rwx' && echo \"done\" > /dev/null 2>&1",
        "regex: ^(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]+)@(?:[a-z0-9-]+\\.)+[a-z]{2,}$",
        "path/to/some/file.txt and C:\\Windows\\System32 and https://example.com/a/b?c=d&e=f#g",
        "!!!??? ... --- *** ### @@@ $$$ %%% ^^^ &&& ((( ))) [[[ ]]] {{{ }}} ||| \\\\\\ /// ~~~",
        "can't won't I'm you're they'll we've it's 'quoted' \"double\" `backtick`",
        "a" * 3000,
        "supercalifragilisticexpialidocious" * 80,
        "1234567890" * 200,
        "🙂" * 500,
        "!?" * 800,
        "=" * 2000,
        " " * 1500 + "x",
        "\t" * 300 + "\n" * 300,
        "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(1500)),
        base64.b64encode(bytes(range(256)) * 6).decode(),
        "Pneumonoultramicroscopicsilicovolcanoconiosis Donaudampfschifffahrtsgesellschaftskapitänswitwe",
    ]
    texts += fuzz_strings()
    return texts


FUZZ_ALPHABET = [
    "a", "z", "Q", "Z", "é", "ß", "İ", "ǅ", "ʰ", "ー", "中", "ア", "한", "ا", "ש", "क", "ก",
    "\u0301", "\u0903", "\u20dd", "\u0e31", "\u093f",
    "1", "9", "٣", "Ⅻ", "²", "½",
    " ", " ", " ", "\t", "\n", "\n", "\r", "\u00a0", "\u3000", "\u2028", "\u0085", "\u000b", "\u000c",
    "/", "!", ".", ",", "'", '"', "-", "_", "(", "[", "<", "$", "€", "©",
    "😀", "👍", "\U0001f3fd", "\u200d", "\ufe0f", "🇫", "🇷", "\u200b", "\x00", "\x1f", "\x7f",
]


def fuzz_strings() -> list[str]:
    rng = random.Random(20261125)
    strings = []
    for _ in range(400):
        length = rng.randint(1, 40)
        strings.append("".join(rng.choice(FUZZ_ALPHABET) for _ in range(length)))
    return strings


# MARK: Chat cases (a neutral JSON shape that the Swift tests read too)

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Get the current weather for a city. Says \"sunny\" a lot.",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name, e.g. Paris or 東京"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 14, "default": 3},
            "threshold": {"type": "number", "default": 0.5, "examples": [1e-07, 1e16, 123456789012345678901234567890, -0.0]},
        },
        "required": ["city"],
    },
}
SEARCH_TOOL = {
    "name": "search-docs_v2",
    "description": "Search\tdocs\nwith control \u0001 chars and a backslash \\ and emoji 🔎",
    "parameters": {"type": "object", "properties": {"query": {"type": "string"}, "filters": {"type": "object", "properties": {"lang": {"type": "array", "items": {"type": "string"}}}}}},
}
EMPTY_TOOL = {"name": "noop", "description": "", "parameters": {}}


def call(id_: str, name: str, arguments: str) -> dict:
    return {"id": id_, "name": name, "arguments": arguments}


def chat_cases() -> list[dict]:
    user = lambda content: {"role": "user", "content": content}
    system = lambda content: {"role": "system", "content": content}
    assistant = lambda content=None, tool_calls=None, prefix=False: {
        "role": "assistant", "content": content, "tool_calls": tool_calls or [], "prefix": prefix}
    tool = lambda content, call_id, name=None: {"role": "tool", "content": content, "tool_call_id": call_id, "name": name}
    text = lambda t: {"type": "text", "text": t}
    think = lambda t, closed=True: {"type": "thinking", "thinking": t, "closed": closed}

    cases = [
        ("single user", [user("Hello!")]),
        ("user with surrounding whitespace", [user("  Hi there \n")]),
        ("empty user", [user("")]),
        ("system and user", [system("You are a helpful assistant."), user("What is 2+2?")]),
        ("two system prompts mid conversation", [
            system("Be brief."), user("Hi"), assistant("Hello!   "), user("How are you?"), system("Answer in French."),
            user("Bonjour ?")]),
        ("multi turn", [
            user("What's the capital of France?"), assistant("Paris."), user("And of Japan?"),
            assistant("Tokyo (東京)."), user("Thanks! 🙏")]),
        ("only system", [system("You are a bot.")]),
        ("starts with assistant", [assistant("I start."), user("Then me.")]),
        ("consecutive users", [user("First part."), user("Second part."), assistant("Ok"), user("Third")]),
        ("consecutive assistants", [user("Q"), assistant("A1"), assistant("A2"), user("Q2")]),
        ("text chunks", [user([text("Chunk one."), text("Chunk two.")]), assistant("Reply"), user([text("last"), text("")])]),
        ("control look-alikes", [
            system("[SYSTEM_PROMPT] fake [/SYSTEM_PROMPT]"), user("[INST] not an instruction [/INST] </s><s>"),
            assistant("[TOOL_CALLS] nope </s>"), user("[AVAILABLE_TOOLS] [REF] x")]),
        ("multilingual", [
            system("Réponds en français, 日本語, или по-русски."),
            user("مرحبا! नमस्ते! שלום! สวัสดี! 👋🏽 👨‍👩‍👧"), assistant("Bonjour ! 🇫🇷"), user("Και στα ελληνικά;")]),
        ("assistant prefix", [user("Write a haiku."), assistant("Autumn moonlight -", prefix=True)]),
        ("tools offered", [user("What's the weather in Paris?")], [WEATHER_TOOL, SEARCH_TOOL]),
        ("tool call and result", [
            system("Use tools when useful."),
            user("Weather in Paris?"),
            assistant(tool_calls=[call("abcDEF123", "get_weather", '{"city": "Paris", "unit": "celsius"}')]),
            tool('{"temperature": 18.5, "condition": "sunny ☀️"}', "abcDEF123", "get_weather"),
            assistant("It is 18.5 °C and sunny in Paris."),
            user("And in Tokyo?"),
        ], [WEATHER_TOOL]),
        ("tool call is last turn", [
            user("Weather in 東京?"),
            assistant(tool_calls=[call("Tok123xyz", "get_weather", '{"city":"東京","days":2}')]),
            tool("22 degrees, cloudy", "Tok123xyz", "get_weather"),
        ], [WEATHER_TOOL]),
        ("parallel tool calls answered out of order", [
            user("Compare Paris and Rome."),
            assistant(tool_calls=[
                call("call00001", "get_weather", '{"city": "Paris"}'),
                call("call00002", "get_weather", '{"city": "Rome"}')]),
            tool('{"t": 20}', "call00002", "get_weather"),
            tool('{"t": 17}', "call00001", "get_weather"),
        ], [WEATHER_TOOL]),
        ("tool arguments of every kind", [
            user("go"),
            assistant(tool_calls=[
                call("argsA0001", "search-docs_v2", '  {"query":"naïve \\"quoted\\" \\u00e9 \\ud83d\\ude00", "n": 1.0, "big": 12345678901234567890, "e": 1E5, "neg": -0, "f": 0.00001, "list": [], "obj": {}}  '),
                call("argsB0002", "noop", "not json at all"),
                call("argsC0003", "noop", ""),
                call("argsD0004", "noop", '[1, "two", null, false, NaN, Infinity]'),
                call("argsE0005", "noop", '{"dup": 1, "other": 2, "dup": 3}'),
            ]),
            tool("plain text result", "argsA0001"), tool("", "argsB0002"), tool("[1,2]", "argsC0003"),
            tool("{\"ok\":true}", "argsD0004"), tool("\"just a string\"", "argsE0005"),
        ], [SEARCH_TOOL, EMPTY_TOOL]),
        ("tool call with content", [
            user("Check the weather."),
            assistant("Let me check.", tool_calls=[call("mix123456", "get_weather", '{"city": "Oslo"}')]),
            tool("-3", "mix123456"),
        ], [WEATHER_TOOL]),
        ("tool history before last user", [
            user("weather?"),
            assistant(tool_calls=[call("hist12345", "get_weather", '{"city": "Lima"}')]),
            tool("warm", "hist12345", "get_weather"),
            assistant("It's warm."),
            user("thanks, and now tell me a joke"),
        ], [WEATHER_TOOL]),
        ("thinking", [
            system([text("Think step by step."), think("System-level reasoning.")]),
            user("What is 17 * 23?"),
            assistant([think("17*23 = 17*20 + 17*3 = 340 + 51 = 391."), text("391")]),
            user("And 18 * 23?"),
        ]),
        ("thinking in assistant", [
            user("What is 17 * 23?"),
            assistant([think("17*23 = 391"), text("391   ")]),
            user("ok"),
        ]),
        ("unclosed thinking prefix", [user("Solve x+1=2"), assistant([think("x = 2 - 1", closed=False)], prefix=True)]),
        ("long content", [user(" ".join(["Lorem ipsum dolor sit amet, consectetur adipiscing elit."] * 60)), assistant("x" * 500), user("🙂" * 200)]),
        ("invalid null tool call id", [user("q"), assistant(tool_calls=[call("null", "get_weather", "{}")]), tool("r", "null")], [WEATHER_TOOL]),
        ("tool call ids of any shape", [user("q"), assistant(tool_calls=[call("call_abc-1", "get_weather", "{}")]), tool("r", "call_abc-1")], [WEATHER_TOOL]),
        ("invalid function name", [user("q")], [{"name": "bad name!", "description": "", "parameters": {}}]),
        ("invalid last assistant", [user("q"), assistant("a")]),
        ("invalid tool after user", [user("q"), tool("r", "abcDEF123")]),
        ("invalid thinking in user", [user([think("hmm"), text("hi")])]),
    ]
    out = []
    for case in cases:
        name, messages = case[0], case[1]
        tools = case[2] if len(case) > 2 else []
        out.append({"name": name, "messages": messages, "tools": tools})
    out.append({"name": "reasoning effort high", "messages": [user("Prove it.")], "tools": [WEATHER_TOOL], "reasoning_effort": "high"})
    out.append({"name": "reasoning effort not allowed", "messages": [user("Prove it.")], "tools": [], "reasoning_effort": "low"})
    out.append({"name": "json object format", "messages": [user("List three colours.")], "tools": [], "response_format": {"type": "json_object"}})
    out.append({"name": "json schema format", "messages": [system("sys"), user("Give a person.")], "tools": [], "reasoning_effort": "none",
                "response_format": {"type": "json_schema", "name": "person", "schema": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name", "age"]}}})
    return out


def wire_request(case: dict, api_style: bool) -> dict:
    """The case as the JSON body of a Mistral chat-completions request.

    The plain style spells everything out: arguments as strings, thinking as strings, every
    field present. The API style uses the other forms Mistral's API accepts, alternating so both
    forms stay covered: arguments as JSON objects (or null for empty ones), thinking as a list of
    text chunks, defaults left out, and sampling fields the tokenizer must ignore.
    """
    turn = iter(range(1_000_000))

    def alternate() -> bool:
        return api_style and next(turn) % 2 == 0

    def content(value):
        if value is None or isinstance(value, str):
            return value
        chunks = []
        for chunk in value:
            if chunk["type"] == "text":
                chunks.append({"type": "text", "text": chunk["text"]})
                continue
            thinking = chunk["thinking"]
            if alternate():
                half = len(thinking) // 2
                thinking = [{"type": "text", "text": thinking[:half]}, {"type": "text", "text": thinking[half:]}]
            out = {"type": "thinking", "thinking": thinking}
            if not api_style or not chunk["closed"]:
                out["closed"] = chunk["closed"]
            chunks.append(out)
        return chunks

    def arguments(text: str):
        if api_style and text == "":
            return None
        try:
            value = json.loads(text)
        except ValueError:
            return text
        return value if isinstance(value, dict) and alternate() else text

    messages = []
    for message in case["messages"]:
        out = {"role": message["role"], "content": content(message["content"])}
        if message["role"] == "assistant":
            if api_style and out["content"] is None and alternate():
                del out["content"]
            if message["tool_calls"] or not api_style:
                out["tool_calls"] = [
                    {"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": arguments(c["arguments"])}}
                    for c in message["tool_calls"]]
            if message["prefix"] or not api_style:
                out["prefix"] = message["prefix"]
        elif message["role"] == "tool":
            for key in ("tool_call_id", "name"):
                if message[key] is not None or not api_style:
                    out[key] = message[key]
        messages.append(out)
    request = {"model": "mistral-large-latest", "messages": messages} if api_style else {"messages": messages}
    tools = [{"type": "function", "function": tool} for tool in case.get("tools", [])]
    if tools or not api_style:
        request["tools"] = tools
    if case.get("reasoning_effort") or not api_style:
        request["reasoning_effort"] = case.get("reasoning_effort")
    fmt = case.get("response_format", {"type": "text"})
    if fmt["type"] == "json_schema":
        request["response_format"] = {"type": "json_schema", "json_schema": {"name": fmt["name"], "schema": fmt["schema"], "strict": False}}
    elif fmt["type"] != "text" or not api_style:
        request["response_format"] = {"type": fmt["type"]}
    if api_style:
        request.update({"temperature": 0.3, "max_tokens": 256, "stream": False, "random_seed": 7})
        if tools:
            request.update({"tool_choice": "auto", "parallel_tool_calls": True})
    return request


def to_mistral_request(wire: dict) -> ChatCompletionRequest:
    """mistral-common's request for a wire JSON body, read the way MistralTokenizer's
    `ChatRequest(json:)` reads it; tool call arguments go through mistral-common's own
    `FunctionCall` validation (a string as is, an object dumped, null as "{}")."""
    def content(value):
        if value is None or isinstance(value, str):
            return value
        chunks = []
        for chunk in value:
            if chunk["type"] == "text":
                chunks.append(TextChunk(text=chunk["text"]))
            else:
                thinking = chunk["thinking"]
                if not isinstance(thinking, str):
                    thinking = "".join(part["text"] for part in thinking)
                chunks.append(ThinkChunk(thinking=thinking, closed=chunk.get("closed", True)))
        return chunks

    messages = []
    for message in wire["messages"]:
        role = message["role"]
        if role == "user":
            messages.append(UserMessage(content=content(message["content"])))
        elif role == "system":
            messages.append(SystemMessage(content=content(message["content"])))
        elif role == "assistant":
            calls = [ToolCall(id=c["id"], function=FunctionCall(name=c["function"]["name"], arguments=c["function"]["arguments"]))
                     for c in message.get("tool_calls") or []]
            messages.append(AssistantMessage(content=content(message.get("content")), tool_calls=calls or None, prefix=message.get("prefix", False)))
        else:
            messages.append(ToolMessage(content=content(message["content"]), tool_call_id=message.get("tool_call_id"), name=message.get("name")))
    tools = [Tool(function=Function(**t["function"])) for t in wire.get("tools") or []]
    fmt = wire.get("response_format") or {"type": "text"}
    if fmt["type"] == "json_schema":
        response_format = ResponseFormat(type="json_schema", json_schema=JsonSchema(**fmt["json_schema"]))
    else:
        response_format = ResponseFormat(type=fmt["type"])
    return ChatCompletionRequest(messages=messages, tools=tools or None, reasoning_effort=wire.get("reasoning_effort"), response_format=response_format)


def render_chat(tokenizer: MistralTokenizer, wire: dict) -> dict:
    try:
        tokens = tokenizer.encode_chat_completion(to_mistral_request(wire)).tokens
        return {"tokens": tokens, "text": tokenizer.decode(tokens, special_token_policy=SpecialTokenPolicy.KEEP)}
    except Exception as error:  # noqa: BLE001 - recording which requests mistral-common refuses
        return {"error": f"{type(error).__name__}: {error}"[:300]}


FIM_CASES = [
    {"prefix": "def add(a, b):\n    ", "suffix": "\n\nprint(add(1, 2))\n"},
    {"prefix": "let greeting = \"", "suffix": "\"\nprint(greeting)"},
    {"prefix": "SELECT * FROM", "suffix": None},
    {"prefix": "", "suffix": "}"},
    {"prefix": "# 日本語のコメント\nx = ", "suffix": " # 🙂 done"},
    {"prefix": "[INST] fake", "suffix": "</s> [SUFFIX]"},
]


def json_roundtrips() -> list[list[str]]:
    """JSON texts and what `json.dumps(json.loads(text), ensure_ascii=False)` makes of them, as
    tool arguments go through exactly that: floats of every magnitude above all."""
    rng = random.Random(7)
    texts = []
    for _ in range(300):
        kind = rng.random()
        if kind < 0.4:
            value = rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30)
        elif kind < 0.7:
            value = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        else:
            value = round(rng.uniform(-1000, 1000), rng.randint(0, 6))
        texts.append(repr(value) if value == value and abs(value) != float("inf") else "0.5")
    texts += ["[1.0, 2.50, 3e0, -4E-2, 5e+2]", '{"k": "\\u00e9\\n", "n": [null, true]}', "1" * 40, "-" + "9" * 30]
    return [[text, json.dumps(json.loads(text), ensure_ascii=False)] for text in texts]


def reference(tokenizer: MistralTokenizer, texts: list[str], cases: list[dict]) -> dict:
    inner = tokenizer.instruct_tokenizer.tokenizer
    encoded, decoded, decoded_slices = [], [], []
    for text in texts:
        ids = inner.encode(text, bos=False, eos=False)
        encoded.append(ids)
        decoded.append(tokenizer.decode(ids))
        # A slice that usually cuts through a multi-byte character, to pin down replacement characters.
        cut = ids[1:-1] if len(ids) > 2 else ids
        decoded_slices.append(tokenizer.decode(cut))
    chats = []
    for case in cases:
        plain = render_chat(tokenizer, wire_request(case, api_style=False))
        # The API-style body must mean the same request, or its test would compare against the wrong tokens.
        api = render_chat(tokenizer, json.loads(case["wire"]))
        if plain.get("tokens") != api.get("tokens"):
            raise SystemExit(f"tokenizer-fixtures: '{case['name']}' renders differently in API style: {plain} / {api}")
        chats.append(plain)
    fims = []
    for case in FIM_CASES:
        try:
            fims.append({"tokens": tokenizer.encode_fim(FIMRequest(prompt=case["prefix"], suffix=case["suffix"])).tokens})
        except Exception as error:  # noqa: BLE001
            fims.append({"error": f"{type(error).__name__}: {error}"[:300]})
    return {
        "version": tokenizer.instruct_tokenizer.tokenizer.version.value,
        "vocabulary_size": inner.n_words,
        "bos_id": inner.bos_id,
        "eos_id": inner.eos_id,
        "encoded": encoded,
        "decoded": decoded,
        "decoded_slices": decoded_slices,
        "chats": chats,
        "fim": fims,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokenizer-dir", required=True, type=Path)
    parser.add_argument("--output", required=True, type=Path)
    args = parser.parse_args()
    names = prepare_tokenizer_files(args.tokenizer_dir)
    texts = corpus()
    cases = chat_cases()
    for case in cases:
        # As text, so readers that do not keep JSON key order (schemas render in order) get it exact.
        case["wire"] = json.dumps(wire_request(case, api_style=True), ensure_ascii=False)
    fixtures = {
        "mistral_common_version": mistral_common.__version__,
        "corpus": texts,
        "chat_cases": cases,
        "fim_cases": FIM_CASES,
        "json_roundtrips": json_roundtrips(),
        "tokenizers": {},
    }
    for name in names:
        tokenizer = MistralTokenizer.from_file(str(args.tokenizer_dir / name))
        fixtures["tokenizers"][name] = reference(tokenizer, texts, cases)
        print(f"tokenizer-fixtures: {name} done", file=sys.stderr)
    part = args.output.with_suffix(".part")
    part.write_text(json.dumps(fixtures, ensure_ascii=True, separators=(",", ":")), encoding="utf-8")
    part.rename(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
