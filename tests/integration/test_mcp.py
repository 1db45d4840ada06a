"""The MCP server, driven by the official `mcp` client: over stdio (`python -m service
mcp`, a real subprocess) and over streamable HTTP mounted on the running API."""

import json
import os
import sys

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from service.api.app import create_app
from tests.integration.api_server import serve
from tests.integration.datasets import make_data

TOOLS = {"recommend", "chat", "similar_items", "record_events", "describe_item"}


def structured(result) -> dict:
    assert not result.is_error, result.content
    return result.structured_content or json.loads(result.content[0].text)


async def exercise(client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert TOOLS <= set(tools)
    assert "user_id" in json.dumps(tools["recommend"].input_schema)  # the API's own schema

    recs = structured(await client.call_tool("recommend", {"request": {"user_id": "u1", "k": 2}}))
    assert [i["item_id"][0] for i in recs["items"]] == ["s", "s"]  # u1 watches sci-fi

    said = structured(await client.call_tool("chat", {"request": {
        "messages": [{"role": "user", "content": "an animated film for kids"}], "k": 2}}))
    assert said["reply"] and {i["item_id"][0] for i in said["items"]} == {"k"}
    assert said["recommendation_id"] and recs["recommendation_id"] and recs["page"] == 1

    near = structured(await client.call_tool("similar_items", {"item_id": "s3", "k": 2}))
    assert near["item_id"] == "s3" and len(near["items"]) == 2

    item = structured(await client.call_tool("describe_item", {"item_id": "k1"}))
    assert item["title"] == "Happy Puppy"

    added = structured(await client.call_tool("record_events", {"request": {"events": [
        {"user_id": "mcp-user", "item_id": "s1"}, {"user_id": "mcp-user", "item_id": "s2"}]}}))
    assert added["accepted"] == 2
    after = structured(await client.call_tool("recommend", {"request": {"user_id": "mcp-user", "k": 2}}))
    assert not {"s1", "s2"} & {i["item_id"] for i in after["items"]}  # seen at once

    # bad arguments and unknown items are tool errors, and the server keeps answering
    assert (await client.call_tool("recommend", {"request": {"k": 0}})).is_error
    assert (await client.call_tool("describe_item", {"item_id": "nope"})).is_error
    assert (await client.call_tool("similar_items", {"item_id": "s1", "k": 1000})).is_error
    assert not (await client.call_tool("describe_item", {"item_id": "s1"})).is_error


def test_mcp_over_streamable_http_on_the_api(tmp_path):
    with serve(create_app(make_data(tmp_path))) as url:
        async def main():
            async with Client(url + "/mcp") as client:
                await exercise(client)
        anyio.run(main)


def test_mcp_over_stdio(tmp_path):
    settings = make_data(tmp_path)
    env = {**os.environ, "RECS_DATA_DIR": str(settings.data_dir), "RECS_LLM__BACKEND": "none",
           "RECS_TRAINER__ENABLED": "false"}
    params = StdioServerParameters(command=sys.executable, args=["-m", "service", "mcp"], env=env,
                                   cwd=os.getcwd())

    async def main():
        async with Client(params, read_timeout_seconds=120) as client:
            await exercise(client)
    anyio.run(main)


@pytest.mark.parametrize("headers,ok", [({}, False), ({"X-API-Key": "k1"}, True),
                                        ({"Authorization": "Bearer k1"}, True)])
def test_mcp_http_needs_the_api_key_when_one_is_set(tmp_path, headers, ok):
    import httpx

    settings = make_data(tmp_path).model_copy(update={"api_keys": ["k1"]})
    with serve(create_app(settings)) as url:
        r = httpx.post(url + "/mcp", headers={**headers, "Accept": "application/json, text/event-stream"},
                       json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}})
        assert (r.status_code != 401) == ok, r.text
