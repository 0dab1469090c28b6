"""Paraphrase rules: a tiny template grammar, request wrappers, endings, dates.

Template grammar (``expand``): ``[a|b|c]`` picks one alternative (an empty alternative is
allowed: ``[the |]``); brackets nest and are resolved innermost first; ``{slot}`` is filled
afterwards with ``str.format_map``, so slot values are never re-expanded. A template that
starts with ``!`` is an imperative clause (``!list the assets {at_site}``) and gets a
request wrapper ("Can you ...?", "Please ...", ...); any other template is a complete
question or sentence and only gets an ending and casing variation.
"""

from __future__ import annotations

import calendar
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

_ALT_RE = re.compile(r"\[([^\[\]]*)\]")
_SPACES_RE = re.compile(r"\s+")
_SPACE_PUNCT_RE = re.compile(r"\s+([,.;:?!)])")
# A clause that opens with a question word makes the sentence a question ("If X occurs,
# which sensor ..." / "... raised on X. Which work orders ...").
_QUESTION_RE = re.compile(
    r"(?i)(?:^|[,.;:]\s+)(?:what|which|who|how|is|are|can|could|do|does|did|has|have|when|"
    r"where|should|would|will)\b"
)

# Request wrappers for imperative clauses; {c} is the clause, {C} the clause capitalised.
_WRAPPERS: tuple[tuple[str, str], ...] = (
    ("{C}", "."),
    ("{C}", "."),
    ("{C}", ""),
    ("Can you {c}", "?"),
    ("Could you {c}", "?"),
    ("Please {c}", "."),
    ("I need you to {c}", "."),
    ("I want to {c}", "."),
    ("I would like to {c}", "."),
    ("Help me {c}", "."),
    ("{C}, please", "."),
    ("Can I {c}", "?"),
)


def pick(rng: random.Random, options: Sequence[Any]) -> Any:
    """One element of a non-empty sequence (a thin wrapper so call sites read clearly)."""
    return options[rng.randrange(len(options))]


def weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    """One value of ``(value, weight)`` pairs."""
    values = [v for v, _ in options]
    weights = [w for _, w in options]
    return rng.choices(values, weights=weights, k=1)[0]


def expand(template: str, rng: random.Random, slots: Mapping[str, Any] | None = None) -> str:
    """Resolve ``[a|b]`` alternatives (innermost first), then fill ``{slot}``s."""
    text = template
    while True:
        new = _ALT_RE.sub(lambda m: pick(rng, m.group(1).split("|")), text)
        if new == text:
            break
        text = new
    if slots is not None:
        text = text.format_map(dict(slots))
    return tidy(text)


def tidy(text: str) -> str:
    """Collapse runs of spaces and remove spaces before punctuation."""
    return _SPACE_PUNCT_RE.sub(r"\1", _SPACES_RE.sub(" ", text)).strip()


def capitalise(text: str) -> str:
    """Upper-case the first character only (``'% Loaded'`` and ``'iPhone'`` stay as they are
    after it)."""
    return text[:1].upper() + text[1:] if text else text


def finish(text: str, rng: random.Random, ending: str = "") -> str:
    """Give a sentence its final form: an ending (sometimes dropped) and casing variation.

    Rules: a text that already ends in ``?``, ``.`` or ``!`` keeps its ending; otherwise
    ``ending`` is added, except in about 12 % of cases (people often skip it). About 10 %
    of questions start lower-case, as typed questions often do.
    """
    text = tidy(text)
    if text and text[-1] not in "?.!" and ending and rng.random() >= 0.12:
        text += ending
    text = text[:1].lower() + text[1:] if rng.random() < 0.1 else capitalise(text)
    return text


def render(template: str, rng: random.Random, slots: Mapping[str, Any]) -> str:
    """Expand one template into a finished user question (see the module docstring)."""
    if template.startswith("!"):
        clause = expand(template[1:], rng, slots)
        wrappers = _WRAPPERS
        if re.match(r"(?i)\w+ me\b", clause):
            # "show me X" cannot follow "I want to" / "Help me" / "Can I".
            wrappers = tuple(w for w in _WRAPPERS if "I " not in w[0] and "me" not in w[0])
        wrapper, ending = pick(rng, wrappers)
        text = wrapper.format(c=clause[:1].lower() + clause[1:], C=capitalise(clause))
        return finish(text, rng, ending)
    text = expand(template, rng, slots)
    ending = "?" if _QUESTION_RE.search(text) else "."
    return finish(text, rng, ending)


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class DateSpan:
    """A time window as a question says it and as tool arguments need it.

    ``start``/``end`` are ISO-8601: a date (``2020-06-01``) for day-level windows, a
    date-time (``2020-09-19T19:00:00``) when the question names a time of day. ``end``
    is inclusive (the last day of the window).
    """

    text: str
    start: str
    end: str


_MONTH_ABBR = {m: calendar.month_abbr[m] for m in range(1, 13)}
_MONTH_NAME = {m: calendar.month_name[m] for m in range(1, 13)}


def _iso(d: date) -> str:
    return d.isoformat()


def _month_text(rng: random.Random, year: int, month: int) -> str:
    name = pick(rng, (_MONTH_NAME[month], _MONTH_NAME[month], _MONTH_ABBR[month]))
    year_text = pick(rng, (str(year), str(year), f"'{year % 100:02d}"))
    return f"{name} {year_text}"


def year_span(rng: random.Random, year: int) -> DateSpan:
    """A whole calendar year."""
    text = expand(
        "[for year {y}|for the year {y}|in {y}|during {y}|for {y}|in year {y}]", rng, {"y": year}
    )
    return DateSpan(text, f"{year}-01-01", f"{year}-12-31")


def years_span(rng: random.Random, first: int, last: int) -> DateSpan:
    """Several consecutive years."""
    listed = f"{first}, {first + 1} and {last}" if last - first == 2 else f"{first} to {last}"
    text = expand(
        "[covering years of {l}|for the years {l}|over {l}|between {a} and {b}]",
        rng,
        {"l": listed, "a": first, "b": last},
    )
    return DateSpan(text, f"{first}-01-01", f"{last}-12-31")


def month_span(rng: random.Random, year: int, month: int) -> DateSpan:
    """A whole month."""
    last = calendar.monthrange(year, month)[1]
    text = expand("[for|in|from|during|for the] {m}", rng, {"m": _month_text(rng, year, month)})
    return DateSpan(text, f"{year}-{month:02d}-01", f"{year}-{month:02d}-{last:02d}")


def two_month_span(rng: random.Random, year: int, month: int) -> DateSpan:
    """Two consecutive months of one year (``month`` <= 11)."""
    last = calendar.monthrange(year, month + 1)[1]
    text = expand(
        "[in|for|during] {a} and {b} [of |]{y}",
        rng,
        {"a": _MONTH_NAME[month], "b": _MONTH_NAME[month + 1], "y": year},
    )
    return DateSpan(text, f"{year}-{month:02d}-01", f"{year}-{month + 1:02d}-{last:02d}")


def week_of_span(rng: random.Random, start: date) -> DateSpan:
    """The seven days starting on ``start`` ("the week of 2020-04-27")."""
    end = start + timedelta(days=6)
    text = expand("[in|for|during] the week of {d}", rng, {"d": _iso(start)})
    return DateSpan(text, _iso(start), _iso(end))


def month_week_span(rng: random.Random, year: int, month: int, which: str) -> DateSpan:
    """First or last week of a month (days 1-7, or the last seven days)."""
    last = calendar.monthrange(year, month)[1]
    first_day = 1 if which == "first" else last - 6
    start, end = date(year, month, first_day), date(year, month, first_day + 6)
    text = expand(
        "[from|for|in|during] the {w} week of {m}",
        rng,
        {"w": which, "m": _month_text(rng, year, month)},
    )
    return DateSpan(text, _iso(start), _iso(end))


def year_last_week_span(rng: random.Random, year: int) -> DateSpan:
    """The last seven days of a year."""
    text = expand("[from|for|in] the last week of {y}", rng, {"y": year})
    return DateSpan(text, f"{year}-12-25", f"{year}-12-31")


def moment_span(
    rng: random.Random, year: int, month: int, day: int, hour: int, minute: int
) -> DateSpan:
    """One moment in time; the window is that moment to 14:59 later (a quarter hour)."""
    moment = datetime(year, month, day, hour, minute)
    clock = _clock_text(rng, hour, minute)
    month_word = pick(rng, (_MONTH_NAME[month], _MONTH_ABBR[month].lower(), _MONTH_NAME[month]))
    text = expand(
        "on {mw} {d}, {y} at {c}", rng, {"mw": month_word, "d": day, "y": year, "c": clock}
    )
    end = moment + timedelta(minutes=14, seconds=59)
    return DateSpan(text, moment.isoformat(), end.isoformat())


def _clock_text(rng: random.Random, hour: int, minute: int) -> str:
    suffix = "am" if hour < 12 else "pm"
    h12 = hour % 12 or 12
    if minute == 0:
        return pick(rng, (f"{h12}{suffix}", f"{h12} {suffix}", f"{hour:02d}:00"))
    if minute == 45 and hour == 23:
        return pick(rng, ("quarter to midnight", "23:45", "11:45 pm"))
    return pick(rng, (f"{h12}:{minute:02d} {suffix}", f"{hour:02d}:{minute:02d}"))


def range_span(rng: random.Random, start: datetime, end: datetime) -> DateSpan:
    """An explicit from/to window, written with full timestamps or dates."""
    if rng.random() < 0.5:
        a, b = start.isoformat(), end.isoformat()
    else:
        a, b = _iso(start.date()), _iso(end.date())
    text = expand("[from {a} to {b}|between {a} and {b}|from {a} until {b}]", rng, {"a": a, "b": b})
    return DateSpan(text, a, b)


def random_span(rng: random.Random, years: Sequence[int], kinds: Sequence[str]) -> DateSpan:
    """A window of one of ``kinds`` (year, month, two_months, week_of, first_week,
    last_week, year_last_week, moment, range) inside ``years``."""
    kind = pick(rng, kinds)
    year = pick(rng, years)
    month = rng.randint(1, 12)
    if kind == "year":
        return year_span(rng, year)
    if kind == "month":
        return month_span(rng, year, month)
    if kind == "two_months":
        return two_month_span(rng, year, min(month, 11))
    if kind == "week_of":
        start = date(year, month, 1) + timedelta(days=rng.randint(0, 27))
        return week_of_span(rng, start)
    if kind in ("first_week", "last_week"):
        return month_week_span(rng, year, month, kind.split("_")[0])
    if kind == "year_last_week":
        return year_last_week_span(rng, year)
    if kind == "moment":
        return moment_span(
            rng, year, month, rng.randint(1, 28), rng.randint(0, 23), pick(rng, (0, 0, 15, 30, 45))
        )
    if kind == "range":
        start = datetime(
            year, month, rng.randint(1, 20), rng.choice((0, 6, 12)), rng.choice((0, 30))
        )
        end = start + timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 12))
        return range_span(rng, start, end)
    raise ValueError(f"unknown date-span kind {kind!r}")
