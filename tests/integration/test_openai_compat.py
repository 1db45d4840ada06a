"""The OpenAI-compatible endpoint, driven by the official `openai` client against the
real server: answers, follow-ups, streaming, usage, errors and the API key."""

import httpx
import openai
import pytest

from service.api.app import create_app
from tests.integration.api_server import serve
from tests.integration.datasets import make_data

KIDS = {"k1", "k2", "k3", "k4", "k5", "k6"}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    with serve(create_app(make_data(tmp_path_factory.mktemp("oai")))) as url:
        yield url


@pytest.fixture(scope="module")
def client(base):
    return openai.OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0, timeout=60)


def test_models_lists_the_service(client):
    (model,) = client.models.list().data
    assert model.id == "llm-recs"
    assert model.model_extra["blurbs"]["llm_languages"] == [] and model.model_extra["blurbs"]["llm"] is None


def test_an_answer_is_the_recommendation_with_the_structured_result_alongside(client):
    r = client.chat.completions.create(model="llm-recs", user="new-user", extra_body={"k": 4},
                                       messages=[{"role": "system", "content": "You are helpful."},
                                                 {"role": "user", "content": "an animated film for kids"}])
    text = r.choices[0].message.content
    recs = r.model_extra["recommendations"]
    ids = [i["item_id"] for i in recs["items"]]
    assert len(ids) == 4 and set(ids) <= KIDS
    lines = text.splitlines()
    assert [ln.split(". ", 1)[0] for ln in lines[1:]] == ["1", "2", "3", "4"]
    assert all(i["title"] in text and i["blurb"] in text for i in recs["items"])
    assert r.choices[0].finish_reason == "stop" and r.object == "chat.completion"
    assert r.usage.completion_tokens > 0 and r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    assert recs["understood"]["language"] == "en" and "reranker_version" in recs


def test_a_follow_up_reads_the_previous_answer(client):
    first = client.chat.completions.create(model="llm-recs", messages=[{"role": "user", "content": "sci-fi films"}],
                                           extra_body={"k": 3})
    shown = [i["item_id"] for i in first.model_extra["recommendations"]["items"]]
    second = client.chat.completions.create(model="llm-recs", extra_body={"k": 3}, messages=[
        {"role": "user", "content": "sci-fi films"},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": "more like the second one"}])
    recs = second.model_extra["recommendations"]
    assert recs["understood"]["like"] == [shown[1]]
    assert shown[1] not in [i["item_id"] for i in recs["items"]]


def test_streaming_gives_the_same_text_in_chunks_then_usage(client):
    body = dict(model="llm-recs", user="u3", messages=[{"role": "user", "content": "space adventures"}],
                extra_body={"k": 3})
    whole = client.chat.completions.create(**body).choices[0].message.content
    chunks = list(client.chat.completions.create(stream=True, stream_options={"include_usage": True}, **body))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole
    assert chunks[0].choices[0].delta.role == "assistant"
    items = chunks[0].model_extra["recommendations"]["items"]  # the list comes first
    assert items and len(items) == len(whole.splitlines()) - 1
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_raw_stream_ends_with_done(base):
    with httpx.stream("POST", base + "/v1/chat/completions", timeout=60,
                      json={"messages": [{"role": "user", "content": "robots"}], "stream": True}) as r:
        data = [ln[6:] for ln in r.iter_lines() if ln.startswith("data: ")]
    assert data[-1] == "[DONE]" and len(data) >= 3


def test_errors_have_openais_shape(client, base):
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model="llm-recs", messages=[{"role": "system", "content": "only a system"}])
    assert "user" in e.value.body["message"]
    r = httpx.post(base + "/v1/chat/completions", json={"messages": []}, timeout=30)
    assert r.status_code == 400 and set(r.json()["error"]) == {"message", "type", "param", "code"}
    assert r.json()["error"]["type"] == "invalid_request_error"


def test_the_api_key_is_accepted_as_a_bearer_token(tmp_path):
    settings = make_data(tmp_path).model_copy(update={"api_keys": ["s3cret"]})
    with serve(create_app(settings)) as url:
        ok = openai.OpenAI(base_url=url + "/v1", api_key="s3cret", max_retries=0)
        assert ok.chat.completions.create(model="x", messages=[{"role": "user", "content": "robots"}]).choices
        bad = openai.OpenAI(base_url=url + "/v1", api_key="wrong", max_retries=0)
        with pytest.raises(openai.AuthenticationError):
            bad.chat.completions.create(model="x", messages=[{"role": "user", "content": "robots"}])
        assert httpx.post(url + "/v1/recommendations", json={"user_id": "u1"},
                          headers={"X-API-Key": "s3cret"}).status_code == 200


@pytest.mark.model
def test_with_the_real_model_blurbs_arrive_line_by_line_and_usage_counts_its_tokens(tmp_path):
    from service.settings import LLMSettings

    settings = make_data(tmp_path).model_copy(update={"llm": LLMSettings()})
    settings = settings.model_copy(update={"explain": settings.explain.model_copy(update={"llm_languages": ["en"]})})
    app = create_app(settings)
    with serve(app) as url:
        client = openai.OpenAI(base_url=url + "/v1", api_key="unused", max_retries=0, timeout=300)
        ask = "a funny cartoon for children"
        chunks = list(client.chat.completions.create(
            model="llm-recs", stream=True, stream_options={"include_usage": True}, extra_body={"k": 2},
            messages=[{"role": "user", "content": ask}]))
        pieces = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
        recs = chunks[0].model_extra["recommendations"]
        assert len(pieces) == 1 + len(recs["items"])  # the opening line, then one chunk per item
        assert all(" — " in p for p in pieces[1:])  # each with its (checked) blurb
        backend = app.state.runtime.recommender.backend
        assert chunks[-1].usage.prompt_tokens == backend.count_tokens(ask)
        assert chunks[-1].usage.completion_tokens == backend.count_tokens("".join(pieces))
        (model,) = client.models.list().data
        assert model.model_extra["blurbs"] == {"llm": backend.model_id, "llm_languages": ["en"],
                                               "other_languages": "fact sentences from the history and the catalog"}
