"""The gateway's own database: its table registry and per-process engine."""

from __future__ import annotations

from sqlalchemy.orm import registry

from gateway.config import get_settings
from infra.db import TableModel
from infra.resources import PartResources


class GatewayTable(TableModel, registry=registry()):
    """Base of the gateway's tables."""


resources = PartResources("gateway", GatewayTable.metadata, get_settings)
