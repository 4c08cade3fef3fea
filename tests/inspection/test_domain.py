"""Pure rules of inspection and quarantine: table-driven, on the reference data shipped."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from services.inspection import domain, reference
from services.inspection.domain import Goods, HsRange, Policy, Rule, Subject

REF = reference.load()
NO_RANDOM = Policy(seed="s", physical_rates={}, document_rates={}, random_selection=False)
TSHIRT = ("6109100021", "T恤")


def subject(channel: str, *goods: tuple[str, str], wrap: str | None = "2",
            note: str | None = None, first_line_cleared: bool = False,
            identity: str = "51002025E000000001") -> Subject:
    return Subject(identity=identity, channel=channel,
                   items=tuple(Goods(n, gcode, gname) for n, (gcode, gname) in
                               enumerate(goods, start=1)),
                   wrap_type=wrap, note=note, first_line_cleared=first_line_cleared)


class TestChannelOf:
    @pytest.mark.parametrize(("ie", "mode", "first_line", "channel"), [
        ("E", "9610", False, "export_b2c"), ("E", "9710", False, "export_b2b"),
        ("E", "9810", False, "export_b2b"), ("E", "1210", False, "export_bonded"),
        ("E", "1239", False, "export_bonded"), ("I", "9610", False, "import_direct"),
        ("I", "1210", False, "import_bonded"), ("I", "1239", False, "import_bonded"),
        ("I", "1210", True, "first_line"),
    ])
    def test_direction_and_trade_mode_give_the_channel(self, ie: str, mode: str,
                                                        first_line: bool, channel: str) -> None:
        assert domain.channel_of(ie, mode, first_line=first_line) == channel


class TestHs:
    @pytest.mark.parametrize(("text", "gcode", "covered"), [
        ("0201-0210", "0203123000", True), ("0201-0210", "0211000000", False),
        ("0201-0210", "0201", True), ("01-05", "0402100000", True), ("01-05", "0601", False),
        ("850650 850760", "8507600090", True), ("850650 850760", "8507100000", False),
        ("0401", "040", False),
    ])
    def test_ranges_cover_codes_on_their_leading_digits(self, text: str, gcode: str,
                                                         covered: bool) -> None:
        assert any(r.covers(gcode) for r in domain.parse_hs(text)) is covered

    @pytest.mark.parametrize("text", ["02-0210", "0210-0201", "02a1", "01-"])
    def test_bad_ranges_are_refused(self, text: str) -> None:
        with pytest.raises(ValueError):
            domain.parse_hs(text)

    def test_an_empty_text_is_no_range(self) -> None:
        assert domain.parse_hs("") == ()


WORDS = Rule("W", "prohibited", "en", "zh", hs=(HsRange("0201", "0210"),),
             keywords_zh=("牛肉",), keywords_en=("seed", "bird's nest"), outcome="destruction")
WOOD = Rule("P", "quarantine", "wood", "木", channels=frozenset({"export_b2c"}),
            wrap_types=frozenset({"1", "5"}))


class TestRuleHits:
    @pytest.mark.parametrize(("rule", "subj", "fields"), [
        (WORDS, subject("import_direct", ("0202300000", "冻肉")),
         ["InventoryList[gnum=1].gcode"]),
        (WORDS, subject("import_direct", ("1602500090", "澳洲牛肉干")),
         ["InventoryList[gnum=1].gname"]),
        (WORDS, subject("import_direct", ("1209", "Tomato SEEDS")),
         ["InventoryList[gnum=1].gname"]),
        (WORDS, subject("import_direct", ("0410", "Bird's nest drink")),
         ["InventoryList[gnum=1].gname"]),
        (WORDS, subject("import_direct", ("0806", "seedless grapes")), []),
        (WORDS, subject("import_direct", TSHIRT, ("0201", "x")),
         ["InventoryList[gnum=2].gcode"]),
        (WOOD, subject("export_b2c", TSHIRT, wrap="1"), ["InventoryHead.wrapType"]),
        (WOOD, subject("export_b2c", TSHIRT, wrap="5", note="pallet IPPC marked"), []),
        (WOOD, subject("export_b2c", TSHIRT, wrap="2"), []),
        (WOOD, subject("import_direct", TSHIRT, wrap="1"), []),
    ])
    def test_where_a_rule_hits(self, rule: Rule, subj: Subject, fields: list[str]) -> None:
        assert [h.field for h in domain.rule_hits(rule, subj)] == fields


class TestAssess:
    @pytest.mark.parametrize(("subj", "lane", "final", "outcome", "rules"), [
        (subject("export_b2c", TSHIRT), "release", True, "release", ["NOT-SELECTED"]),
        (subject("export_b2c", ("8507600090", "充电宝 power bank")),
         "physical_inspection", True, "return_abroad", ["P-DG-LITHIUM"]),
        (subject("export_b2c", ("9613100000", "一次性打火机")),
         "physical_inspection", True, "return_abroad", ["P-DG-FLAMMABLE"]),
        (subject("export_b2b", ("8507600090", "锂电池")),
         "document_review", False, None, ["R-LEGAL-BATTERIES"]),
        (subject("export_b2b", ("2811199090", "化学试剂")),
         "document_review", False, None, ["R-LEGAL-CHEMICALS"]),
        (subject("export_b2b", TSHIRT), "release", True, "release", ["NOT-SELECTED"]),
        (subject("import_direct", ("1602500090", "牛肉干")),
         "physical_inspection", True, "return_abroad", ["P-MEAT"]),
        (subject("import_direct", ("0401200000", "纯牛奶 UHT")),
         "physical_inspection", True, "return_abroad", ["P-STERILISED-MILK"]),
        (subject("import_direct", ("2103909000", "Kewpie Mayonnaise")),
         "physical_inspection", True, "return_abroad", ["P-MAYONNAISE"]),
        (subject("import_direct", ("0410900090", "即食燕窝")),
         "physical_inspection", True, "return_abroad", ["P-BIRDS-NEST"]),
        (subject("import_direct", ("0808100000", "新鲜苹果")),
         "physical_inspection", True, "destruction", ["P-FRESH-PRODUCE"]),
        (subject("import_direct", ("1602500090", "牛肉干"), ("9601100000", "象牙雕刻")),
         "physical_inspection", True, "detained_anti_smuggling", ["P-MEAT", "P-ENDANGERED"]),
        (subject("import_direct", TSHIRT), "release", True, "release", ["NOT-SELECTED"]),
        (subject("import_direct", ("0402210000", "全脂奶粉")),
         "release", True, "release", ["R-ANIMAL-PLANT", "NOT-SELECTED"]),
        (subject("export_b2c", ("0808100000", "新鲜苹果 fresh apples")),
         "quarantine_treatment", False, None, ["Q-PLANT"]),
        (subject("export_b2c", ("1905310000", "曲奇饼干")),
         "quarantine_treatment", False, None, ["Q-FOOD"]),
        (subject("export_b2c", TSHIRT, wrap="1"),
         "quarantine_treatment", False, None, ["Q-WOOD-PACKAGING"]),
        (subject("export_b2c", TSHIRT, wrap="1", note="IPPC"),
         "release", True, "release", ["NOT-SELECTED"]),
        (subject("first_line", ("0402210000", "全脂奶粉")),
         "quarantine_treatment", False, None, ["Q-ANIMAL"]),
        (subject("first_line", ("6309000000", "二手衣物")),
         "physical_inspection", True, "return_abroad", ["P-USED-GOODS"]),
        (subject("import_bonded", ("0402210000", "全脂奶粉"), first_line_cleared=True),
         "release", True, "release", ["FIRST-LINE"]),
        (subject("import_bonded", ("9302000000", "仿真枪"), first_line_cleared=True),
         "physical_inspection", True, "detained_anti_smuggling", ["P-WEAPONS"]),
    ])
    def test_the_lane_and_the_rules_behind_it(self, subj: Subject, lane: str, final: bool,
                                              outcome: str | None, rules: list[str]) -> None:
        decision = domain.assess(subj, REF, NO_RANDOM)
        assert (decision.lane, decision.final, decision.outcome) == (lane, final, outcome)
        assert list(dict.fromkeys(h.rule for h in decision.hits)) == rules

    def test_the_reason_names_rule_field_and_value_in_both_languages(self) -> None:
        decision = domain.assess(subject("import_direct", ("1602500090", "牛肉干")), REF,
                                 NO_RANDOM)
        assert decision.reason_en == (
            "meat and meat products may not come in by post, express or 9610 direct purchase "
            "[P-MEAT] InventoryList[gnum=1].gcode=1602500090")
        assert decision.reason_zh == (
            "肉类及其制品禁止以邮寄、快件或跨境电商直购方式进境 [P-MEAT] "
            "InventoryList[gnum=1].gcode=1602500090")

    @pytest.mark.parametrize(("rates", "level", "lane", "rules"), [
        ({"export_b2c.low": D(1)}, "low", "physical_inspection", ["RANDOM"]),
        ({"export_b2c.high": D(1)}, "low", "release", ["NOT-SELECTED"]),
        ({"import_direct.high": D(1)}, "high", "physical_inspection",
         ["RANDOM", "R-ANIMAL-PLANT"]),
    ])
    def test_random_selection_reads_the_rate_of_channel_and_level(
            self, rates: dict[str, D], level: str, lane: str, rules: list[str]) -> None:
        channel = next(iter(rates)).split(".")[0]
        goods = TSHIRT if channel == "export_b2c" else ("0402210000", "全脂奶粉")
        policy = Policy(seed="s", physical_rates=rates, document_rates={})
        decision = domain.assess(subject(channel, goods), REF, policy)
        assert (decision.lane, decision.level) == (lane, level)
        assert [h.rule for h in decision.hits] == rules

    def test_a_documents_check_at_random(self) -> None:
        policy = Policy(seed="s", physical_rates={}, document_rates={"export_b2c": D(1)})
        decision = domain.assess(subject("export_b2c", TSHIRT), REF, policy)
        assert (decision.lane, decision.final) == ("document_review", False)
        assert "selected at random for a documents check" in decision.reason_en

    def test_rules_come_before_random_selection(self) -> None:
        policy = Policy(seed="s", physical_rates={"export_b2c.high": D(1)}, document_rates={})
        decision = domain.assess(subject("export_b2c", ("0808100000", "apples")), REF, policy)
        assert decision.lane == "quarantine_treatment"


class TestSelect:
    IDS = [f"51002025E{n:09d}" for n in range(1, 5001)]

    def sample(self, seed: str, rate: str) -> set[str]:
        return {i for i in self.IDS
                if domain.select(seed, i, D(rate), D(0)) == "physical_inspection"}

    def test_the_same_seed_selects_the_same_lists(self) -> None:
        assert self.sample("class-a", "0.1") == self.sample("class-a", "0.1")

    def test_another_seed_selects_other_lists(self) -> None:
        a, b = self.sample("class-a", "0.1"), self.sample("class-b", "0.1")
        assert a != b
        assert len(a & b) < len(a) / 2  # about 10% of them, by chance

    @pytest.mark.parametrize(("rate", "low", "high"), [
        ("0", 0, 0), ("0.03", 100, 200), ("0.1", 420, 580), ("1", 5000, 5000),
    ])
    def test_the_share_selected_follows_the_rate(self, rate: str, low: int, high: int) -> None:
        assert low <= len(self.sample("singlewindow", rate)) <= high

    def test_a_higher_rate_selects_a_superset(self) -> None:
        assert self.sample("s", "0.05") <= self.sample("s", "0.2")

    @pytest.mark.parametrize(("physical", "document", "lane"), [
        ("0", "0", "release"), ("1", "0", "physical_inspection"),
        ("0", "1", "document_review"), ("0.5", "0.5", "document_review"),
    ])
    def test_lanes_share_one_draw(self, physical: str, document: str, lane: str) -> None:
        # this identity draws 0.95...: document_review needs physical+document above it
        identity = next(i for i in self.IDS if domain.fraction("s", i) > D("0.95"))
        assert domain.select("s", identity, D(physical), D(document)) == lane

    def test_the_draw_is_sha256_of_seed_and_identity(self) -> None:
        assert domain.draw("singlewindow", "51002025E000000001") == int.from_bytes(
            __import__("hashlib").sha256(b"singlewindow|51002025E000000001").digest()[:8],
            "big")


class TestResolution:
    @pytest.mark.parametrize(("lane", "state", "outcome", "allowed"), [
        ("physical_inspection", "pending", "release", True),
        ("physical_inspection", "pending", "return_abroad", True),
        ("physical_inspection", "pending", "detained_other", True),
        ("physical_inspection", "pending", "physical_inspection", False),
        ("document_review", "pending", "physical_inspection", True),
        ("document_review", "pending", "release", True),
        ("quarantine_treatment", "pending", "destruction", True),
        ("quarantine_treatment", "pending", "detained_legal", False),
        ("physical_inspection", "final", "release", False),
        ("release", "pending", "release", False),
        ("physical_inspection", "pending", "bogus", False),
    ])
    def test_what_an_officer_may_record(self, lane: str, state: str, outcome: str,
                                        allowed: bool) -> None:
        assert (domain.resolution_problem(lane, state, outcome) is None) is allowed

    def test_an_officer_result_says_who_what_and_why(self) -> None:
        assert domain.officer_result("Li", "return_abroad", "meat found") == (
            "officer Li: returned abroad / to the consignor: meat found",
            "关员Li：退运：meat found")

    def test_the_automatic_officer_says_after_how_long(self) -> None:
        en, zh = domain.auto_result("physical_inspection", "PT2H")
        assert en == "automatic officer after PT2H: goods examined, nothing found"
        assert zh == "自动关员（PT2H后）：查验无异常"


class TestTexts:
    @pytest.mark.parametrize(("seconds", "text"), [
        (0, "PT0S"), (1800, "PT30M"), (7200, "PT2H"), (86400, "P1D"), (90061, "P1DT1H1M1S"),
    ])
    def test_duration_text(self, seconds: int, text: str) -> None:
        assert domain.duration_text(seconds) == text

    @pytest.mark.parametrize(("rate", "text"), [
        (D("0.03"), "3%"), (D("0.1"), "10%"), (D("0.125"), "12.5%"), (D("0"), "0%"),
        (D("1"), "100%"),
    ])
    def test_pct(self, rate: D, text: str) -> None:
        assert domain.pct(rate) == text
