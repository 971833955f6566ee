#!/usr/bin/env python3
"""Checks the Mistral emulator against the official `mistralai` Python SDK (3.x).

Usage: sdk_peer_test.py BASE_URL [API_KEY]
  BASE_URL  the emulator, e.g. http://127.0.0.1:8080 (the SDK appends /v1/...)
  API_KEY   defaults to "test-key" (the emulator accepts any non-empty key by default)

Run it with the peers venv (scripts/setup-peers.sh):
  $HOME/.cache/mistralkit/peers/venv/bin/python scripts/sdk_peer_test.py http://127.0.0.1:8080

Every check runs even when an earlier one fails. Prints one line per check, then
"N passed, M failed"; exits 1 when any check failed, 2 on bad usage.
"""

import base64
import json
import math
import os
import sys

from mistralai.client import Mistral, errors

import peer_checks  # scripts/peer_checks.py: runs the checks and reports them

CHAT_MODEL = "mistral-small-latest"
QUESTION = "What is the capital of France?"
ANSWER = "The capital of France is Paris."  # the emulator's canned answer to QUESTION


def check_chat_complete(client):
    response = client.chat.complete(model=CHAT_MODEL, messages=[{"role": "user", "content": QUESTION}])
    assert response.object == "chat.completion", response.object
    assert len(response.id) == 32, response.id
    assert response.choices[0].message.content == ANSWER, response.choices[0].message.content
    assert response.choices[0].finish_reason == "stop", response.choices[0].finish_reason
    usage = response.usage
    assert usage.prompt_tokens == 7, usage  # the emulator counts words and punctuation marks
    assert usage.completion_tokens == 7, usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens, usage


def check_chat_stream(client):
    text = []
    chunks = []
    with client.chat.stream(model=CHAT_MODEL, messages=[{"role": "user", "content": QUESTION}]) as events:
        for event in events:
            chunks.append(event.data)
            delta = event.data.choices[0].delta
            if isinstance(delta.content, str):
                text.append(delta.content)
    assert chunks, "no chunks"
    assert chunks[0].choices[0].delta.role == "assistant", chunks[0]
    assert "".join(text) == ANSWER, "".join(text)
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop", last
    assert last.usage is not None, "usage missing on the last chunk"
    assert last.usage.prompt_tokens == 7 and last.usage.completion_tokens == 7, last.usage
    assert all(chunk.usage is None for chunk in chunks[:-1]), "usage before the last chunk"


def check_tool_call(client):
    tool = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
                "required": ["city", "days"],
            },
        },
    }
    response = client.chat.complete(
        model=CHAT_MODEL, messages=[{"role": "user", "content": "Weather in Paris?"}], tools=[tool], tool_choice="any"
    )
    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls", choice.finish_reason
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather", call
    assert len(call.id) == 9 and call.id.isalnum(), call.id
    arguments = json.loads(call.function.arguments)
    assert isinstance(arguments["city"], str) and isinstance(arguments["days"], int), arguments


def check_embeddings(client):
    texts = ["The cat sat on the warm mat", "A cat sat on a mat", "Quarterly revenue grew by four percent"]
    response = client.embeddings.create(model="mistral-embed", inputs=texts)
    vectors = [item.embedding for item in sorted(response.data, key=lambda item: item.index)]
    assert len(vectors) == 3 and all(len(vector) == 1024 for vector in vectors), [len(v) for v in vectors]

    def cosine(a, b):
        return sum(x * y for x, y in zip(a, b)) / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))

    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]), "similar texts are not closer"
    assert response.usage.prompt_tokens > 0 and response.usage.completion_tokens == 0, response.usage


def sample_pdf(lines):
    """A one-page, uncompressed PDF showing `lines`."""
    stream = "BT /F1 12 Tf 72 720 Td\n" + "".join(f"({line}) Tj 0 -16 Td\n" for line in lines) + "ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    pdf, offsets = "%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(pdf)
    pdf += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    pdf += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return pdf.encode()


def check_ocr(client):
    encoded = base64.b64encode(sample_pdf(["# Returns", "Items can be returned within 30 days."])).decode()
    response = client.ocr.process(
        model="mistral-ocr-latest", document={"type": "document_url", "document_url": f"data:application/pdf;base64,{encoded}"}
    )
    assert len(response.pages) == 1, response.pages
    assert response.pages[0].markdown == "# Returns\nItems can be returned within 30 days.", response.pages[0].markdown
    assert response.usage_info.pages_processed == 1, response.usage_info


def check_models_list(client):
    listed = client.models.list()
    ids = {card.id for card in listed.data}
    aliases = {alias for card in listed.data for alias in (card.aliases or [])}
    assert "mistral-small-latest" in ids | aliases, sorted(ids)
    assert "mistral-embed" in ids | aliases, sorted(ids)
    card = client.models.retrieve(model_id="mistral-small-latest")
    assert card.max_context_length >= 32768, card.max_context_length


def check_validation_error(client):
    try:
        client.chat.complete(model=CHAT_MODEL, messages=[{"role": "user", "content": "Hi"}], temperature=3.0)
    except errors.HTTPValidationError as error:
        assert error.status_code == 422, error.status_code
        detail = error.data.detail or []
        assert any(list(item.loc) == ["body", "temperature"] for item in detail), detail
        return
    raise AssertionError("no HTTPValidationError for temperature=3.0")


def check_unauthorized(base_url):
    # No key at all (the SDK refuses to send an empty one); keep it from reading MISTRAL_API_KEY.
    os.environ.pop("MISTRAL_API_KEY", None)
    client = Mistral(api_key=None, server_url=base_url)
    try:
        client.models.list()
    except errors.MistralError as error:
        assert error.status_code == 401, error.status_code
        return
    raise AssertionError("no 401 without an API key")


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    base_url = sys.argv[1].rstrip("/")
    client = Mistral(api_key=sys.argv[2] if len(sys.argv) == 3 else "test-key", server_url=base_url)
    checks = [
        ("chat.complete", lambda: check_chat_complete(client)),
        ("chat.stream", lambda: check_chat_stream(client)),
        ("chat.complete with tools", lambda: check_tool_call(client)),
        ("embeddings.create", lambda: check_embeddings(client)),
        ("models.list and models.retrieve", lambda: check_models_list(client)),
        ("ocr.process", lambda: check_ocr(client)),
        ("422 HTTPValidationError", lambda: check_validation_error(client)),
        ("401 without a key", lambda: check_unauthorized(base_url)),
    ]
    return peer_checks.run(checks)


if __name__ == "__main__":
    sys.exit(main())
