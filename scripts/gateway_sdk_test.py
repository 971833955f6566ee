#!/usr/bin/env python3
"""Checks the gateway (`mistral serve`) with both official Python SDKs, unchanged.

Usage: gateway_sdk_test.py BASE_URL KEY REVOKED_KEY ONE_AT_A_TIME_KEY
  BASE_URL           the gateway, e.g. http://127.0.0.1:8080
  KEY                a gateway key without limits
  REVOKED_KEY        a revoked gateway key
  ONE_AT_A_TIME_KEY  a key allowed one request in flight (max_concurrent 1)

The upstream is the emulator (its canned answers). `sdk_peer_test.py BASE_URL KEY` covers the
`mistralai` SDK's chat, stream, tools, embeddings, models, OCR, 422 and 401; this script adds
what is the gateway's own: the `openai` SDK's dialect (max_completion_tokens, seed,
stream_options, user), its embeddings (base64 by default), FIM and moderations through
`mistralai`, a revoked key, and a gateway 429 whose Retry-After the `openai` SDK honours.
Prints one line per check, then "N passed, M failed"; exits 1 when any check failed.
"""

import sys
import threading
import time

import openai
from mistralai.client import Mistral, errors

import peer_checks  # scripts/peer_checks.py: runs the checks and reports them

CHAT_MODEL = "mistral-small-latest"
QUESTION = "What is the capital of France?"
ANSWER = "The capital of France is Paris."


def check_openai_chat(base_url, key):
    client = openai.OpenAI(base_url=base_url + "/v1", api_key=key, max_retries=0)
    response = client.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": QUESTION}], max_completion_tokens=50, seed=7, user="customer-42"
    )
    assert response.choices[0].message.content == ANSWER, response.choices[0].message.content
    assert response.choices[0].finish_reason == "stop", response.choices[0].finish_reason
    assert response.usage.total_tokens == response.usage.prompt_tokens + response.usage.completion_tokens, response.usage


def check_openai_stream(base_url, key):
    client = openai.OpenAI(base_url=base_url + "/v1", api_key=key, max_retries=0)
    stream = client.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": QUESTION}], stream=True, stream_options={"include_usage": True}
    )
    text = []
    usage = None
    finish = None
    for chunk in stream:
        for choice in chunk.choices:
            if choice.delta.content:
                text.append(choice.delta.content)
            finish = choice.finish_reason or finish
        usage = chunk.usage or usage
    assert "".join(text) == ANSWER, "".join(text)
    assert finish == "stop", finish
    assert usage is not None and usage.completion_tokens > 0, usage


def check_openai_embeddings(base_url, key):
    client = openai.OpenAI(base_url=base_url + "/v1", api_key=key, max_retries=0)
    # The openai SDK asks for base64 unless told otherwise, and decodes it itself.
    response = client.embeddings.create(model="mistral-embed", input=["Where is my order?", "Returns"])
    assert len(response.data) == 2, response.data
    assert len(response.data[0].embedding) == 1024, len(response.data[0].embedding)


def check_openai_models(base_url, key):
    client = openai.OpenAI(base_url=base_url + "/v1", api_key=key, max_retries=0)
    ids = {model.id for model in client.models.list()}
    assert "mistral-small-2603" in ids, sorted(ids)


def check_openai_revoked(base_url, revoked):
    client = openai.OpenAI(base_url=base_url + "/v1", api_key=revoked, max_retries=0)
    try:
        client.chat.completions.create(model=CHAT_MODEL, messages=[{"role": "user", "content": "Hi"}])
    except openai.AuthenticationError as error:
        assert error.status_code == 401, error.status_code
        assert "revoked" in str(error), str(error)
        return
    raise AssertionError("a revoked key was accepted")


def check_openai_honours_retry_after(base_url, limited):
    """A stream holds the key's one slot; a second call gets 429 + Retry-After, waits, and succeeds."""
    holder = openai.OpenAI(base_url=base_url + "/v1", api_key=limited, max_retries=0)
    opened = threading.Event()
    done = threading.Event()

    def hold():
        stream = holder.chat.completions.create(
            model=CHAT_MODEL, messages=[{"role": "user", "content": "Tell me a long story about the sea."}], stream=True
        )
        for _ in stream:
            opened.set()
        done.set()

    thread = threading.Thread(target=hold)
    thread.start()
    assert opened.wait(10), "the holding stream never started"
    retrying = openai.OpenAI(base_url=base_url + "/v1", api_key=limited, max_retries=3)
    started = time.monotonic()
    raw = retrying.chat.completions.with_raw_response.create(model=CHAT_MODEL, messages=[{"role": "user", "content": QUESTION}])
    waited = time.monotonic() - started
    thread.join(30)
    assert raw.parse().choices[0].message.content == ANSWER
    assert raw.retries_taken >= 1, raw.retries_taken
    assert waited >= 0.9, f"answered after {waited:.2f} s: Retry-After (1 s) was not honoured"


def check_mistral_fim_and_moderation(base_url, key):
    client = Mistral(api_key=key, server_url=base_url)
    fim = client.fim.complete(model="codestral-latest", prompt="def add(a, b):\n    return", suffix="\n", max_tokens=20)
    assert fim.choices[0].finish_reason in ("stop", "length"), fim.choices[0].finish_reason
    moderation = client.classifiers.moderate(model="mistral-moderation-latest", inputs=["Where is my order?"])
    assert len(moderation.results) == 1, moderation.results


def check_mistral_gateway_refusal(base_url, revoked):
    client = Mistral(api_key=revoked, server_url=base_url)
    try:
        client.chat.complete(model=CHAT_MODEL, messages=[{"role": "user", "content": "Hi"}])
    except errors.MistralError as error:
        assert error.status_code == 401, error.status_code
        assert error.raw_response.headers.get("x-mistralkit-error-source") == "gateway", dict(error.raw_response.headers)
        return
    raise AssertionError("a revoked key was accepted")


def main():
    if len(sys.argv) != 5:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    base_url, key, revoked, limited = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4]
    checks = [
        ("openai chat with its dialect", lambda: check_openai_chat(base_url, key)),
        ("openai stream with stream_options", lambda: check_openai_stream(base_url, key)),
        ("openai embeddings (base64)", lambda: check_openai_embeddings(base_url, key)),
        ("openai models", lambda: check_openai_models(base_url, key)),
        ("openai 401 for a revoked key", lambda: check_openai_revoked(base_url, revoked)),
        ("openai honours a gateway 429's Retry-After", lambda: check_openai_honours_retry_after(base_url, limited)),
        ("mistralai fim and moderations", lambda: check_mistral_fim_and_moderation(base_url, key)),
        ("mistralai sees who refused", lambda: check_mistral_gateway_refusal(base_url, revoked)),
    ]
    return peer_checks.run(checks)


if __name__ == "__main__":
    sys.exit(main())
