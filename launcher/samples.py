"""Example CEB messages written to files, for walking through a flow with curl."""

from __future__ import annotations

from pathlib import Path

import orjson

from contracts import examples

FILES = ("order", "receipt", "waybill", "inventory", "arrival", "departure")


def write_export_9610(folder: Path, parcel: int, as_json: bool = False) -> list[Path]:
    """The six messages of one 9610 export parcel, numbered 1-6 in the order to send them."""
    folder.mkdir(parents=True, exist_ok=True)
    mirrors = [*examples.export_flow(parcel),
               examples.arrival([parcel], bill=f"BILL{parcel:04d}"),
               examples.departure([parcel], bill=f"BILL{parcel:04d}")]
    written = []
    for number, (name, mirror) in enumerate(zip(FILES, mirrors, strict=True), start=1):
        suffix = "json" if as_json else "xml"
        path = folder / f"{number}-{name}.{suffix}"
        path.write_bytes(orjson.dumps(mirror, option=orjson.OPT_INDENT_2) if as_json
                         else examples.as_xml(mirror))
        written.append(path)
    return written
