"""The HTTP side of the ``llm`` classifier: chat completions through the official ``openai`` SDK.

Any server that speaks OpenAI's chat-completions protocol works (vLLM, Ollama,
llama.cpp's server, hosted APIs). The SDK does the protocol, the timeouts and
the retries of one request on 429, 5xx, timeouts and dropped connections
(exponential backoff with jitter from 0.5 s, honouring ``Retry-After``). This
module adds what a research pipeline needs on top: a content-hash cache so a
rerun never asks again, a bounded thread pool, re-asking when a reply fails
validation, token counts, and one-line errors that say what to fix.

Settings, the key and error messages are in
:mod:`pipeline.classifiers.llm_endpoint`. ``openai`` is imported at the first request, not with the module:
importing it takes seconds, and every stage imports every built-in classifier.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from pipeline.classifiers.llm_endpoint import (
    EndpointSettings,
    InvalidReply,
    LLMError,
    Messages,
    Outcome,
    Reply,
    api_key,
    describe,
    one_line,
)
from pipeline.io import write_json

if TYPE_CHECKING:
    import openai


def response_format_param(mode: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The request's ``response_format``: the answer's JSON schema, plain JSON mode, or none."""
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "answer", "strict": True, "schema": schema}}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


def request_body(settings: EndpointSettings, messages: Messages, schema: dict[str, Any]) -> dict[str, Any]:
    """Everything sent that can change the answer (temperature 0: the most likely answer)."""
    body = {"model": settings.model, "messages": messages, "temperature": 0, "max_tokens": settings.max_tokens}
    response_format = response_format_param(settings.response_format, schema)
    if response_format is not None:
        body["response_format"] = response_format
    return body


def cache_key(body: dict[str, Any]) -> str:
    """sha256 of the model name, the full prompt (guide included) and the answer-changing settings.
    Endpoint URL, key, timeouts and retries are left out: they do not change what the model says."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def repair_turn(messages: Messages, reply: str, problem: InvalidReply) -> Messages:
    """The prompt again, with the invalid reply and a request to answer properly."""
    return [
        *messages,
        {"role": "assistant", "content": reply},
        {"role": "user", "content": f"That reply is not valid: {problem} Reply again with the JSON object only."},
    ]


class ChatClient:
    """Asks an endpoint for one validated answer per prompt, through the cache under ``cache_dir``."""

    def __init__(self, settings: EndpointSettings, cache_dir: Path, schema: dict[str, Any]):
        self.settings = settings
        self.cache_dir = cache_dir
        self.schema = schema

    def cache_path(self, key: str) -> Path:
        return self.cache_dir / key[:2] / f"{key}.json"

    def cached(self, key: str) -> Outcome | None:
        path = self.cache_path(key)
        if not path.is_file():
            return None
        return Outcome(answer=json.loads(path.read_text(encoding="utf-8"))["answer"], cached=True)

    def answer_all(self, prompts: Sequence[Messages], parse: Callable[[str], dict[str, Any]]) -> list[Outcome]:
        """One Outcome per prompt, in order. Identical prompts are asked once (later copies count
        as cached); cached ones are not asked at all, so a fully cached run needs no key or server.
        A transport error (key, endpoint, retries exhausted) stops the run at once."""
        bodies: dict[str, dict[str, Any]] = {}
        keys: list[str] = []
        for messages in prompts:
            body = request_body(self.settings, messages, self.schema)
            keys.append(cache_key(body))
            bodies.setdefault(keys[-1], body)
        done = {key: hit for key in bodies if (hit := self.cached(key)) is not None}
        todo = [key for key in bodies if key not in done]
        if todo:
            done.update(self._ask(todo, bodies, parse))
        seen: set[str] = set()
        outcomes = []
        for key in keys:
            repeat = key in seen
            seen.add(key)
            outcomes.append(
                dataclasses.replace(done[key], cached=True, requests=0, prompt_tokens=0, completion_tokens=0)
                if repeat
                else done[key]
            )
        return outcomes

    def _ask(
        self, keys: list[str], bodies: dict[str, dict[str, Any]], parse: Callable[[str], dict[str, Any]]
    ) -> dict[str, Outcome]:
        import openai

        secret = api_key(self.settings.api_key_env)
        s = self.settings
        failed = threading.Event()  # after a transport error, queued prompts are not sent

        def ask_one(sdk: openai.OpenAI, key: str) -> Outcome | None:
            if failed.is_set():
                return None
            try:
                return self._answer(sdk, secret, key, bodies[key], parse)
            except LLMError:
                failed.set()
                raise

        with openai.OpenAI(base_url=s.base_url, api_key=secret, max_retries=s.max_retries, timeout=s.timeout_s) as sdk:
            pool = ThreadPoolExecutor(max_workers=s.max_concurrency, thread_name_prefix="llm")
            futures = {pool.submit(ask_one, sdk, key): key for key in keys}
            try:
                results = {
                    futures[f]: f.result()
                    for f in tqdm(as_completed(futures), total=len(futures), desc="llm", unit="request", leave=False)
                }
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        return results

    def _answer(
        self, sdk: openai.OpenAI, secret: str, key: str, body: dict[str, Any], parse: Callable[[str], dict[str, Any]]
    ) -> Outcome:
        """Ask, validate, re-ask up to max_retries times on an invalid reply; cache a valid answer."""
        messages = body["messages"]
        spent = Outcome(answer=None)
        for _ in range(self.settings.max_retries + 1):
            reply = self._complete(sdk, secret, {**body, "messages": messages})
            spent = dataclasses.replace(
                spent,
                requests=spent.requests + 1,
                prompt_tokens=spent.prompt_tokens + reply.prompt_tokens,
                completion_tokens=spent.completion_tokens + reply.completion_tokens,
            )
            try:
                answer = parse(reply.content)
            except InvalidReply as problem:
                spent = dataclasses.replace(
                    spent, error=f"{problem} (last reply: {one_line(reply.content, secret, 120)!r})"
                )
                messages = repair_turn(body["messages"], reply.content, problem)
                continue
            write_json(
                self.cache_path(key),
                {
                    "model": self.settings.model,
                    "served_model": reply.served_model,
                    "answer": answer,
                    "reply": reply.content,
                    "requests": spent.requests,
                    "prompt_tokens": spent.prompt_tokens,
                    "completion_tokens": spent.completion_tokens,
                },
            )
            return dataclasses.replace(spent, answer=answer, error=None)
        return spent

    def _complete(self, sdk: openai.OpenAI, secret: str, body: dict[str, Any]) -> Reply:
        import openai

        try:
            response = sdk.chat.completions.create(**body)
        except openai.APIError as exc:
            raise LLMError(describe(exc, self.settings, secret)) from None
        choice = response.choices[0] if response.choices else None
        usage = response.usage
        return Reply(
            content=(choice.message.content if choice is not None else None) or "",
            served_model=str(response.model or ""),
            prompt_tokens=int(usage.prompt_tokens or 0) if usage else 0,
            completion_tokens=int(usage.completion_tokens or 0) if usage else 0,
        )
