"""The trainer's commands (demo export-9610, receipts, clock, status) against a running
simulator, through the ``singlewindow`` typer app; the demo's waiting and refusals against
a fake gateway."""

from __future__ import annotations

import io
import json
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from contracts import examples
from launcher import demo as demo_flow
from launcher import trainer
from launcher.cli import app
from launcher.testing import Topology, running_topology

# The test process's own settings must not leak into the commands.
CLEAN_ENV: dict[str, str | None] = {"SW_GATEWAY_ADMIN_TOKEN": None, "SW_DATA_DIR": None,
                                    "COLUMNS": "100"}


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=CLEAN_ENV, input=input)


@pytest.fixture(scope="module")
def topo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    with running_topology(tmp_path_factory.mktemp("trainer")) as running:
        yield running


@dataclass
class Demo:
    """The first demo run (it registered the parties) and the folder of its keys."""

    topo: Topology
    folder: Path
    result: Result | None = None

    def args(self, *extra: str) -> list[str]:
        return ["--gateway", self.topo.gateway_url, *extra]

    def stored(self) -> dict[str, Any]:
        return dict(json.loads((self.folder / trainer.KEYS_FILE).read_text())[
            self.topo.gateway_url])

    def key(self, code: str = examples.AGENT) -> str:
        return str(self.stored()["keys"][code])

    def demo(self, *extra: str, input: str | None = None) -> Result:
        return run("demo", "export-9610", *self.args("--admin-token", self.topo.admin_token,
                                                     "--data-dir", str(self.folder), *extra),
                   input=input)


@pytest.fixture(scope="module")
def demo(topo: Topology, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    first = Demo(topo, tmp_path_factory.mktemp("trainer-keys"))
    first.result = first.demo()
    return first


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.e2e
class TestDemoExport9610:
    def test_a_first_run_registers_the_parties_and_closes_the_list(self, demo: Demo) -> None:
        assert demo.result is not None
        assert demo.result.exit_code == 0, demo.result.output
        assert f"registered {examples.AGENT}" in demo.result.output
        for shown in ("120 海关入库", "399 海关审结", "800 放行", "899 结关", "→ CEB603",
                      "← CEB604", "INV00000001"):
            assert shown in demo.result.output
        view = httpx.get(f"{demo.topo.gateway_url}/api/v1/declarations/INV00000001",
                         headers={"Authorization": f"Bearer {demo.key()}"}).json()
        assert view["status"] == "899"

    def test_a_second_run_reuses_the_stored_keys_and_takes_new_parcels(self,
                                                                        demo: Demo) -> None:
        first = demo.stored()["nextParcel"]
        result = demo.demo("--parcels", "2", "--json")
        assert result.exit_code == 0, result.output
        assert "registered" not in result.output
        assert f"SO{first:08d}" in result.output and f"SO{first + 1:08d}" in result.output
        assert len(re.findall(r"← CEB604 .* 899 结关", result.output)) == 2
        assert demo.stored()["nextParcel"] == first + 2

    def test_with_step_it_waits_for_enter_before_each_message(self, demo: Demo) -> None:
        result = demo.demo("--step", input="\n" * 6)
        assert result.exit_code == 0, result.output
        assert result.output.count("press Enter to send") == 6
        assert "899 结关" in result.output

    def test_a_party_registered_without_a_stored_key_asks_for_reset(self, demo: Demo) -> None:
        (demo.folder / trainer.KEYS_FILE).unlink()
        refused = demo.demo()
        assert refused.exit_code == 1
        assert "already registered" in refused.output and "--reset" in refused.output
        recovered = demo.demo("--reset")
        assert recovered.exit_code == 0, recovered.output
        assert "reset the simulator" in recovered.output
        assert f"registered {examples.AGENT}" in recovered.output
        assert "SO00000001" in recovered.output and "899 结关" in recovered.output


@pytest.mark.e2e
class TestReceipts:
    def test_lists_what_the_demo_produced(self, demo: Demo) -> None:
        result = run("receipts", "--key", demo.key(), *demo.args())
        assert result.exit_code == 0, result.output
        for shown in ("CEB604", "INV00000001", "120 海关入库", "399 海关审结", "800 放行",
                      "899 结关", "next cursor:"):
            assert shown in result.output

    def test_after_the_last_cursor_shows_nothing(self, demo: Demo) -> None:
        first = run("receipts", "--key", demo.key(), *demo.args())
        match = re.search(r"next cursor: (\d+)", first.output)
        assert match, first.output
        again = run("receipts", "--key", demo.key(), "--after", match[1], *demo.args())
        assert again.exit_code == 0
        assert "CEB604" not in again.output
        assert f"next cursor: {match[1]}" in again.output

    def test_xml_prints_the_raw_ceb_receipts(self, demo: Demo) -> None:
        result = run("receipts", "--key", demo.key(), "--xml", *demo.args())
        assert result.exit_code == 0, result.output
        assert result.output.lstrip().startswith("<?xml")
        assert "<ceb:CEB604Message" in result.output and "<ceb:returnStatus>899<" in result.output

    def test_an_unknown_key_is_refused_clearly(self, demo: Demo) -> None:
        result = run("receipts", "--key", "sw_not_a_key", *demo.args())
        assert result.exit_code == 1
        assert "401" in result.output and "invalid_api_key" in result.output


@pytest.mark.e2e
class TestClock:
    def test_set_and_frozen_it_shows_that_time_until_advanced(self, topo: Topology) -> None:
        admin = ["--gateway", topo.gateway_url, "--admin-token", topo.admin_token]
        try:
            changed = run("clock", "--set", "2025-01-01T00:00:00Z", "--freeze", *admin)
            assert changed.exit_code == 0, changed.output
            shown = run("clock", "--gateway", topo.gateway_url)
            assert shown.exit_code == 0, shown.output
            assert "2025-01-01T00:00:00+00:00" in shown.output
            assert "2025-01-01 08:00:00" in shown.output and "frozen" in shown.output
            advanced = run("clock", "--advance", "P1D", *admin)
            assert "2025-01-02T00:00:00+00:00" in advanced.output
        finally:
            back = run("clock", "--real-time", *admin)
        assert back.exit_code == 0 and "running" in back.output

    def test_the_admin_token_is_found_in_the_data_folder(self, topo: Topology) -> None:
        result = run("clock", "--resume", "--gateway", topo.gateway_url,
                     "--data-dir", str(topo.data_dir))
        assert result.exit_code == 0, result.output
        assert "running" in result.output

    def test_a_bad_duration_is_reported_with_the_expected_form(self, topo: Topology) -> None:
        result = run("clock", "--advance", "1D", "--gateway", topo.gateway_url,
                     "--admin-token", topo.admin_token)
        assert result.exit_code == 1
        assert "400" in result.output and "ISO 8601" in result.output

    def test_a_change_without_the_admin_token_says_how_to_give_it(self,
                                                                  tmp_path: Path) -> None:
        result = run("clock", "--freeze", "--data-dir", str(tmp_path),
                     "--gateway", f"http://127.0.0.1:{free_port()}")
        assert result.exit_code == 1
        assert "admin token" in result.output and "--admin-token" in result.output


@pytest.mark.e2e
class TestStatus:
    def test_shows_the_timeline_of_a_list(self, demo: Demo) -> None:
        result = run("status", "INV00000001", "--key", demo.key(), *demo.args())
        assert result.exit_code == 0, result.output
        assert "status 899 结关" in result.output and "timeline" in result.output
        for shown in ("120 海关入库", "399 海关审结", "800 放行"):
            assert shown in result.output

    def test_an_unknown_reference_is_a_clear_error(self, demo: Demo) -> None:
        result = run("status", "NO-SUCH-LIST", "--key", demo.key(), *demo.args())
        assert result.exit_code == 1
        assert "404" in result.output and "declaration_not_found" in result.output


class TestBadGateway:
    @pytest.mark.parametrize("command", [["demo", "export-9610"], ["receipts", "--key", "k"],
                                         ["clock"], ["status", "INV00000001", "--key", "k"]],
                             ids=["demo", "receipts", "clock", "status"])
    def test_a_simulator_that_does_not_answer_exits_1_with_a_clear_message(
            self, command: list[str], tmp_path: Path) -> None:
        url = f"http://127.0.0.1:{free_port()}"
        extra = ["--data-dir", str(tmp_path)] if command[0] == "demo" else []
        result = run(*command, "--gateway", url, *extra)
        assert result.exit_code == 1
        assert f"the simulator does not answer at {url}" in result.output
        assert "singlewindow start" in result.output


class FakeGateway:
    """A gateway that accepts everything and answers receipts only as told."""

    def __init__(self, refuse: bool = False, inspect: bool = False) -> None:
        self.refuse, self.inspect = refuse, inspect
        self.sent: list[dict[str, Any]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/_sim/health":
            return httpx.Response(200, json={"status": "ok", "parts": {}})
        if path == "/_sim/clock":
            return httpx.Response(200, json={"now": "2025-01-01T00:00:00+00:00"})
        if path == "/api/v1/enterprises":
            return httpx.Response(201, json={"apiKey": "sw_" + json.loads(request.content)[
                "code"]})
        if path == "/api/v1/messages":
            self.sent.append(json.loads(request.content))
            return httpx.Response(202, json={"status": "accepted"})
        after = request.url.params["after"]
        if self.inspect and len(self.sent) >= 4 and after == "0":  # the list is selected
            head = trainer.record_of(self.sent[3])
            record = {"copNo": head["copNo"], "returnStatus": "500",
                      "returnTime": "20250101080000000", "returnInfo": "查验 random"}
            return httpx.Response(200, json={"next": "1", "receipts": [{
                "cursor": "1", "messageType": "CEB604Message", "recordGuid": head["guid"],
                "returnStatus": "500", "message": {"InventoryReturn": [record]}}]})
        if not (self.refuse and self.sent and after == "0"):
            return httpx.Response(200, json={"receipts": [], "next": after})
        head = trainer.record_of(self.sent[0])
        record = {"orderNo": head["orderNo"], "returnStatus": "100",
                  "returnTime": "20250101080000000", "returnInfo": "退单 refused"}
        return httpx.Response(200, json={"next": "1", "receipts": [{
            "cursor": "1", "messageType": "CEB304Message", "recordGuid": head["guid"],
            "returnStatus": "100", "message": {"OrderReturn": [record]}}]})

    def run_demo(self, tmp_path: Path, out: io.StringIO | None = None) -> None:
        options = demo_flow.DemoOptions(tmp_path, as_json=True, timeout=0.3)
        with trainer.Gateway("http://fake", admin_token="t",
                             transport=httpx.MockTransport(self.handle)) as gw:
            demo_flow.demo_export_9610(gw, options, Console(file=out or io.StringIO(),
                                                             width=200))


class TestDemoWaiting:
    def test_a_receipt_that_does_not_come_in_time_is_an_error(self, tmp_path: Path) -> None:
        with pytest.raises(trainer.TrainerError, match="399 海关审结 for every list did not "
                                                       "come within 0.3s"):
            FakeGateway().run_demo(tmp_path)

    def test_a_list_selected_for_inspection_tells_the_trainer_what_to_do(
            self, tmp_path: Path) -> None:
        out = io.StringIO()
        with pytest.raises(trainer.TrainerError):
            FakeGateway(inspect=True).run_demo(tmp_path, out)
        text = out.getvalue()
        assert "500 查验" in text
        assert "Selected for inspection" in text and "/api/v1/inspections" in text

    def test_a_refused_record_stops_the_demo_with_its_return_info(self,
                                                                  tmp_path: Path) -> None:
        with pytest.raises(trainer.TrainerError, match="SO00000001 was refused: 100 海关退单"):
            FakeGateway(refuse=True).run_demo(tmp_path)
