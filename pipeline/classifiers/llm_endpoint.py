"""Where the ``llm`` classifier asks, and how failures read: endpoint settings, the API key, one-line errors.

The API key is read from the environment variable *named* in the settings, only when a request has to be made,
and handed to the SDK; it is never kept on anything that is pickled, cached or logged, and error messages never
contain it (``one_line`` blanks it even where a server echoes it back).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from pipeline.validation import ConfigError

if TYPE_CHECKING:
    import openai

ResponseFormat = Literal["json_schema", "json_object", "none"]
RESPONSE_FORMATS: tuple[str, ...] = get_args(ResponseFormat)
NO_KEY = "EMPTY"  # what vLLM's docs send to a server started without --api-key; servers without keys ignore it
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEY_PREFIX = "classifiers.llm"

Messages = list[dict[str, str]]


class LLMError(RuntimeError):
    """The endpoint cannot label the units; the message is one line that says what to fix."""


class InvalidReply(ValueError):
    """A reply that is no valid answer. The message says why; it is sent back to the model."""


@dataclass(frozen=True)
class EndpointSettings:
    """Where and how to ask (params section ``classifiers.llm``), checked on construction."""

    base_url: str
    model: str
    api_key_env: str | None
    max_concurrency: int
    max_retries: int
    timeout_s: float
    max_tokens: int
    response_format: str

    def __post_init__(self) -> None:
        problems = {
            "base_url": not re.match(r"https?://", self.base_url or "")
            and f"'{self.base_url}' is not an http(s) URL (e.g. http://localhost:8000/v1)",
            "model": not self.model and "is not set (the model name the server serves)",
            "api_key_env": self.api_key_env is not None
            and not _ENV_NAME.fullmatch(self.api_key_env)
            and "must be the NAME of an environment variable (letters, digits, _), never the key itself",
            "max_concurrency": self.max_concurrency < 1 and "must be at least 1",
            "max_retries": self.max_retries < 0 and "must be 0 or more",
            "timeout_s": not self.timeout_s > 0 and "must be positive",
            "max_tokens": self.max_tokens < 1 and "must be at least 1",
            "response_format": self.response_format not in RESPONSE_FORMATS
            and f"must be one of {', '.join(RESPONSE_FORMATS)}",
        }
        for key, problem in problems.items():
            if problem:
                raise ConfigError(f"params.yaml: {_KEY_PREFIX}.{key} {problem}")


@dataclass(frozen=True)
class Outcome:
    """One prompt's result: the validated answer, or why the replies stayed invalid."""

    answer: dict[str, Any] | None
    error: str | None = None
    cached: bool = False
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class Reply:
    content: str
    served_model: str
    prompt_tokens: int
    completion_tokens: int


def api_key(env_name: str | None) -> str:
    """The key from the environment variable ``env_name``; a placeholder when no key is configured."""
    if env_name is None:
        return NO_KEY
    value = os.environ.get(env_name, "")
    if not value:
        raise LLMError(
            f"environment variable {env_name} ({_KEY_PREFIX}.api_key_env) is not set or empty: "
            "export the API key in it, or set api_key_env to null for a server without keys"
        )
    return value


def one_line(text: str, secret: str, limit: int = 200) -> str:
    """``text`` on one line, shortened, with ``secret`` blanked (servers may echo a key back)."""
    flat = " ".join(str(text).split())
    if secret and secret != NO_KEY:
        flat = flat.replace(secret, "***")
    return flat if len(flat) <= limit else flat[:limit] + "..."


def describe(exc: openai.APIError, settings: EndpointSettings, secret: str) -> str:
    """One line that names what went wrong and the setting to change."""
    import openai

    where = f"llm endpoint {settings.base_url}"
    retries = f"after {settings.max_retries} retries"
    detail = one_line(getattr(exc, "message", str(exc)), secret)
    if isinstance(exc, openai.APITimeoutError):
        return (
            f"{where}: no reply within timeout_s={settings.timeout_s} s {retries}; "
            f"raise {_KEY_PREFIX}.timeout_s or lower max_concurrency"
        )
    if isinstance(exc, openai.APIConnectionError):
        cause = one_line(str(exc.__cause__ or detail), secret)
        return f"{where}: cannot connect ({cause}); is the server running and {_KEY_PREFIX}.base_url right?"
    status = getattr(exc, "status_code", None)
    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
        if settings.api_key_env is None:
            return (
                f"{where} wants an API key (HTTP {status}); put it in an environment variable "
                f"and set {_KEY_PREFIX}.api_key_env to that variable's name"
            )
        return f"{where} refused the API key in environment variable {settings.api_key_env} (HTTP {status})"
    if isinstance(exc, openai.NotFoundError):
        return (
            f"{where}: HTTP 404 for model '{settings.model}' ({detail}); check {_KEY_PREFIX}.base_url "
            f"(the part before /chat/completions, usually ending in /v1) and {_KEY_PREFIX}.model"
        )
    if isinstance(exc, openai.RateLimitError):
        return f"{where}: still rate-limited (HTTP 429) {retries}; lower {_KEY_PREFIX}.max_concurrency"
    if isinstance(exc, openai.BadRequestError) and settings.response_format != "none":
        return (
            f"{where}: HTTP 400 ({detail}); if the server rejects response_format "
            f"{settings.response_format}, set {_KEY_PREFIX}.response_format to json_object or none"
        )
    if status is not None:
        return f"{where}: HTTP {status} {retries} ({detail})"
    return f"{where}: {type(exc).__name__} ({detail})"
