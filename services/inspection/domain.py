"""Pure rules of inspection and quarantine (rules.md §6): channels, rule matching, seeded
random selection, the decision on a list or a first-line entry, and officer results.

Values in, values out: no session, no clock, no I/O. The reference data (which goods are
prohibited, quarantined or risky, per channel) comes in as ``Rule`` values, read from the
files under ``services/inspection/data`` by ``services.inspection.reference``.

Precedence of a decision: prohibited goods (examined, then returned, destroyed or
detained) → 1210 goods all inspected at first-line entry (released) → quarantine
(treatment, then release) → seeded random selection for physical inspection or a documents
check, at the rate of the channel and risk level → a documents check a risk rule demands →
release.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

CHANNELS: tuple[str, ...] = ("export_b2c", "export_b2b", "export_bonded", "import_direct",
                             "import_bonded", "first_line")
LEVELS: tuple[str, ...] = ("low", "medium", "high")
LEVEL_ZH = {"low": "低", "medium": "中", "high": "高"}
# Words in a list's head note that say wooden packaging carries the IPPC mark (ISPM 15).
IPPC_MARKS: tuple[str, ...] = ("IPPC", "ISPM15", "ISPM 15", "ISPM-15")
REFUSALS: tuple[str, ...] = ("return_abroad", "destruction", "detained_clearance",
                             "detained_anti_smuggling", "detained_legal", "detained_other")
# The most severe refusal wins when several prohibited rules hit.
SEVERITY: tuple[str, ...] = ("detained_anti_smuggling", "detained_legal", "detained_other",
                             "destruction", "return_abroad")
PENDING_LANES: tuple[str, ...] = ("document_review", "physical_inspection",
                                  "quarantine_treatment")
# What an officer may record on a pending inspection, per lane.
RESOLUTIONS: dict[str, frozenset[str]] = {
    "document_review": frozenset({"release", "physical_inspection", *REFUSALS}),
    "physical_inspection": frozenset({"release", *REFUSALS}),
    "quarantine_treatment": frozenset({"release", "return_abroad", "destruction"}),
}
SCALE = 2**64

RuleKind = Literal["prohibited", "quarantine", "risk"]


def channel_of(ie_flag: str, trade_mode: str, *, first_line: bool = False) -> str:
    """The channel a list travels by: its direction and trade mode (or first-line entry)."""
    if first_line:
        return "first_line"
    bonded = trade_mode in ("1210", "1239")
    if ie_flag == "I":
        return "import_bonded" if bonded else "import_direct"
    if trade_mode in ("9710", "9810"):
        return "export_b2b"
    return "export_bonded" if bonded else "export_b2c"


# ------------------------------------------------------------------ rules


@dataclass(frozen=True)
class HsRange:
    """HS codes from ``low`` to ``high`` on their first ``len(low)`` digits (a prefix if equal)."""

    low: str
    high: str

    def covers(self, gcode: str) -> bool:
        head = gcode[:len(self.low)]
        return len(head) == len(self.low) and self.low <= head <= self.high


def parse_hs(text: str) -> tuple[HsRange, ...]:
    """``"0201-0210 1601"`` → two ranges; each bound has the same number of digits."""
    out = []
    for part in text.split():
        low, dash, high = part.partition("-")
        high = high if dash else low
        if not (low.isdigit() and high.isdigit() and len(low) == len(high) and low <= high):
            raise ValueError(f"bad HS range {part!r}")
        out.append(HsRange(low, high))
    return tuple(out)


@dataclass(frozen=True)
class Rule:
    """One line of the reference data.

    ``channels`` empty means every channel. A rule hits a line by HS code or by a keyword
    in its goods name (Chinese: substring; English: whole word, plural allowed); a rule
    with ``wrap_types`` hits the list's packaging instead (wooden, without an IPPC mark).
    """

    code: str
    kind: RuleKind
    en: str
    zh: str
    channels: frozenset[str] = frozenset()
    hs: tuple[HsRange, ...] = ()
    keywords_zh: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()
    wrap_types: frozenset[str] = frozenset()
    outcome: str = ""  # prohibited: the refusal
    level: str = ""  # risk: the level it raises the list to
    lane: str = ""  # risk: "document_review" when the documents must be checked

    def applies_to(self, channel: str) -> bool:
        return not self.channels or channel in self.channels


@dataclass(frozen=True)
class Reference:
    prohibited: tuple[Rule, ...] = ()
    quarantine: tuple[Rule, ...] = ()
    risk: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Goods:
    gnum: int
    gcode: str
    gname: str
    item_name: str | None = None


@dataclass(frozen=True)
class Subject:
    """What is decided on: a list (its lines) or one item entering a bonded zone."""

    identity: str
    channel: str
    items: tuple[Goods, ...]
    wrap_type: str | None = None
    note: str | None = None
    node: str = "InventoryList"
    first_line_cleared: bool = False  # 1210: every item was inspected at first-line entry


@dataclass(frozen=True)
class Hit:
    rule: str
    field: str
    value: str
    en: str
    zh: str


@functools.lru_cache(maxsize=4096)  # the rules' keywords: built once, not per list line
def _english_pattern(keyword: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9]){re.escape(keyword.lower())}(?:s|es)?(?![a-z0-9])")


def _keyword_hit(rule: Rule, text: str) -> str | None:
    for word in rule.keywords_zh:
        if word and word in text:
            return word
    lowered = text.lower()
    for word in rule.keywords_en:
        if word and _english_pattern(word).search(lowered):
            return word
    return None


def rule_hits(rule: Rule, subject: Subject) -> list[Hit]:
    """Where ``rule`` hits ``subject``: one hit per line (or one for the packaging)."""
    if not rule.applies_to(subject.channel):
        return []
    if rule.wrap_types:
        wrapped = subject.wrap_type in rule.wrap_types
        marked = any(mark.lower() in (subject.note or "").lower() for mark in IPPC_MARKS)
        if wrapped and not marked:
            return [Hit(rule.code, "InventoryHead.wrapType", str(subject.wrap_type),
                        rule.en, rule.zh)]
        return []
    hits = []
    for goods in subject.items:
        line = f"{subject.node}[gnum={goods.gnum}]"
        if any(r.covers(goods.gcode) for r in rule.hs):
            hits.append(Hit(rule.code, f"{line}.gcode", goods.gcode, rule.en, rule.zh))
            continue
        for name, text in (("gname", goods.gname), ("itemName", goods.item_name or "")):
            if _keyword_hit(rule, text):
                hits.append(Hit(rule.code, f"{line}.{name}", text, rule.en, rule.zh))
                break
    return hits


def all_hits(rules: Iterable[Rule], subject: Subject) -> list[tuple[Rule, Hit]]:
    return [(rule, hit) for rule in rules for hit in rule_hits(rule, subject)]


# ------------------------------------------------------------------ seeded random selection


def draw(seed: str, identity: str) -> int:
    """A number in [0, 2**64) fixed by the seed and the list's identity (sha256)."""
    digest = hashlib.sha256(f"{seed}|{identity}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def fraction(seed: str, identity: str) -> Decimal:
    """``draw`` as a fraction of 1."""
    return Decimal(draw(seed, identity)) / SCALE


def select(seed: str, identity: str, physical_rate: Decimal,
           document_rate: Decimal) -> Literal["physical_inspection", "document_review", "release"]:
    """Physical inspection with ``physical_rate``, else a documents check with
    ``document_rate``, else release — the same answer for the same seed and identity."""
    n = Decimal(draw(seed, identity))
    if n < physical_rate * SCALE:
        return "physical_inspection"
    if n < (physical_rate + document_rate) * SCALE:
        return "document_review"
    return "release"


def pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


# ------------------------------------------------------------------ the decision


@dataclass(frozen=True)
class Policy:
    """The settings a decision reads: the seed and the sampling rates."""

    seed: str
    physical_rates: Mapping[str, Decimal]  # "<channel>.<level>" → rate
    document_rates: Mapping[str, Decimal]  # "<channel>" → rate
    random_selection: bool = True

    def physical_rate(self, channel: str, level: str) -> Decimal:
        return self.physical_rates.get(f"{channel}.{level}", Decimal(0))

    def document_rate(self, channel: str) -> Decimal:
        return self.document_rates.get(channel, Decimal(0))


@dataclass(frozen=True)
class Decision:
    lane: str
    final: bool
    outcome: str | None
    level: str
    hits: tuple[Hit, ...]

    @property
    def reason_en(self) -> str:
        return reason(self.hits, "en")

    @property
    def reason_zh(self) -> str:
        return reason(self.hits, "zh")


def reason(hits: Iterable[Hit], language: Literal["en", "zh"]) -> str:
    """Every hit as ``why [rule] field=value``, joined."""
    sep = "；" if language == "zh" else "; "
    return sep.join(f"{getattr(h, language)} [{h.rule}] {h.field}={h.value}" for h in hits)


def risk_level(hits: Iterable[tuple[Rule, Hit]]) -> str:
    levels = [rule.level for rule, _ in hits if rule.level in LEVELS]
    return max(levels, key=LEVELS.index, default="low")


def assess(subject: Subject, reference: Reference, policy: Policy) -> Decision:
    """The lane of a list or first-line entry, with the rule behind it (module docstring)."""
    prohibited = all_hits(reference.prohibited, subject)
    if prohibited:
        outcome = min((rule.outcome for rule, _ in prohibited), key=SEVERITY.index)
        return Decision("physical_inspection", True, outcome, "high",
                        tuple(hit for _, hit in prohibited))
    if subject.first_line_cleared:
        return Decision("release", True, "release", "low", (Hit(
            "FIRST-LINE", "InventoryList.itemRecordNo", "all",
            "every item was inspected at first-line entry into the zone: not inspected again",
            "一线进区已检验检疫，二线出区不再查验"),))
    quarantine = all_hits(reference.quarantine, subject)
    if quarantine:
        return Decision("quarantine_treatment", False, None, "high",
                        tuple(hit for _, hit in quarantine))
    risky = all_hits(reference.risk, subject)
    level = risk_level(risky)
    risk_hits = tuple(hit for _, hit in risky)
    lane = "release"
    physical = policy.physical_rate(subject.channel, level)
    document = policy.document_rate(subject.channel)
    if policy.random_selection:
        lane = select(policy.seed, subject.identity, physical, document)
    if lane == "physical_inspection":
        return Decision(lane, False, None, level, (_random_hit(subject, level, physical,
                                                               lane),) + risk_hits)
    if lane == "document_review":
        return Decision(lane, False, None, level, (_random_hit(subject, level, document,
                                                               lane),) + risk_hits)
    documents = tuple(hit for rule, hit in risky if rule.lane == "document_review")
    if documents:
        return Decision("document_review", False, None, level, risk_hits)
    rate = physical if policy.random_selection else Decimal(0)
    return Decision("release", True, "release", level, risk_hits + (Hit(
        "NOT-SELECTED", "identity", subject.identity,
        f"no rule holds the goods; not selected at random ({subject.channel}, risk {level}, "
        f"rate {pct(rate)})",
        f"未命中禁限及检疫规则，未被随机布控（{subject.channel}，风险{LEVEL_ZH[level]}，"
        f"比例{pct(rate)}）"),))


def _random_hit(subject: Subject, level: str, rate: Decimal, lane: str) -> Hit:
    what_en = "physical inspection" if lane == "physical_inspection" else "a documents check"
    what_zh = "查验" if lane == "physical_inspection" else "单证审核"
    return Hit("RANDOM", "identity", subject.identity,
               f"selected at random for {what_en} ({subject.channel}, risk {level}, "
               f"rate {pct(rate)})",
               f"随机布控{what_zh}（{subject.channel}，风险{LEVEL_ZH[level]}，比例{pct(rate)}）")


# ------------------------------------------------------------------ officer results


def resolution_problem(lane: str, state: str, outcome: str) -> str | None:
    """Why an officer may not record ``outcome`` on this inspection (None: they may)."""
    if state != "pending":
        return "the inspection is already decided"
    allowed = RESOLUTIONS.get(lane, frozenset())
    if outcome not in allowed:
        return f"{outcome!r} is not a result of {lane} (one of: {', '.join(sorted(allowed))})"
    return None


AUTO_RESULT: dict[str, tuple[str, str]] = {  # lane → (English, Chinese) of the automatic result
    "document_review": ("documents checked, nothing found", "单证审核无异常"),
    "physical_inspection": ("goods examined, nothing found", "查验无异常"),
    "quarantine_treatment": ("quarantine treatment done (fumigation), goods sound",
                             "检疫处理（熏蒸）完毕，合格"),
}


def auto_result(lane: str, after: str) -> tuple[str, str]:
    """What the automatic officer records when nobody decided within ``after``."""
    en, zh = AUTO_RESULT[lane]
    return (f"automatic officer after {after}: {en}", f"自动关员（{after}后）：{zh}")


OUTCOME_TEXT: dict[str, tuple[str, str]] = {  # outcome → (English, Chinese)
    "release": ("released", "放行"),
    "physical_inspection": ("sent to physical inspection", "转查验"),
    "return_abroad": ("returned abroad / to the consignor", "退运"),
    "destruction": ("destroyed", "销毁"),
    "detained_clearance": ("detained, transferred to the clearance department", "扣留移送通关"),
    "detained_anti_smuggling": ("detained, transferred to the anti-smuggling department",
                                "扣留移送缉私"),
    "detained_legal": ("detained, transferred to the legal department", "扣留移送法规"),
    "detained_other": ("detained", "其它扣留"),
}


def officer_result(officer: str, outcome: str, reason: str) -> tuple[str, str]:
    """An officer's result as (English, Chinese) text: who, what, why."""
    en, zh = OUTCOME_TEXT[outcome]
    return f"officer {officer}: {en}: {reason}", f"关员{officer}：{zh}：{reason}"


def duration_text(seconds: float) -> str:
    """``7200`` → ``PT2H`` (ISO 8601, as the sandbox clock takes it)."""
    total = int(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    time = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "") if total else "PT0S"
