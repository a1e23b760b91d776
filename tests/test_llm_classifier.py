"""The llm classifier against a local server that speaks the chat-completions protocol.

The server runs in a thread on 127.0.0.1 (ephemeral port); each test scripts its
replies (status, body, headers, delay) per request number. Nothing reaches the
network. 429 and 5xx replies carry ``retry-after-ms: 1`` so the SDK's retries
take milliseconds; the timeout tests pay one real backoff (about 0.4-0.5 s).
"""

from __future__ import annotations

import json
import logging
import pickle
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from stance_data import params_with

from pipeline.classifiers import make_classifier
from pipeline.classifiers.llm import LLMStance
from pipeline.classifiers.llm_endpoint import InvalidReply, LLMError
from pipeline.classifiers.llm_prompt import parse_answer, unit_prompts
from pipeline.paths import LABELS
from pipeline.validation import ConfigError

KEY_ENV = "LLM_TEST_API_KEY"
SECRET = "sk-test-SECRET-7f3a9c"
GUIDE = "# Stance annotation guide (test)\nRule G1: aid to a target is favor.\n"
FAST_RETRY = {"retry-after-ms": "1"}


@dataclass
class Reply:
    status: int = 200
    body: dict | str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def completion(content: str, prompt_tokens: int = 100, completion_tokens: int = 10) -> dict:
    return {
        "id": "c1",
        "object": "chat.completion",
        "created": 0,
        "model": "served-test-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def answer(label: str = "against", basis: str = "text", rationale: str = "Calls it aggression.") -> str:
    return json.dumps({"label": label, "basis": basis, "rationale": rationale})


def ok(content: str | None = None) -> Reply:
    return Reply(body=completion(content if content is not None else answer()))


class FakeEndpoint:
    """Records every request; answers with ``script(request_number, body)``."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: Callable[[int, dict], Reply] = lambda n, body: ok()
        self.lock = threading.Lock()
        self.inflight = 0
        self.max_inflight = 0

    @property
    def bodies(self) -> list[dict]:
        return [r["body"] for r in self.requests]

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
        with self.lock:
            n = len(self.requests)
            self.requests.append(
                {"path": handler.path, "headers": {k.lower(): v for k, v in handler.headers.items()}, "body": body}
            )
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
        try:
            reply = (
                self.script(n, body)
                if handler.path == "/v1/chat/completions"
                else Reply(404, {"error": {"message": "not found", "type": "not_found"}})
            )
            time.sleep(reply.delay)
            payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
            handler.send_response(reply.status)
            handler.send_header("Content-Type", "application/json")
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(payload.encode())))
            handler.end_headers()
            handler.wfile.write(payload.encode())
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)
        finally:
            with self.lock:
                self.inflight -= 1


@pytest.fixture
def endpoint():
    fake = FakeEndpoint()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            fake.handle(self)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "annotation-guide.md").write_text(GUIDE, encoding="utf-8")
    monkeypatch.setenv(KEY_ENV, SECRET)
    return tmp_path


def units(n: int = 3, context: bool = False) -> pd.DataFrame:
    texts = [f"Japan condemned Russia over act {i}." for i in range(n)]
    df = pd.DataFrame(
        {
            "doc_id": "doc-a",
            "sent_id": range(n),
            "target": "russia",
            "sent_key": [f"k{i}" for i in range(n)],
            "text": texts,
            "mention_starts": [[16]] * n,
            "mention_ends": [[22]] * n,
            "aliases": [["Russia"]] * n,
            "alias_kinds": [["state"]] * n,
            "other_targets": [[]] * n,
        }
    )
    if context:
        df["context_before"] = ["The war began in February."] * n
        df["context_after"] = [None] * n
    return df


def classifier(endpoint: FakeEndpoint, project: Path, **settings) -> LLMStance:
    defaults = {
        "base_url": endpoint.url,
        "model": "test-model",
        "api_key_env": KEY_ENV,
        "root": str(project),
        "max_concurrency": 2,
        "max_retries": 2,
        "timeout_s": 2.0,
    }
    return LLMStance(**{**defaults, **settings})


def test_normal_reply_gives_labels_basis_and_one_hot_proba(endpoint, project):
    endpoint.script = lambda n, body: ok(answer(LABELS[n % 3] if n < 3 else "favor", "text", f"reason {n}"))
    clf = classifier(endpoint, project, max_concurrency=1).fit(units(3), ["against", "favor", "neutral"])
    proba = clf.predict_proba(units(3))
    assert proba.shape == (3, 3)
    assert set(map(tuple, proba)) == {(1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)}
    np.testing.assert_array_equal(proba.sum(axis=1), 1.0)
    body = endpoint.bodies[0]
    assert body["model"] == "test-model" and body["temperature"] == 0 and body["max_tokens"] == 300
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["properties"]["label"]["enum"] == list(LABELS)
    system, user = body["messages"]
    assert system["role"] == "system" and GUIDE.strip() in system["content"]
    assert "[[Russia]]" in user["content"] and "Target: Russia" in user["content"]
    assert endpoint.requests[0]["headers"]["authorization"] == f"Bearer {SECRET}"


def test_details_and_context_in_prompt(endpoint, project):
    clf = classifier(endpoint, project)
    details = clf.predict_details(units(2, context=True))
    assert list(details.columns) == ["label", "basis", "rationale", "cached", "prompt_tokens", "completion_tokens"]
    assert details["label"].tolist() == ["against", "against"]
    assert details["rationale"].tolist() == ["Calls it aggression."] * 2
    user = endpoint.bodies[0]["messages"][1]["content"]
    assert "Sentence before: The war began in February." in user
    assert "Sentence after" not in user  # None means no context, not the string 'None'


def test_malformed_json_is_reasked_with_the_reason_then_accepted(endpoint, project):
    endpoint.script = lambda n, body: ok('{"label": "against", "basis": ') if n == 0 else ok()
    details = classifier(endpoint, project).predict_details(units(1))
    assert details["label"].tolist() == ["against"]
    repair = endpoint.bodies[1]["messages"]
    assert [m["role"] for m in repair] == ["system", "user", "assistant", "user"]
    assert "not valid JSON" in repair[-1]["content"]
    assert details["prompt_tokens"].tolist() == [200]  # both requests counted


def test_malformed_json_forever_is_refused_naming_the_unit(endpoint, project):
    endpoint.script = lambda n, body: ok("I think it is against.")
    clf = classifier(endpoint, project, max_retries=1)
    with pytest.raises(
        LLMError,
        match=r"1 of 1 units got no valid answer after 1 retries; first: doc-a "
        r"sentence 0 target russia: the reply is not valid JSON",
    ) as err:
        clf.predict_proba(units(1))
    assert "\n" not in str(err.value)
    assert len(endpoint.requests) == 2
    assert not list((project / ".cache" / "llm").rglob("*.json"))  # nothing invalid is cached


def test_label_outside_the_three_is_refused(endpoint, project):
    endpoint.script = lambda n, body: ok(answer(label="positive"))
    with pytest.raises(LLMError, match="label 'positive' is not one of against, favor, neutral"):
        classifier(endpoint, project, max_retries=0).predict_proba(units(1))


def test_other_units_are_cached_when_one_stays_invalid(endpoint, project):
    endpoint.script = lambda n, body: ok(answer("maybe") if "act 1" in body["messages"][1]["content"] else answer())
    with pytest.raises(LLMError, match="1 of 3 units"):
        classifier(endpoint, project, max_retries=0).predict_proba(units(3))
    assert len(list((project / ".cache" / "llm").rglob("*.json"))) == 2


@pytest.mark.parametrize("status", [429, 500, 503])
def test_retryable_status_then_success(endpoint, project, status):
    endpoint.script = lambda n, body: Reply(status, {"error": {"message": "busy"}}, FAST_RETRY) if n < 2 else ok()
    details = classifier(endpoint, project, max_retries=2).predict_details(units(1))
    assert details["label"].tolist() == ["against"]
    assert len(endpoint.requests) == 3


def test_429_forever_is_a_clear_error(endpoint, project):
    endpoint.script = lambda n, body: Reply(429, {"error": {"message": "slow down"}}, FAST_RETRY)
    with pytest.raises(
        LLMError,
        match=r"still rate-limited \(HTTP 429\) after 2 retries; lower "
        r"classifiers.llm.max_concurrency",
    ):
        classifier(endpoint, project, max_retries=2).predict_proba(units(1))
    assert len(endpoint.requests) == 3


def test_5xx_forever_is_a_clear_error(endpoint, project):
    endpoint.script = lambda n, body: Reply(502, {"error": {"message": "upstream down"}}, FAST_RETRY)
    with pytest.raises(LLMError, match=r"HTTP 502 after 1 retries \(.*upstream down"):
        classifier(endpoint, project, max_retries=1).predict_proba(units(1))


def test_timeout_is_retried_then_a_clear_error(endpoint, project):
    endpoint.script = lambda n, body: Reply(body=completion(answer()), delay=1.0)
    start = time.monotonic()
    with pytest.raises(LLMError, match=r"no reply within timeout_s=0.2 s after 1 retries; raise classifiers.llm"):
        classifier(endpoint, project, max_retries=1, timeout_s=0.2).predict_proba(units(1))
    assert len(endpoint.requests) == 2
    assert time.monotonic() - start < 1.5


def test_timeout_then_success(endpoint, project):
    endpoint.script = lambda n, body: Reply(body=completion(answer("favor")), delay=1.0 if n == 0 else 0.0)
    details = classifier(endpoint, project, max_retries=1, timeout_s=0.2).predict_details(units(1))
    assert details["label"].tolist() == ["favor"]


@pytest.mark.parametrize("status", [401, 403])
def test_bad_key_names_the_variable_never_the_key(endpoint, project, status):
    endpoint.script = lambda n, body: Reply(status, {"error": {"message": f"Incorrect API key provided: {SECRET}"}})
    with pytest.raises(LLMError) as err:
        classifier(endpoint, project, max_concurrency=1).predict_proba(units(4))
    message = str(err.value)
    assert f"refused the API key in environment variable {KEY_ENV} (HTTP {status})" in message
    assert SECRET not in message and err.value.__cause__ is None and err.value.__suppress_context__
    assert len(endpoint.requests) == 1  # no retry on 4xx, and the other units are not asked


def test_missing_key_variable_is_a_clear_error_before_any_request(endpoint, project, monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(LLMError, match=f"environment variable {KEY_ENV} .* is not set"):
        classifier(endpoint, project).predict_proba(units(1))
    assert endpoint.requests == []


def llm_params(params, project: Path, **settings):
    """The project's params with ``classifiers.llm`` replaced by ``settings``, rooted at ``project``."""
    return params_with(params, root=project, **{"classifiers.llm": settings})


def test_key_itself_in_params_is_refused_without_echoing_it(params, project):
    settings = {"base_url": "http://127.0.0.1:1/v1", "model": "m", "api_key_env": SECRET}
    with pytest.raises(ConfigError, match="must be the NAME of an environment variable") as err:
        make_classifier("llm", llm_params(params, project, **settings))
    assert SECRET not in str(err.value)


def test_wrong_path_is_a_clear_404(endpoint, project):
    clf = classifier(endpoint, project, base_url=endpoint.url.removesuffix("/v1"))
    with pytest.raises(LLMError, match=r"HTTP 404 for model 'test-model' .*check classifiers.llm.base_url"):
        clf.predict_proba(units(1))


def test_connection_refused_is_a_clear_error(project):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    clf = LLMStance(base_url=f"http://127.0.0.1:{port}/v1", model="m", root=str(project), max_retries=0)
    with pytest.raises(LLMError, match=rf"llm endpoint http://127.0.0.1:{port}/v1: cannot connect .*server running"):
        clf.predict_proba(units(1))


def test_rerun_is_served_from_the_cache_without_requests(endpoint, project, monkeypatch):
    first = classifier(endpoint, project)
    first_details = first.predict_details(units(3))
    assert len(endpoint.requests) == 3 and not first_details["cached"].any()
    monkeypatch.delenv(KEY_ENV)  # a fully cached run needs neither key nor server
    again = classifier(endpoint, project, base_url="http://127.0.0.1:9/v1", timeout_s=30.0, max_retries=5)
    details = again.predict_details(units(3))
    assert len(endpoint.requests) == 3
    assert details["cached"].all() and details["label"].tolist() == first_details["label"].tolist()
    assert again.usage_ == {"units": 3, "cached": 3, "requests": 0, "prompt_tokens": 0, "completion_tokens": 0}


def test_guide_model_or_max_tokens_change_misses_the_cache(endpoint, project):
    classifier(endpoint, project).predict_proba(units(1))
    (project / "docs" / "annotation-guide.md").write_text(GUIDE + "Rule G2: new.\n", encoding="utf-8")
    classifier(endpoint, project).predict_proba(units(1))
    classifier(endpoint, project, model="other-model").predict_proba(units(1))
    classifier(endpoint, project, max_tokens=50).predict_proba(units(1))
    assert len(endpoint.requests) == 4


def test_identical_prompts_are_asked_once(endpoint, project):
    twice = pd.concat([units(1), units(1)], ignore_index=True)
    details = classifier(endpoint, project).predict_details(twice)
    assert len(endpoint.requests) == 1
    assert details["cached"].tolist() == [False, True]


def test_concurrency_bound_is_respected(endpoint, project):
    endpoint.script = lambda n, body: Reply(body=completion(answer()), delay=0.1)
    classifier(endpoint, project, max_concurrency=3).predict_proba(units(9))
    assert len(endpoint.requests) == 9
    assert endpoint.max_inflight == 3


def test_tokens_are_counted_per_unit_and_run(endpoint, project, caplog):
    endpoint.script = lambda n, body: Reply(body=completion(answer(), prompt_tokens=1000 + n, completion_tokens=20))
    clf = classifier(endpoint, project, max_concurrency=1)
    with caplog.at_level(logging.INFO, logger="pipeline.classifiers.llm"):
        details = clf.predict_details(units(3))
    assert sorted(details["prompt_tokens"]) == [1000, 1001, 1002]
    assert clf.usage_ == {"units": 3, "cached": 0, "requests": 3, "prompt_tokens": 3003, "completion_tokens": 60}
    assert "prompt_tokens 3003, completion_tokens 60" in caplog.text


def test_key_is_never_written_to_cache_logs_or_pickle(endpoint, project, caplog):
    with caplog.at_level(logging.DEBUG):
        clf = classifier(endpoint, project).fit(units(2))
        clf.predict_proba(units(2))
    assert endpoint.requests[0]["headers"]["authorization"] == f"Bearer {SECRET}"  # it was used
    files = list((project / ".cache" / "llm").rglob("*"))
    assert any(f.suffix == ".json" for f in files)
    assert all(SECRET not in f.read_text(encoding="utf-8") for f in files if f.is_file())
    assert {"openai._base_client", "httpx2"} <= {r.name for r in caplog.records}  # the SDK's debug logs too
    assert SECRET not in caplog.text
    assert SECRET.encode() not in pickle.dumps(clf)


def test_no_units_need_no_server(project):
    clf = LLMStance(base_url="http://127.0.0.1:9/v1", model="m", api_key_env="UNSET_VARIABLE", root=str(project))
    assert clf.predict_proba(units(0)).shape == (0, 3)


def test_neutral_with_context_basis_is_coerced_to_text(endpoint, project):
    endpoint.script = lambda n, body: ok(answer("neutral", "context"))
    assert classifier(endpoint, project).predict_details(units(1))["basis"].tolist() == ["text"]


@pytest.mark.parametrize("mode, expected", [("json_object", {"type": "json_object"}), ("none", None)])
def test_response_format_modes(endpoint, project, mode, expected):
    classifier(endpoint, project, response_format=mode).predict_proba(units(1))
    assert endpoint.bodies[0].get("response_format") == expected


def test_rejected_response_format_suggests_another_mode(endpoint, project):
    endpoint.script = lambda n, body: Reply(400, {"error": {"message": "response_format not supported"}})
    with pytest.raises(LLMError, match="set classifiers.llm.response_format to json_object or none"):
        classifier(endpoint, project).predict_proba(units(1))


def test_fit_records_only_the_classes_and_checks_settings(project):
    clf = LLMStance(base_url="http://127.0.0.1:9/v1", model="m", root=str(project)).fit(units(1), ["favor"])
    assert list(clf.classes_) == list(LABELS)
    assert clone(clf).get_params() == clf.get_params()
    with pytest.raises(ConfigError, match="classifiers.llm.model is not set"):
        LLMStance(base_url="http://127.0.0.1:9/v1", root=str(project)).fit(units(1))
    with pytest.raises(ConfigError, match="classifiers.llm.guide 'missing.md'"):
        LLMStance(base_url="http://127.0.0.1:9/v1", model="m", guide="missing.md", root=str(project)).fit(units(1))
    with pytest.raises(ValueError, match="unknown stance label"):
        clf.fit(units(1), ["pro"])


def test_registered_llm_binds_its_typed_params_section(params, project):
    settings = {"base_url": "http://localhost:8000/v1", "model": "qwen", "api_key_env": None, "max_concurrency": 8}
    clf = make_classifier("llm", llm_params(params, project, **settings))
    assert isinstance(clf, LLMStance) and clf.max_concurrency == 8 and clf.root == str(project)
    with pytest.raises(ConfigError, match="classifiers.llm.max_concurrency"):
        make_classifier("llm", llm_params(params, project, **{**settings, "max_concurrency": 0}))
    with pytest.raises(ConfigError, match="classifiers.llm.response_format"):
        make_classifier("llm", llm_params(params, project, **{**settings, "response_format": "yaml"}))
    with pytest.raises(ConfigError, match="classifiers.llm.model is not set"):
        make_classifier("llm", llm_params(params, project, **{**settings, "model": None}))


@pytest.mark.parametrize(
    "content, expected",
    [
        (
            answer("favor", "context", "Praises aid."),
            {"label": "favor", "basis": "context", "rationale": "Praises aid."},
        ),
        (
            "```json\n" + answer(" Against ", "TEXT") + "\n```",
            {"label": "against", "basis": "text", "rationale": "Calls it aggression."},
        ),
        (
            "<think>Hmm.</think>\n" + answer("neutral"),
            {"label": "neutral", "basis": "text", "rationale": "Calls it aggression."},
        ),
        (
            answer(rationale=" ".join(["w"] * 40)),
            {"label": "against", "basis": "text", "rationale": " ".join(["w"] * 30)},
        ),
    ],
)
def test_parse_answer_accepts_and_normalises(content, expected):
    assert parse_answer(content) == expected


@pytest.mark.parametrize(
    "content, reason",
    [
        ("", "empty"),
        ("[1, 2]", "not an object"),
        ('{"label": "favor"}', "basis None"),
        (answer(basis="sentence"), "basis 'sentence'"),
        ('{"label": 1, "basis": "text", "rationale": ""}', "label 1"),
        ('{"label": "favor", "basis": "text", "rationale": 5}', "rationale must be a string"),
    ],
)
def test_parse_answer_refuses(content, reason):
    with pytest.raises(InvalidReply, match=reason):
        parse_answer(content)


def test_prompt_marks_every_mention_and_names_the_other_target():
    df = units(1)
    df.loc[0, "text"] = "Russia and the Kremlin attacked Ukraine."
    df.at[0, "mention_starts"], df.at[0, "mention_ends"] = [0, 15], [6, 22]
    df.at[0, "other_targets"] = ["ukraine"]
    user = unit_prompts(df, "SYSTEM")[0][1]["content"]
    assert "SENTENCE: [[Russia]] and the [[Kremlin]] attacked Ukraine." in user
    assert "also mentions Ukraine; judge only the stance toward Russia" in user
