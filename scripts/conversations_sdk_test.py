#!/usr/bin/env python3
"""Checks the gateway's Conversations and Agents API with the official `mistralai` SDK, unchanged.

Usage: conversations_sdk_test.py BASE_URL KEY OTHER_OWNERS_KEY
  BASE_URL          the gateway, e.g. http://127.0.0.1:8080 (with a chat store)
  KEY               a gateway key of one owner
  OTHER_OWNERS_KEY  a key of another owner: it must see none of the first owner's data

The upstream is the emulator (its canned answer to QUESTION). Checks: agents (create, get,
update to a new version, list versions, get a version), conversations (start with an agent and
with a model, append, stream with Mistral's event names, history, messages, list with a
metadata filter, restart that leaves the original as it was, delete), 422s for bad input, and
another owner's 404s, libraries (upload, status, text content, an agent citing a document), and function tools the caller
runs (the call returned, its result appended). Prints one line per check, then "N passed, M failed"; exits 1 when any failed.
"""

import json
import sys

from mistralai.client import Mistral, errors

import peer_checks  # scripts/peer_checks.py

MODEL = "mistral-small-latest"
QUESTION = "What is the capital of France?"
ANSWER = "The capital of France is Paris."


def main():
    base_url, key, other_key = sys.argv[1:4]
    client = Mistral(api_key=key, server_url=base_url)
    other = Mistral(api_key=other_key, server_url=base_url)
    state = {}

    def agents():
        agent = client.beta.agents.create(model=MODEL, name="Support", instructions="Answer briefly.", completion_args={"temperature": 0.2})
        assert agent.id.startswith("ag_") and agent.version == 0 and agent.versions == [0], agent
        assert agent.name == "Support" and agent.instructions == "Answer briefly.", agent
        updated = client.beta.agents.update(agent_id=agent.id, instructions="Answer in one sentence.")
        assert updated.version == 1 and updated.versions == [0, 1], updated
        assert updated.instructions == "Answer in one sentence." and updated.name == "Support", updated
        assert client.beta.agents.get(agent_id=agent.id).version == 1
        first = client.beta.agents.get(agent_id=agent.id, agent_version=0)
        assert first.version == 0 and first.instructions == "Answer briefly.", first
        versions = client.beta.agents.list_versions(agent_id=agent.id)
        assert sorted(v.version for v in versions) == [0, 1], versions
        assert any(a.id == agent.id for a in client.beta.agents.list())
        # Switching the active version, and aliases.
        switched = client.beta.agents.update_version(agent_id=agent.id, version=0)
        assert switched.version == 0 and switched.instructions == "Answer briefly.", switched
        assert client.beta.agents.get(agent_id=agent.id).version == 0
        alias = client.beta.agents.create_version_alias(agent_id=agent.id, alias="production", version=1)
        assert alias.alias == "production" and alias.version == 1, alias
        assert [a.alias for a in client.beta.agents.list_version_aliases(agent_id=agent.id)] == ["production"]
        assert client.beta.agents.get(agent_id=agent.id, agent_version="production").version == 1
        started = client.beta.conversations.start(agent_id=agent.id, agent_version="production", inputs=QUESTION)
        assert client.beta.conversations.get(conversation_id=started.conversation_id).agent_version == 1
        client.beta.agents.update_version(agent_id=agent.id, version=1)
        state["agent"] = agent.id

    def start_append_history():
        response = client.beta.conversations.start(agent_id=state["agent"], inputs=QUESTION, metadata={"ticket": "T-1"})
        assert response.conversation_id.startswith("conv_"), response
        assert response.outputs[0].type == "message.output" and response.outputs[0].content == ANSWER, response.outputs
        assert response.usage.total_tokens == response.usage.prompt_tokens + response.usage.completion_tokens > 0, response.usage
        conversation_id = response.conversation_id
        again = client.beta.conversations.append(conversation_id=conversation_id, inputs=QUESTION)
        assert again.conversation_id == conversation_id and again.outputs[0].content == ANSWER, again
        history = client.beta.conversations.get_history(conversation_id=conversation_id)
        assert [e.type for e in history.entries] == ["message.input", "message.output"] * 2, history.entries
        messages = client.beta.conversations.get_messages(conversation_id=conversation_id)
        assert [m.type for m in messages.messages] == ["message.input", "message.output"] * 2, messages
        got = client.beta.conversations.get(conversation_id=conversation_id)
        assert got.id == conversation_id and got.agent_id == state["agent"] and got.agent_version == 1, got
        state["conversation"] = conversation_id
        state["first_output"] = history.entries[1].id

    def stream():
        events = list(client.beta.conversations.start_stream(model=MODEL, inputs=QUESTION, instructions="Be brief."))
        names = [e.event for e in events]
        assert names[0] == "conversation.response.started" and names[-1] == "conversation.response.done", names
        deltas = [e.data for e in events if e.event == "message.output.delta"]
        assert "".join(d.content for d in deltas) == ANSWER, deltas
        assert len({d.id for d in deltas}) == 1, deltas
        conversation_id = events[0].data.conversation_id
        history = client.beta.conversations.get_history(conversation_id=conversation_id)
        assert history.entries[-1].id == deltas[0].id and history.entries[-1].content == ANSWER, history.entries
        got = client.beta.conversations.get(conversation_id=conversation_id)
        assert got.model == MODEL and got.instructions == "Be brief.", got
        appended = list(client.beta.conversations.append_stream(conversation_id=conversation_id, inputs=QUESTION))
        assert appended[0].data.conversation_id == conversation_id and appended[-1].event == "conversation.response.done"

    def list_with_metadata():
        tagged = client.beta.conversations.list(metadata={"ticket": "T-1"})
        assert [c.id for c in tagged] == [state["conversation"]], tagged
        everything = client.beta.conversations.list()
        assert len(everything) >= 2, everything

    def restart_branches():
        response = client.beta.conversations.restart(
            conversation_id=state["conversation"], from_entry_id=state["first_output"], inputs=QUESTION)
        assert response.conversation_id != state["conversation"], response
        branch = client.beta.conversations.get_history(conversation_id=response.conversation_id)
        assert [e.type for e in branch.entries] == ["message.input", "message.output"] * 2, branch.entries
        original = client.beta.conversations.get_history(conversation_id=state["conversation"])
        assert len(original.entries) == 4, original.entries
        client.beta.conversations.delete(conversation_id=response.conversation_id)
        try:
            client.beta.conversations.get(conversation_id=response.conversation_id)
            raise AssertionError("a deleted conversation was found")
        except errors.SDKError as error:
            assert error.status_code == 404, error

    def bad_input_is_422():
        for call in (
            lambda: client.beta.conversations.start(model=MODEL, inputs=""),
            lambda: client.beta.conversations.start(inputs=QUESTION),
            lambda: client.beta.agents.create(model=MODEL, name="x", completion_args={"temperature": 9}),
        ):
            try:
                call()
                raise AssertionError("accepted")
            except errors.HTTPValidationError:
                pass
        try:
            client.beta.conversations.start(agent_id="ag_unknown", inputs=QUESTION)
            raise AssertionError("an unknown agent was accepted")
        except errors.SDKError as error:
            assert error.status_code == 404, error

    def libraries():
        library = client.beta.libraries.create(name="FAQ", description="Help centre")
        assert library.name == "FAQ" and library.nb_documents == 0, library
        document = client.beta.libraries.documents.upload(
            library_id=library.id,
            file={"file_name": "shipping.md", "content": b"# Shipping\nStandard delivery takes 3 to 5 business days. Express delivery arrives the next day."})
        assert document.name == "shipping.md" and document.extension == "md" and document.process_status == "done", document
        status = client.beta.libraries.documents.status(library_id=library.id, document_id=document.id)
        assert status.processing_status == "Completed", status
        text = client.beta.libraries.documents.text_content(library_id=library.id, document_id=document.id)
        assert "Standard delivery" in text.text, text
        renamed = client.beta.libraries.update(library_id=library.id, name="Acme FAQ", description="All articles")
        assert renamed.name == "Acme FAQ" and renamed.description == "All articles", renamed
        moved = client.beta.libraries.documents.update(library_id=library.id, document_id=document.id, name="delivery.md")
        assert moved.name == "delivery.md" and moved.id == document.id, moved
        listed = client.beta.libraries.documents.list(library_id=library.id)
        assert [d.id for d in listed.data] == [document.id] and listed.pagination.total_items == 1, listed
        assert any(l.id == library.id for l in client.beta.libraries.list().data)
        assert client.beta.libraries.get(library_id=library.id).nb_documents == 1
        agent = client.beta.agents.create(
            model=MODEL, name="Librarian", tools=[{"type": "document_library", "library_ids": [library.id]}])
        assert agent.tools[0].library_ids == [library.id], agent.tools
        answer = client.beta.conversations.start(agent_id=agent.id, inputs="What are the delivery options?")
        chunks = answer.outputs[0].content
        assert any(getattr(c, "type", None) == "tool_reference" and c.title == "delivery.md" for c in chunks), chunks
        events = list(client.beta.conversations.start_stream(agent_id=agent.id, inputs="How fast is express delivery?"))
        streamed = [e.data.content for e in events if e.event == "message.output.delta"]
        assert any(getattr(c, "type", None) == "tool_reference" for c in streamed), streamed
        client.beta.libraries.documents.reprocess(library_id=library.id, document_id=document.id)
        client.beta.libraries.documents.delete(library_id=library.id, document_id=document.id)
        assert client.beta.libraries.documents.list(library_id=library.id).data == []
        deleted = client.beta.libraries.delete(library_id=library.id)
        assert deleted.id == library.id, deleted
        state["library_gone"] = library.id

    def functions():
        tool = {"type": "function", "function": {
            "name": "order_status", "description": "The status of one of the customer's orders",
            "parameters": {"type": "object", "properties": {"order_id": {"type": "string", "enum": ["4412", "4413"]}}, "required": ["order_id"]}}}
        response = client.beta.conversations.start(model=MODEL, inputs="What is the order status of my order 4412?", tools=[tool])
        call = response.outputs[0]
        assert call.type == "function.call" and call.name == "order_status", response.outputs
        assert json.loads(call.arguments) == {"order_id": "4412"}, call.arguments
        got = client.beta.conversations.get(conversation_id=response.conversation_id)
        assert got.tools[0].function.name == "order_status", got.tools
        answer = client.beta.conversations.append(
            conversation_id=response.conversation_id,
            inputs=[{"type": "function.result", "tool_call_id": call.tool_call_id, "result": "Order 4412: shipped on Monday."}])
        assert answer.outputs[0].type == "message.output" and "shipped on Monday" in answer.outputs[0].content, answer.outputs
        history = client.beta.conversations.get_history(conversation_id=response.conversation_id)
        assert [e.type for e in history.entries] == ["message.input", "message.output", "function.call", "function.result"], history.entries
        # Streamed: the call arrives as a function.call.delta, the answer after the result as deltas.
        events = list(client.beta.conversations.start_stream(model=MODEL, inputs="And the order status of 4413?", tools=[tool]))
        calls = [e.data for e in events if e.event == "function.call.delta"]
        assert len(calls) == 1 and calls[0].name == "order_status", [e.event for e in events]
        after = list(client.beta.conversations.append_stream(
            conversation_id=events[0].data.conversation_id,
            inputs=[{"type": "function.result", "tool_call_id": calls[0].tool_call_id, "result": "Order 4413: preparing."}]))
        assert "preparing" in "".join(e.data.content for e in after if e.event == "message.output.delta"), [e.event for e in after]
        # A result for a call nobody made is refused, and stores nothing.
        try:
            client.beta.conversations.append(
                conversation_id=response.conversation_id, inputs=[{"type": "function.result", "tool_call_id": "nope", "result": "x"}])
            raise AssertionError("a result without a waiting call was accepted")
        except errors.HTTPValidationError:
            pass

    def another_owner_sees_nothing():
        for call in (
            lambda: other.beta.conversations.get(conversation_id=state["conversation"]),
            lambda: other.beta.conversations.get_history(conversation_id=state["conversation"]),
            lambda: other.beta.conversations.append(conversation_id=state["conversation"], inputs=QUESTION),
            lambda: other.beta.agents.get(agent_id=state["agent"]),
            lambda: other.beta.conversations.start(agent_id=state["agent"], inputs=QUESTION),
        ):
            try:
                call()
                raise AssertionError("another owner reached it")
            except errors.SDKError as error:
                assert error.status_code == 404, error
        assert other.beta.conversations.list() == [] and other.beta.agents.list() == []

    return peer_checks.run([
        ("agents: create, update (a version), get a version, list versions, switch versions, aliases", agents),
        ("conversations: start with an agent, append, history, messages, get", start_append_history),
        ("conversations: streamed start and append with Mistral's events", stream),
        ("conversations: list, filtered by metadata", list_with_metadata),
        ("conversations: restart branches, the original stays; delete", restart_branches),
        ("bad input: 422 with detail; unknown agent: 404", bad_input_is_422),
        ("libraries: create, update, upload, rename, status, text, list, an agent citing it (JSON and stream), delete", libraries),
        ("function tools: the call returned to the caller, its result appended, the answer (JSON and stream)", functions),
        ("another owner: 404 for everything, empty lists", another_owner_sees_nothing),
    ])


if __name__ == "__main__":
    sys.exit(main())
