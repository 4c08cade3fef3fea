"""Official samples never crash the window; a killed worker loses no message."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from lxml import etree

from contracts import examples
from launcher.testing import Topology, running_topology
from tests.e2e.conftest import Window, record_guid, reference_dir

SAMPLE_SENDERS = {"1101180326": ["ebp", "ebc", "logistics", "payment", "agent", "warehouse"],
                  "1105910159": ["ebp", "ebc", "logistics", "payment", "agent", "warehouse"]}


def _samples() -> list[Path]:
    folder = reference_dir() / "samples"
    return sorted(folder.glob("*/*.xml")) if folder.exists() else []


def test_every_official_sample_gets_a_receipt_or_a_named_format_error(window: Window) -> None:
    samples = _samples()
    if not samples:
        pytest.skip("official samples not present")
    for code, roles in SAMPLE_SENDERS.items():
        window.register(code, roles)
    sender_key = next(iter(SAMPLE_SENDERS))
    accepted: dict[str, tuple[str, str]] = {}  # message id -> (sample, sender)
    for path in samples:
        body = path.read_bytes()
        root = etree.fromstring(body)
        copcode = root.findtext(".//{*}BaseTransfer/{*}copCode")
        sender = copcode if copcode in SAMPLE_SENDERS else sender_key
        response = window.post_raw(sender, body, "application/xml")
        assert response.status_code in (202, 400, 403, 409), (path.name, response.text[:300])
        if response.status_code == 202:
            accepted[response.json()["messageId"]] = (path.name, sender)
            continue
        if response.status_code == 409:  # the samples reuse one root guid
            assert response.json()["errors"][0]["path"].endswith("/@guid")
            continue
        if response.status_code == 400:
            error = etree.fromstring(response.content)
            info = error.findtext("{*}MessageReturn/{*}returnInfo") or ""
            assert info.startswith(root.tag.split("}")[1]), (path.name, info[:200])
        else:  # the sample's copCode is not a registrable 10-character enterprise code
            assert response.json()["errors"][0]["path"].endswith("BaseTransfer/copCode")
    assert accepted, "no sample was accepted"
    for message_id, (name, sender) in accepted.items():
        assert _receipts_of(window, sender, message_id), f"{name}: no receipt"
    health = window.http.get("/_sim/health").json()
    assert health["status"] == "ok", health


def _receipts_of(window: Window, sender: str, message_id: str) -> list[str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = window.http.get(f"/api/v1/messages/{message_id}", headers={
            "Authorization": f"Bearer {window.keys[sender]}"}).json()
        if status["processed"] and status["receipts"]:
            return [r["returnStatus"] for r in status["receipts"]]
        time.sleep(0.05)
    return []


@pytest.fixture
def fragile(tmp_path: Path) -> Topology:
    env = {"SW_GATEWAY_REDISPATCH_AFTER_SECONDS": "3"}
    with running_topology(tmp_path, env) as topo:
        yield topo  # type: ignore[misc]


def test_killing_the_customs_worker_mid_job_loses_no_message(fragile: Topology) -> None:
    window = Window(fragile)
    window.register_flow_parties()
    orders = [examples.order(n) for n in range(1, 301)]
    for mirror in orders:
        assert window.send(mirror).status_code == 202
    pid = fragile.pids()["worker-customs-1"]
    deadline = time.monotonic() + 30
    while not window.receipts(examples.EBP) and time.monotonic() < deadline:
        time.sleep(0.01)  # the worker has started on the batch
    fragile.kill("worker-customs-1")
    fragile.wait_restarted("worker-customs-1", pid)
    window.cursors.clear()
    wanted = {record_guid(m) for m in orders}
    statuses: dict[str, list[str]] = {}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        for receipt in window.receipts(examples.EBP):
            statuses.setdefault(receipt["recordGuid"], []).append(receipt["returnStatus"])
        if all(statuses.get(g) == ["2", "120"] for g in wanted):
            break
        time.sleep(0.2)
    missing = [g for g in wanted if statuses.get(g) != ["2", "120"]]
    assert not missing, f"{len(missing)} orders without their receipts, e.g. " \
                        f"{[statuses.get(g) for g in missing[:3]]}"
    window.http.close()


def test_a_key_works_as_soon_as_its_registration_is_answered(window: Window) -> None:
    for n in range(20):
        code = f"QUICK{n:05d}"
        window.register(code, ["ebp"])
        response = window.http.get("/api/v1/receipts", headers={
            "Authorization": f"Bearer {window.keys[code]}"})
        assert response.status_code == 200, (code, response.text)
