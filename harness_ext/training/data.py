"""Training data for internalizing a tool catalog: build, decontaminate, write, read.

Three families, as in arXiv 2605.17774 (§5 of DESIGN.md):

* ``tool_knowledge`` — listing, ownership, arguments, routing, hard negatives and
  clarification questions about the catalog, answered in one or two sentences;
* ``question_plan`` — a user question and its plan in the canonical ``#TaskN`` format:
  AssetOpsBench templates (when the catalog is ``assetops_23``), the project's gold plans
  of *training* scenarios with entity-swapped paraphrases, and catalog-driven requests;
* ``execution`` — the same kind of question answered with an execution trace
  (``PLANNING_STEPS`` / ``EXECUTION_STEPS`` / ``EXECUTION_LINKS``).

System turns (``system_turns=True``, the default): ``question_plan`` examples carry the
evaluation's description-free system turn (``prompts.system_prompt("free", catalog)``),
so the fine-tuned model sees at training time exactly the prompt it is evaluated with;
``tool_knowledge`` and ``execution`` carry their own short system turns
(``KNOWLEDGE_SYSTEM``, ``TRACE_SYSTEM``), because the evaluation's turn says "output only
the plan" and a prose answer or a trace under it would teach the model to disobey it.
With ``system_turns=False`` every example is user + assistant only (the paper's format).

Decontamination: every question (and any request quoted inside it) is compared,
lower-cased, with every evaluation text by ``difflib.SequenceMatcher(None, q, t).ratio()``;
ratio > 0.8 drops the example and records it, with its closest evaluation text, in the
report. Gold plans are never read for evaluation ids nor, with the AssetOpsBench catalog,
for the paper's 30 test ids. ``templates="generic"`` (``--templates generic``) leaves out
every generator written for AssetOpsBench (see ``TEMPLATES``).

Output folder: ``train.jsonl``, ``eval.jsonl`` (one ``{"messages", "family", "meta"}``
object per line), ``manifest.json`` (seed, catalog, sizes, counts per family and kind,
sha256 of each file) and ``decontamination.json``. Same inputs and seed give
byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Literal, get_args

from harness_ext import __version__
from harness_ext.errors import DataFileError, ToolplanError, UnknownNameError
from harness_ext.io import iter_jsonl
from harness_ext.planning.catalog import Catalog, load_catalog
from harness_ext.planning.plans import Plan, format_plan, is_none, parse_plan
from harness_ext.planning.prompts import system_prompt
from harness_ext.training.datagen import assetops, generic
from harness_ext.training.datagen.base import Candidate, trace_text

DATA_FORMAT = "toolplan-sft/1"
FAMILIES = ("tool_knowledge", "question_plan", "execution")
# The paper's mix (~300 / ~1,500 / ~100, §6.2 of the research note), scaled to ~1,700.
DEFAULT_SIZES = {"tool_knowledge": 300, "question_plan": 1300, "execution": 100}
DEFAULT_TOTAL = sum(DEFAULT_SIZES.values())
THRESHOLD = 0.8
EVAL_FRACTION = 0.05
TRAIN_FILE, EVAL_FILE = "train.jsonl", "eval.jsonl"
MANIFEST_FILE, REPORT_FILE = "manifest.json", "decontamination.json"
AGAINST_ALIASES = {"test30": "paper_test30"}

Templates = Literal["all", "generic"]
TEMPLATES: tuple[Templates, ...] = get_args(Templates)
"""``--templates``. ``all``: today's mix (for ``assetops_23``: AssetOpsBench templates 60 %,
gold 30 %, generic 10 % of question→plan; AssetOps entity pools, clarifications and
entity-swapped gold paraphrases). ``generic``: nothing written for one catalog — the
catalog-driven generators only (``datagen.generic``: values from parameter types, names
and ``e.g.`` examples), plus the gold pairs of training scenarios *as written* (no
paraphrase: the paraphrase rules are AssetOps entity swaps). Question→plan mix: generic
70 % and gold 30 % while gold pairs last (generic 100 % without gold). The manifest
records ``templates`` only when it is not ``all``, so default builds keep their bytes."""

KNOWLEDGE_SYSTEM = (
    "You know the agents and tools you plan with. Answer questions about them briefly and "
    "exactly; ask for what is missing when a request cannot be planned."
)
TRACE_SYSTEM = (
    "You plan tool use and trace its execution. Write PLANNING_STEPS: with the plan in the "
    "#TaskN/#AgentN/#ToolN/#ArgsN/#DependencyN/#ExpectedOutputN format, then EXECUTION_STEPS: "
    "with one 'Step N: Call Agent.tool(args) -> output' line per step, then EXECUTION_LINKS: "
    "with one 'Step i -> Step j: what flows' line per dependency."
)


# ------------------------------------------------------------------ decontamination


@dataclass(frozen=True)
class EvalTexts:
    """The texts training data must not resemble, and where they came from."""

    label: str
    ids: tuple[int | None, ...]
    texts: tuple[str, ...]


def resolve_eval_texts(against: str, scenarios: str | None) -> EvalTexts:
    """Evaluation texts for ``--decontaminate-against``.

    ``test30`` (= the ``paper_test30`` split) or any split name of ``harness_ext.planning.splits``
    selects scenarios from ``scenarios``; ``all`` takes every scenario; ``none`` takes
    nothing (only for catalogs without evaluation scenarios; the report says so); anything
    else is a path: a scenario file/folder (JSONL/JSON with ``text``) or a ``.txt`` file
    with one text per line.
    """
    from harness_ext.planning.scenarios import load_scenarios, select
    from harness_ext.planning.splits import SPLITS

    if against == "none":
        return EvalTexts("none", (), ())
    split = AGAINST_ALIASES.get(against, against)
    if split in SPLITS:
        chosen = select(load_scenarios(scenarios), SPLITS[split])
        return EvalTexts(split, tuple(s.id for s in chosen), tuple(s.text for s in chosen))
    path = Path(against).expanduser()
    if not path.exists():
        raise UnknownNameError(
            "decontamination set",
            against,
            [*AGAINST_ALIASES, *SPLITS, "none"],
            "Or give the path of a scenario file or of a .txt file with one text per line.",
        )
    if path.suffix == ".txt":
        try:
            lines = [ln.strip() for ln in path.read_text("utf-8").splitlines() if ln.strip()]
        except (OSError, UnicodeDecodeError) as e:
            raise DataFileError(path, f"cannot be read ({e})", "give a UTF-8 text file") from e
        return EvalTexts(str(path), tuple(None for _ in lines), tuple(lines))
    loaded = load_scenarios(str(path))
    return EvalTexts(str(path), tuple(s.id for s in loaded), tuple(s.text for s in loaded))


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


class Decontaminator:
    """Finds evaluation texts that a generated question is too close to.

    ``closest(text)`` returns the highest ratio above ``threshold`` and the index of its
    evaluation text, or ``(0.0, None)`` when no ratio exceeds the threshold. The
    ``real_quick_ratio``/``quick_ratio`` upper bounds skip pairs that cannot exceed the
    threshold, so the exact ``ratio`` runs only for near matches.
    """

    def __init__(self, texts: Sequence[str], threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._matchers = []
        for t in texts:
            matcher = SequenceMatcher(None)
            matcher.set_seq2(_norm(t))
            self._matchers.append(matcher)

    def closest(self, text: str) -> tuple[float, int | None]:
        best, best_i = 0.0, None
        probe = _norm(text)
        for i, matcher in enumerate(self._matchers):
            matcher.set_seq1(probe)
            if matcher.real_quick_ratio() <= self.threshold:
                continue
            if matcher.quick_ratio() <= self.threshold:
                continue
            ratio = matcher.ratio()
            if ratio > self.threshold and ratio > best:
                best, best_i = ratio, i
        return best, best_i


# ------------------------------------------------------------------ configuration


@dataclass(frozen=True)
class BuildConfig:
    """Everything that determines a dataset (and nothing else: same config, same bytes).

    ``gold``: ``auto`` (the ``gold`` fields of ``scenarios`` when it is a user-format
    scenario file; else the project's gold plans when shipped and the catalog is
    AssetOpsBench's), ``none``, or a source for ``gold.load_gold`` (``project``,
    ``paper``, a path).

    ``templates``: ``all`` (default; the hand-written AssetOpsBench generators join the
    generic ones when the catalog is ``assetops_23``) or ``generic`` (see ``TEMPLATES``).
    """

    catalog: str
    scenarios: str | None = None
    seed: int = 42
    sizes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SIZES))
    decontaminate_against: str = "test30"
    threshold: float = THRESHOLD
    eval_fraction: float = EVAL_FRACTION
    system_turns: bool = True
    gold: str = "auto"
    templates: Templates = "all"


def sizes_for_total(total: int) -> dict[str, int]:
    """Split a total over the families in the default proportions (sum is exact).

    Every family gets at least one example, so a total below the number of families
    raises ``ToolplanError``.
    """
    if total < len(FAMILIES):
        raise ToolplanError(
            f"--size {total} is too small: every family ({', '.join(FAMILIES)}) needs at least "
            f"one example. Fix: give --size {len(FAMILIES)} or more (default {DEFAULT_TOTAL}), "
            "or set families one by one with --family-size NAME=N."
        )
    raw = {f: total * DEFAULT_SIZES[f] / DEFAULT_TOTAL for f in FAMILIES}
    sizes = {f: math.floor(v) for f, v in raw.items()}
    # Hand the remainder to the largest fractional parts (family order on ties), then make
    # sure every family has at least one example, taken from the largest family.
    by_fraction = sorted(FAMILIES, key=lambda f: -(raw[f] - sizes[f]))
    for f in by_fraction[: total - sum(sizes.values())]:
        sizes[f] += 1
    for f in FAMILIES:
        if sizes[f] == 0:
            sizes[max(sizes, key=lambda k: sizes[k])] -= 1
            sizes[f] = 1
    return sizes


# ------------------------------------------------------------------ generation


@dataclass(frozen=True)
class GoldPair:
    """A training scenario's question and one gold plan."""

    scenario_id: int
    question: str
    plan: Plan


def _rng(seed: int, *parts: str) -> random.Random:
    # String seeds hash with SHA-512 inside random.seed: stable across runs and machines.
    return random.Random(f"{seed}/" + "/".join(parts))


def _gold_pairs(
    config: BuildConfig, catalog: Catalog, excluded: set[int]
) -> tuple[list[GoldPair], dict[str, Any]]:
    """Gold (question, plan) pairs of training scenarios, and what was used/skipped."""
    from harness_ext.planning.gold import load_gold, project_gold_available
    from harness_ext.planning.scenario_gold import is_user_file
    from harness_ext.planning.scenarios import load_scenarios

    source = config.gold
    if source == "auto" and config.scenarios and is_user_file(config.scenarios):
        source = config.scenarios  # a user-format scenario file carries its own gold
    if source == "auto":
        use = project_gold_available() and assetops.is_assetops(catalog.name, catalog.agent_names)
        source = "project" if use else "none"
    if source == "none":
        return [], {"source": "none"}
    entries = load_gold(source, config.scenarios, config.catalog)
    texts = {s.id: s.text for s in load_scenarios(config.scenarios)}
    pairs, skipped_invalid = [], []
    for sid in sorted(entries):
        if sid in excluded or sid not in texts or not entries[sid].alternatives:
            continue
        plan = entries[sid].alternatives[0].plan
        if not plan.steps or any(
            not (is_none(s.agent) and is_none(s.tool))
            and catalog.tool(catalog.canonical_agent(s.agent) or "", s.tool or "") is None
            for s in plan.steps
        ):
            skipped_invalid.append(sid)
            continue
        pairs.append(GoldPair(sid, texts[sid], plan))
    info = {
        "source": source,
        "training_ids_used": len(pairs),
        "excluded_ids": sorted(excluded),
        "skipped_not_in_catalog": skipped_invalid,
    }
    return pairs, info


# Paraphrase draws in a row that changed no question before the gold stream gives up.
MAX_UNCHANGED_PARAPHRASES = 1000


def _gold_stream(
    rng: random.Random, pairs: list[GoldPair], paraphrase: bool = True
) -> Iterator[Candidate]:
    """Each gold pair once as written, then (``paraphrase``) entity-swapped paraphrases.

    Ends when ``MAX_UNCHANGED_PARAPHRASES`` draws in a row changed no question (gold
    questions with no entity, word or casing that a paraphrase rule can change), so a
    build never hangs on such a gold set; with changeable questions it never ends.
    """
    for p in pairs:
        yield Candidate(
            "question_plan",
            "gold",
            p.question,
            format_plan(p.plan),
            "plan",
            {"source": "gold", "scenario_id": p.scenario_id, "steps": len(p.plan.steps)},
        )
    if not paraphrase:
        return
    unchanged = 0
    while pairs and unchanged < MAX_UNCHANGED_PARAPHRASES:
        p = pairs[rng.randrange(len(pairs))]
        made = assetops.paraphrase_gold(rng, p.question, p.plan)
        if made is None:
            unchanged += 1
            continue
        unchanged = 0
        question, plan = made
        yield Candidate(
            "question_plan",
            "gold_paraphrase",
            question,
            format_plan(plan),
            "plan",
            {"source": "gold_paraphrase", "scenario_id": p.scenario_id, "steps": len(plan.steps)},
        )


def _mixed(
    rng: random.Random, sources: list[tuple[Iterator[Candidate], float]]
) -> Iterator[Candidate]:
    """Candidates drawn from ``sources`` by weight; a source that ends is dropped, and the
    mix ends when every source has."""
    streams = [s for s, _ in sources]
    weights = [w for _, w in sources]
    while streams:
        chosen = rng.choices(range(len(streams)), weights=weights, k=1)[0]
        candidate = next(streams[chosen], None)
        if candidate is None:
            del streams[chosen], weights[chosen]
            continue
        yield candidate


def _forever(rng: random.Random, make: Callable[[random.Random], Candidate]) -> Iterator[Candidate]:
    while True:
        yield make(rng)


def _streams(
    config: BuildConfig, catalog: Catalog, gold: list[GoldPair]
) -> dict[str, Iterator[Candidate]]:
    """One endless candidate stream per family."""
    seed = config.seed
    only_generic = config.templates == "generic"
    rich = assetops.is_assetops(catalog.name, catalog.agent_names) and not only_generic
    values = generic.ValueMaker(assetops.value_overrides() if rich else None, catalog)
    requests = assetops.requests if rich else generic.generic_requests(catalog, values)
    makers = generic.knowledge(catalog, requests, values)

    def knowledge_stream() -> Iterator[Candidate]:
        rng = _rng(seed, "tool_knowledge")
        kinds = generic.cycle_kinds(
            _rng(seed, "tool_knowledge", "kinds"), generic.KNOWLEDGE_WEIGHTS
        )
        for kind in kinds:
            if kind == "clarification" and rich and rng.random() < 0.6:
                yield assetops.clarifications(rng)
            else:
                yield makers[kind](rng)

    generic_plans = generic.generic_plans(catalog, values)
    generic_weight = 0.10 if rich else 0.70 if (only_generic and gold) else 1.0
    plan_sources: list[tuple[Iterator[Candidate], float]] = [
        (_forever(_rng(seed, "question_plan", "generic"), generic_plans), generic_weight)
    ]
    if rich:
        plan_sources.append(
            (
                _forever(_rng(seed, "question_plan", "assetops"), assetops.template_plans),
                0.60 if gold else 0.90,
            )
        )
    if gold:
        gold_stream = _gold_stream(
            _rng(seed, "question_plan", "gold"), list(gold), paraphrase=not only_generic
        )
        plan_sources.append((gold_stream, 0.30))

    def trace_stream() -> Iterator[Candidate]:
        rng = _rng(seed, "execution")
        source = (
            _forever(_rng(seed, "execution", "assetops"), assetops.template_plans)
            if rich
            else _forever(_rng(seed, "execution", "generic"), generic_plans)
        )
        for c in source:
            plan = parse_plan(c.answer).plan
            # Traces teach how outputs flow between steps: prefer multi-step plans.
            if len(plan.steps) < 2 and rng.random() < 0.8:
                continue
            yield Candidate(
                "execution",
                c.kind,
                c.question,
                trace_text(plan),
                "trace",
                {**c.meta, "source": f"{c.meta.get('source', '')}_trace"},
            )

    return {
        "tool_knowledge": knowledge_stream(),
        "question_plan": _mixed(_rng(seed, "question_plan", "mix"), plan_sources),
        "execution": trace_stream(),
    }


# ------------------------------------------------------------------ build


@dataclass(frozen=True)
class Dropped:
    """One candidate removed by decontamination."""

    family: str
    kind: str
    question: str
    matched: str
    ratio: float
    eval_id: int | None
    eval_text: str


@dataclass
class BuildResult:
    """The examples of both splits, the decontamination report and the manifest data."""

    train: list[dict[str, Any]]
    eval: list[dict[str, Any]]
    manifest: dict[str, Any]
    report: dict[str, Any]


def _system_text(kind: str, catalog: Catalog) -> str:
    if kind == "plan":
        return system_prompt("free", catalog)
    return KNOWLEDGE_SYSTEM if kind == "knowledge" else TRACE_SYSTEM


def to_record(c: Candidate, catalog: Catalog, system_turns: bool) -> dict[str, Any]:
    """A candidate as one JSONL record."""
    messages = []
    if system_turns:
        messages.append({"role": "system", "content": _system_text(c.system, catalog)})
    messages += [
        {"role": "user", "content": c.question},
        {"role": "assistant", "content": c.answer},
    ]
    return {"messages": messages, "family": c.family, "meta": {"kind": c.kind, **c.meta}}


def build_dataset(config: BuildConfig) -> BuildResult:
    """Generate, deduplicate, decontaminate and split a dataset (see the module docstring).

    Each family draws candidates from its own seeded stream until it has
    ``config.sizes[family]`` unique, clean examples, or until 50 draws per wanted example
    (+1,000) found no more; a family that falls short is reported in the manifest's
    ``shortfall``, never silently padded.
    """
    from harness_ext.planning.splits import SPLITS

    unknown = set(config.sizes) - set(FAMILIES)
    if unknown:
        raise UnknownNameError("data family", sorted(unknown)[0], FAMILIES)
    catalog = load_catalog(config.catalog)
    evals = resolve_eval_texts(config.decontaminate_against, config.scenarios)
    deco = Decontaminator(evals.texts, config.threshold)
    excluded = {i for i in evals.ids if i is not None}
    if assetops.is_assetops(catalog.name, catalog.agent_names):
        # The paper's 30 test ids are AssetOpsBench scenario ids; another catalog's
        # scenarios may reuse those numbers for training scenarios.
        excluded |= set(SPLITS["paper_test30"] or ())
    gold, gold_info = _gold_pairs(config, catalog, excluded)
    streams = _streams(config, catalog, gold)

    seen: set[str] = set()
    kept: dict[str, list[Candidate]] = {}
    dropped: list[Dropped] = []
    shortfall: dict[str, int] = {}
    checked = 0
    for family in FAMILIES:
        want = config.sizes.get(family, 0)
        got: list[Candidate] = []
        budget = 50 * want + 1000
        while len(got) < want and budget > 0:
            budget -= 1
            c = next(streams[family], None)
            if c is None:
                break  # the family's generators ran dry: reported as a shortfall
            key = _norm(c.question)
            if key in seen:
                continue
            seen.add(key)
            checked += 1
            hit = _contaminated(c, deco, evals)
            if hit is not None:
                dropped.append(hit)
                continue
            got.append(c)
        if len(got) < want:
            shortfall[family] = want - len(got)
        kept[family] = got

    train: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    for family in FAMILIES:
        records = [to_record(c, catalog, config.system_turns) for c in kept[family]]
        _rng(config.seed, "split", family).shuffle(records)
        n_eval = round(len(records) * config.eval_fraction) if len(records) >= 2 else 0
        held += records[:n_eval]
        train += records[n_eval:]
    _rng(config.seed, "order", "train").shuffle(train)
    _rng(config.seed, "order", "eval").shuffle(held)

    report = {
        "threshold": config.threshold,
        "rule": "drop when difflib.SequenceMatcher(None, question, text).ratio() > threshold, "
        "both lower-cased with whitespace collapsed; quoted requests are checked too",
        "against": evals.label,
        "eval_texts": len(evals.texts),
        "checked": checked,
        "dropped_count": len(dropped),
        "dropped_by_family": dict(Counter(d.family for d in dropped)),
        "dropped": [d.__dict__ for d in dropped],
    }
    manifest = {
        "format": DATA_FORMAT,
        "generator": f"toolplan build-data (toolplan-eval {__version__})",
        "seed": config.seed,
        "catalog": {
            "name": catalog.name,
            "version": catalog.version,
            "sha256": _catalog_sha(catalog),
        },
        "scenarios": config.scenarios,
        "decontamination": {
            "against": evals.label,
            "eval_texts": len(evals.texts),
            "threshold": config.threshold,
            "dropped": len(dropped),
        },
        "gold": gold_info,
        "system_turns": config.system_turns,
        "eval_fraction": config.eval_fraction,
        "sizes_requested": {f: config.sizes.get(f, 0) for f in FAMILIES},
        "counts": {
            "train": _count(train, "family"),
            "eval": _count(held, "family"),
            "total": len(train) + len(held),
        },
        "kinds": {f: dict(sorted(Counter(c.kind for c in kept[f]).items())) for f in FAMILIES},
        "shortfall": shortfall,
    }
    if config.templates != "all":
        manifest["templates"] = config.templates
    return BuildResult(train, held, manifest, report)


def _contaminated(c: Candidate, deco: Decontaminator, evals: EvalTexts) -> Dropped | None:
    best: Dropped | None = None
    for text in (c.question, *c.probes):
        ratio, index = deco.closest(text)
        if index is not None and (best is None or ratio > best.ratio):
            best = Dropped(
                c.family,
                c.kind,
                c.question,
                text,
                round(ratio, 4),
                evals.ids[index],
                evals.texts[index],
            )
    return best


def _count(records: list[dict[str, Any]], key: str) -> dict[str, int]:
    counts = Counter(r[key] for r in records)
    return {f: counts.get(f, 0) for f in FAMILIES}


def _catalog_sha(catalog: Catalog) -> str:
    try:
        data = Path(catalog.source).read_bytes()
    except OSError:
        data = catalog.source.encode()
    return hashlib.sha256(data).hexdigest()


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def write_dataset(result: BuildResult, out_dir: str | Path) -> dict[str, Path]:
    """Write the four files (and a ``.gitignore`` that keeps the folder out of git: the
    data quotes scenario texts, which the project never commits)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {TRAIN_FILE: _jsonl(result.train), EVAL_FILE: _jsonl(result.eval)}
    manifest = dict(result.manifest)
    manifest["files"] = {
        name: {
            "sha256": hashlib.sha256(data).hexdigest(),
            "examples": data.count(b"\n"),
            "bytes": len(data),
        }
        for name, data in files.items()
    }
    files[MANIFEST_FILE] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    files[REPORT_FILE] = (json.dumps(result.report, indent=2, ensure_ascii=False) + "\n").encode()
    paths = {}
    for name, data in files.items():
        path = out / name
        path.write_bytes(data)
        paths[name] = path
    (out / ".gitignore").write_text("# generated training data (quotes scenario texts)\n*\n")
    return paths


# ------------------------------------------------------------------ reading


_ROLES = frozenset({"system", "user", "assistant"})


def read_examples(path: str | Path) -> list[dict[str, Any]]:
    """Read and validate a chat JSONL file; errors name the file and line.

    Each non-empty line must be an object with ``messages``: a list of
    ``{"role", "content"}`` with roles system/user/assistant, string contents, and an
    assistant message last. Other keys are kept. An empty file is an error.
    """
    path = Path(path)
    fix = (
        'each line must be {"messages": [{"role": "user", "content": ...}, '
        '{"role": "assistant", "content": ...}]} (see `toolplan build-data`)'
    )
    records = []
    missing = "run `toolplan build-data --out DIR` first"
    for _, where, row in iter_jsonl(path, fix, missing_fix=missing):
        messages = row.get("messages") if isinstance(row, dict) else None
        if not isinstance(messages, list) or not messages:
            raise DataFileError(where, "no 'messages' list", fix)
        for m in messages:
            if not (
                isinstance(m, dict)
                and m.get("role") in _ROLES
                and isinstance(m.get("content"), str)
            ):
                raise DataFileError(where, f"bad message {str(m)[:80]!r}", fix)
        if messages[-1]["role"] != "assistant" or not messages[-1]["content"].strip():
            raise DataFileError(where, "the last message must be a non-empty assistant turn", fix)
        if not any(m["role"] == "user" for m in messages):
            raise DataFileError(where, "no user turn", fix)
        records.append(row)
    if not records:
        raise DataFileError(path, "holds no examples", fix)
    return records


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


_SIZE_RE = re.compile(r"^(?P<family>[a-z_]+)=(?P<n>\d+)$")


def parse_family_sizes(items: Sequence[str], total: int | None) -> dict[str, int]:
    """``--size N`` and ``--family-size NAME=N`` into per-family sizes."""
    sizes = sizes_for_total(total) if total is not None else dict(DEFAULT_SIZES)
    for item in items:
        m = _SIZE_RE.match(item.strip())
        if not m:
            raise UnknownNameError(
                "family size",
                item,
                [f"{f}=N" for f in FAMILIES],
                "Write --family-size question_plan=1300.",
            )
        if m.group("family") not in FAMILIES:
            raise UnknownNameError("data family", m.group("family"), FAMILIES)
        sizes[m.group("family")] = int(m.group("n"))
    return sizes
