"""Step 3 of 3 (parse) and the per-sample flow: render -> call -> parse -> maybe re-ask.

Verdict rules (``parse_verdict``):

* the reply must be one JSON object — the whole reply, or the whole reply wrapped in
  a single Markdown code fence. Prose around the object is a parse failure on purpose:
  a judge that echoes its prompt would otherwise be graded by whatever the candidate
  wrote (the same prompt-injection argument inspect_ai makes for its graders);
* it must satisfy the verdict schema (``VerdictDoc``, a pydantic model; the same rules
  as the JSON Schema ``VERDICT_SCHEMA`` sent to the judge): the six dimensions present,
  each a JSON integer (not 4.0, not "4", not true) from 1 to 5; an optional string
  ``rationale``; other keys are ignored — notably any ``overall``: ours is always the
  mean of the six. The problem text names every offending key and value (missing keys
  first), and it is what the re-ask shows the judge.

Flow per sample (``judge_one``): one call; if the reply does not parse, ONE re-ask
that shows the judge its reply and what was wrong; if that fails too, or a call fails
for good, the sample is *unscored with a reason* (``judge:not_json``,
``judge:schema``, ``judge:empty_reply``, ``judge:http_429``, ``judge:timeout``,
``judge:unreachable``...), keeps its transcript, and is excluded from every mean —
it is never scored 0. Replies come from the cache when present.

Run rules (``judge_all``):

* every reply is cached the moment it arrives, by the thread that received it;
* the workers are daemon threads: on Ctrl-C ``judge_all`` returns control at once
  by raising ``JudgeInterrupted`` (a ``KeyboardInterrupt``) — nothing new
  is sent, no retry starts, and requests in flight are abandoned rather than waited
  for (a reply that still arrives while the process lives is cached). The next run
  resumes from the cache: only the missing calls are made;
* the API key never reaches a transcript or a detail (``JudgeConfig.scrub``), even
  when the server echoes it or the candidate contains it.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError, create_model
from pydantic_core import ErrorDetails

from harness_ext.judge.cache import JudgeCache, cache_key
from harness_ext.judge.client import CallFailed, JudgeClient, JudgeUnavailable
from harness_ext.judge.config import JudgeConfig
from harness_ext.judge.rubric import (
    DIMENSIONS,
    JudgeInput,
    Message,
    Template,
    load_template,
    prompt_hash,
    reask,
    render,
)

log = logging.getLogger(__name__)

SCORE_MIN, SCORE_MAX = 1, 5
# The JSON Schema a judge is asked to follow (``json_schema`` mode sends RESPONSE_SCHEMA);
# ``VerdictDoc`` below validates replies by the same rules (a test checks they agree).
VERDICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **{d: {"type": "integer", "minimum": SCORE_MIN, "maximum": SCORE_MAX} for d in DIMENSIONS},
        "rationale": {"type": "string"},
    },
    "required": list(DIMENSIONS),
}
# What ``json_schema`` mode sends: OpenAI's strict structured output wants every key
# required and no others. Parsing stays with VerdictDoc (rationale optional, extra keys
# ignored), which accepts everything this schema allows.
RESPONSE_SCHEMA: dict[str, Any] = {
    **VERDICT_SCHEMA,
    "required": [*DIMENSIONS, "rationale"],
    "additionalProperties": False,
}
_FENCED = re.compile(r"\A```[A-Za-z]*[ \t]*\n(.*)\n[ \t]*```\Z", re.DOTALL)


@dataclass(frozen=True)
class Verdict:
    """A valid verdict: six 1–5 integers and the judge's one-line rationale."""

    scores: dict[str, int]
    rationale: str = ""

    @property
    def overall(self) -> float:
        """Mean of the six dimensions (unrounded)."""
        return sum(self.scores[d] for d in DIMENSIONS) / len(DIMENSIONS)


@dataclass(frozen=True)
class ParseProblem:
    """Why a reply is not a verdict: a namespaced code and a sentence for the re-ask."""

    reason: str
    problem: str


Score = Annotated[int, Field(strict=True, ge=SCORE_MIN, le=SCORE_MAX)]


# The verdict schema as pydantic validates it: one strict 1-5 integer per rubric
# dimension (strict keeps JSON's types apart: 4.0, "4" and true are not integers), an
# optional string rationale, other keys ignored (a judge's own ``overall`` among them).
# Built from DIMENSIONS, so the rubric stays the one list of dimensions.
_VERDICT_FIELDS: dict[str, Any] = {d: (Score, ...) for d in DIMENSIONS}
VerdictDoc: type[BaseModel] = create_model(
    "VerdictDoc",
    __config__=ConfigDict(extra="ignore", frozen=True),
    **_VERDICT_FIELDS,
    rationale=(StrictStr, ""),
)


def _problem_text(error: ErrorDetails) -> str:
    """One validation error as the re-ask states it (``'efficiency' must be ...``)."""
    key = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    value = error.get("input")
    if not key:
        return "it is not a JSON object"
    if kind == "missing":
        return f"'{key}' is missing"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"'{key}' must be from {SCORE_MIN} to {SCORE_MAX} (got {value})"
    if kind == "string_type":
        return f"'{key}' must be a string (got {json.dumps(value)})"
    return (
        f"'{key}' must be a whole number from {SCORE_MIN} to {SCORE_MAX} (got {json.dumps(value)})"
    )


def _problems(error: ValidationError) -> str:
    """Every way a value misses the verdict schema: missing keys first, then bad values."""
    errors = error.errors()
    ordered = [e for e in errors if e["type"] == "missing"] + [
        e for e in errors if e["type"] != "missing"
    ]
    return "; ".join(_problem_text(e) for e in ordered)


def parse_verdict(reply: str) -> Verdict | ParseProblem:
    """Turn a judge reply into a ``Verdict``, or say why it cannot be one (module rules)."""
    text = reply.strip()
    if not text:
        return ParseProblem("judge:empty_reply", "the answer was empty")
    fenced = _FENCED.match(text)
    if fenced:
        text = fenced.group(1).strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return ParseProblem("judge:not_json", "it was not a single JSON object")
    try:
        doc = VerdictDoc.model_validate(data)
    except ValidationError as e:
        code = "judge:not_json" if not isinstance(data, dict) else "judge:schema"
        return ParseProblem(code, _problems(e))
    values = doc.model_dump()
    return Verdict(scores={d: values[d] for d in DIMENSIONS}, rationale=values["rationale"])


@dataclass(frozen=True)
class JudgeResult:
    """The outcome for one sample: scored (``verdict``) or unscored (``reason``).

    Attributes:
        sample_id: The sample's id.
        verdict: The verdict, or None when unscored.
        reason: Namespaced cause when unscored (None when scored).
        detail: Human-readable explanation of ``reason``.
        transcript: Every message sent and every reply received, in order.
        calls: HTTP requests sent for this sample in this run (retries included).
        cache_hits: Replies served from the cache.
        latencies: Seconds per reply received over HTTP in this run.
    """

    sample_id: str
    verdict: Verdict | None
    reason: str | None
    detail: str
    transcript: tuple[Message, ...]
    calls: int
    cache_hits: int
    latencies: tuple[float, ...] = field(default=())

    @property
    def scored(self) -> bool:
        """True when a valid verdict was obtained."""
        return self.verdict is not None


@dataclass(frozen=True)
class JudgeRun:
    """All results of one batch (same order as the inputs) and the batch's totals."""

    results: tuple[JudgeResult, ...]
    model: str
    template: Template
    fatal: str | None = None

    @property
    def calls(self) -> int:
        """HTTP requests sent (retries included)."""
        return sum(r.calls for r in self.results)

    @property
    def cache_hits(self) -> int:
        """Replies served from the cache."""
        return sum(r.cache_hits for r in self.results)

    @property
    def unscored(self) -> int:
        """Samples without a verdict."""
        return sum(1 for r in self.results if not r.scored)

    def reasons(self) -> Counter[str]:
        """Unscored samples per reason."""
        return Counter(r.reason for r in self.results if r.reason)


class JudgeInterrupted(KeyboardInterrupt):
    """The run was interrupted (Ctrl-C); what was received is cached.

    Attributes:
        done: Samples whose outcome was complete before the interrupt.
        total: Samples in the batch.
        replies: Replies received over HTTP in this run (each cached as it arrived
            when the cache is on).
        cache_path: The cache file, or None when caching is off.
    """

    def __init__(self, done: int, total: int, replies: int, cache_path: Any) -> None:
        self.done, self.total, self.replies, self.cache_path = done, total, replies, cache_path
        super().__init__(f"judging interrupted after {done} of {total} samples")


class _Cancelled(Exception):
    """Raised inside a worker once the run is cancelled; its result is discarded."""


class _Judge:
    """Holds what the per-sample flow shares: client, cache, template, stop signals.

    ``stop`` halts sending and retrying (set on a fatal error and on cancel);
    ``cancelled`` says the run was interrupted, so workers take no new sample.
    """

    def __init__(
        self, config: JudgeConfig, template: Template, cache: JudgeCache | None, client: Any
    ) -> None:
        self.config, self.template, self.cache, self.client = config, template, cache, client
        self.stop = threading.Event()
        self.cancelled = threading.Event()
        self.fatal: JudgeUnavailable | None = None
        self.received = 0
        self._lock = threading.Lock()

    def cancel(self) -> None:
        """Interrupt: send nothing more, start no retry, take no new sample."""
        self.cancelled.set()
        self.stop.set()

    def ask(self, messages: list[Message], tally: dict[str, Any]) -> str:
        """One reply for ``messages``: from the cache, else from the server (then cached)."""
        params = self.config.decoding_params()
        phash = prompt_hash(messages)
        key = cache_key(self.config.model, self.template.version, phash, params)
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                tally["cache_hits"] += 1
                # A cache written before replies were scrubbed may still hold the key.
                return self.config.scrub(hit.reply)
        if self.cancelled.is_set():
            raise _Cancelled
        if self.stop.is_set():
            # Another call found the judge unavailable: do not send more requests.
            reason = self.fatal.reason if self.fatal else "judge:unreachable"
            raise CallFailed(reason, "not sent: the judge is unavailable", 0)
        try:
            reply = self.client.complete(messages, stop=self.stop)
        except JudgeUnavailable as e:
            with self._lock:
                if self.fatal is None:
                    self.fatal = e
            self.stop.set()
            tally["calls"] += e.attempts
            raise CallFailed(e.reason, str(e), 0) from None
        except CallFailed as e:
            tally["calls"] += e.attempts
            if self.cancelled.is_set():
                raise _Cancelled from None
            raise
        tally["calls"] += reply.attempts
        tally["latencies"].append(reply.latency_s)
        with self._lock:
            self.received += 1
        if self.cache is not None:
            self.cache.put(
                key,
                model=self.config.model,
                template_version=self.template.version,
                prompt_hash=phash,
                params=params,
                reply=reply.text,
                latency_s=reply.latency_s,
            )
        return reply.text

    def judge_one(self, item: JudgeInput) -> JudgeResult:
        """Render, call, parse; one re-ask on an unparseable reply; else unscored."""
        tally: dict[str, Any] = {"calls": 0, "cache_hits": 0, "latencies": []}
        messages = render(self.template, item)
        transcript: list[Message] = list(messages)

        def result(verdict: Verdict | None, reason: str | None, detail: str) -> JudgeResult:
            scrub = self.config.scrub
            return JudgeResult(
                sample_id=item.sample_id,
                verdict=verdict,
                reason=reason,
                detail=scrub(detail),
                transcript=tuple({k: scrub(v) for k, v in m.items()} for m in transcript),
                calls=tally["calls"],
                cache_hits=tally["cache_hits"],
                latencies=tuple(tally["latencies"]),
            )

        try:
            first = self.ask(messages, tally)
            transcript.append({"role": "assistant", "content": first})
            parsed = parse_verdict(first)
            if isinstance(parsed, Verdict):
                return result(parsed, None, "")
            retry = reask(self.template, messages, first, parsed.problem)
            transcript.append(retry[-1])
            second = self.ask(retry, tally)
            transcript.append({"role": "assistant", "content": second})
        except CallFailed as e:
            return result(None, e.reason, e.detail)
        parsed_again = parse_verdict(second)
        if isinstance(parsed_again, Verdict):
            return result(parsed_again, None, "")
        detail = f"first reply: {parsed.problem}; after one re-ask: {parsed_again.problem}"
        return result(None, parsed_again.reason, detail)


def judge_all(
    items: Sequence[JudgeInput],
    config: JudgeConfig,
    template: Template | None = None,
    progress: str | None = "judge",
) -> JudgeRun:
    """Judge every item with ``config.concurrency`` requests in flight (module run rules).

    Args:
        items: The samples to judge.
        config: Judge configuration (its ``cache_path`` None disables the cache).
        template: Rubric template (default: the shipped default).
        progress: Progress-bar label; None hides the bar.

    Returns:
        One result per item, in input order. When the judge turns out to be
        unavailable, ``fatal`` holds the one error message and every sample not yet
        answered (from the server or the cache) is unscored with that reason.

    Raises:
        JudgeInterrupted: Ctrl-C stopped the run; replies received so far are cached.
    """
    from tqdm.auto import tqdm

    template = template or load_template()
    if not items:
        return JudgeRun((), config.model, template)
    cache = JudgeCache(config.cache_path) if config.cache_path is not None else None
    client = JudgeClient(config, RESPONSE_SCHEMA)
    judge = _Judge(config, template, cache, client)
    results: list[JudgeResult | None] = [None] * len(items)
    todo: queue.SimpleQueue[tuple[int, JudgeInput]] = queue.SimpleQueue()
    for pair in enumerate(items):
        todo.put(pair)
    done: queue.SimpleQueue[tuple[int, JudgeResult | BaseException | None]] = queue.SimpleQueue()

    def work() -> None:
        while not judge.cancelled.is_set():
            try:
                i, item = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((i, judge.judge_one(item)))
            except _Cancelled:
                return
            except BaseException as e:  # a bug: hand it to the caller's thread
                done.put((i, e))
                return

    # Daemon threads (not a ThreadPoolExecutor, whose exit hook joins its workers): an
    # interrupted run must not wait for requests in flight.
    workers = [
        threading.Thread(target=work, name=f"toolplan-judge-{n}", daemon=True)
        for n in range(min(config.concurrency, len(items)))
    ]
    finished = 0
    try:
        with tqdm(total=len(items), desc=progress, disable=progress is None) as bar:
            for worker in workers:
                worker.start()
            while finished < len(items):
                try:
                    # A timeout, so a Ctrl-C that the OS hands to a worker thread is
                    # still seen here within half a second.
                    i, outcome = done.get(timeout=0.5)
                except queue.Empty:
                    continue
                if isinstance(outcome, BaseException):
                    raise outcome
                results[i] = outcome
                finished += 1
                bar.update(1)
    except KeyboardInterrupt as e:
        judge.cancel()
        # No close(): workers still blocked in a request would race it. The cache is
        # committed reply by reply; both close when the last worker lets go of them.
        raise JudgeInterrupted(
            finished, len(items), judge.received, config.cache_path if cache is not None else None
        ) from e
    except BaseException:
        judge.cancel()
        raise
    for worker in workers:
        worker.join()
    client.close()
    if cache is not None:
        cache.close()
    done_results = tuple(r for r in results if r is not None)
    fatal = str(judge.fatal) if judge.fatal else None
    run = JudgeRun(done_results, config.model, template, fatal)
    log.info(
        "judge %s: %d scored, %d unscored %s, %d calls, %d cache hits",
        config.model,
        len(done_results) - run.unscored,
        run.unscored,
        dict(run.reasons()),
        run.calls,
        run.cache_hits,
    )
    return run
