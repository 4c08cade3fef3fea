"""The reference data shipped with inspection, and a folder of one's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.inspection import reference
from services.inspection.domain import CHANNELS


class TestShipped:
    def test_every_file_loads(self) -> None:
        ref = reference.load()
        assert len(ref.prohibited) >= 15 and len(ref.quarantine) >= 4 and len(ref.risk) >= 5

    def test_the_prohibited_carry_and_post_list_is_there(self) -> None:
        codes = {r.code for r in reference.load().prohibited}
        assert {"P-MEAT", "P-STERILISED-MILK", "P-MAYONNAISE", "P-BIRDS-NEST"} <= codes

    def test_every_channel_named_exists(self) -> None:
        ref = reference.load()
        for rule in (*ref.prohibited, *ref.quarantine, *ref.risk):
            assert rule.channels <= set(CHANNELS), rule.code

    def test_the_readme_documents_every_file_and_rule(self) -> None:
        readme = (reference.DATA_DIR.parent / "README.md").read_text(encoding="utf-8")
        for name in reference.FILES.values():
            assert name in readme
        ref = reference.load()
        for rule in (*ref.prohibited, *ref.quarantine, *ref.risk):
            assert rule.code in readme, rule.code


class TestOwnFolder:
    def test_a_file_of_ones_own_replaces_the_shipped_one(self, tmp_path: Path) -> None:
        (tmp_path / "risk.csv").write_text(
            "code,channels,hs,keywords_zh,keywords_en,level,lane,en,zh\n"
            "R-OWN,export_b2c,6109,,,high,,T-shirts are risky,T恤高风险\n", encoding="utf-8")
        ref = reference.load(tmp_path)
        assert [r.code for r in ref.risk] == ["R-OWN"]
        assert ref.prohibited == reference.load().prohibited

    @pytest.mark.parametrize(("line", "message"), [
        ("P-X,nowhere,0201,,,return_abroad,en,zh", "unknown channel"),
        ("P-X,*,0201,,,vanish,en,zh", "outcome 'vanish'"),
        ("P-X,*,02-0210,,,return_abroad,en,zh", "bad HS range"),
        ("P-X,*,,,,return_abroad,en,zh", "needs HS codes, keywords"),
        ("P-X,*,0201,,,return_abroad,,zh", "code, en and zh are required"),
    ])
    def test_a_bad_line_is_named(self, tmp_path: Path, line: str, message: str) -> None:
        (tmp_path / "prohibited.csv").write_text(
            "code,channels,hs,keywords_zh,keywords_en,outcome,en,zh\n" + line + "\n",
            encoding="utf-8")
        with pytest.raises(reference.ReferenceError, match="prohibited.csv line 2: .*" + message):
            reference.load(tmp_path)
