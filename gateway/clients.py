"""Typed clients of the agencies: one shared ``httpx.AsyncClient``, explicit timeouts.

A downstream problem passes through with its status; a timeout is a 504, a refused
connection a 502.
"""

from __future__ import annotations

from typing import Any

import httpx

from infra.errors import AppError, UpstreamError, UpstreamTimeout


class _Passthrough(AppError):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(str(body.get("detail", "")), code=str(body.get("code", "upstream")))
        self.status = status
        self.body = body

    def problem(self) -> dict[str, Any]:
        return self.body


class AgencyClient:
    def __init__(self, name: str, base_url: str, http: httpx.AsyncClient) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.http = http

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self.http.request(method, self.base_url + path, **kwargs)
        except httpx.TimeoutException:
            raise UpstreamTimeout(f"{self.name} did not answer in time",
                                  code=f"{self.name}_timeout") from None
        except httpx.TransportError as exc:
            raise UpstreamError(f"{self.name} is unreachable: {exc.__class__.__name__}",
                                code=f"{self.name}_unreachable") from None
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {"detail": response.text[:500], "status": response.status_code}
            raise _Passthrough(response.status_code, body)
        return response.json()

    async def health(self) -> dict[str, Any]:
        try:
            result: dict[str, Any] = await self.request("GET", "/health")
            return result
        except AppError as exc:
            return {"service": self.name, "status": "down", "detail": exc.detail}

    async def reset(self, timeout: float) -> Any:
        """Empty the agency's data (a reset deletes every row: it gets a timeout of its own)."""
        return await self.request("POST", "/_sim/reset",
                                  timeout=httpx.Timeout(timeout, connect=2.0))


class CustomsClient(AgencyClient):
    async def declaration(self, ref: str, owner: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("GET", f"/declarations/{ref}",
                                                    params={"owner": owner})
        return result

    # retail imports (services/customs/import_)
    async def first_line_entry(self, ems_no: str, body: dict[str, Any], *, owner: str,
                               admin: bool) -> dict[str, Any]:
        result: dict[str, Any] = await self.request(
            "POST", f"/import/account-books/{ems_no}/entries", json=body,
            params={"owner": owner, "admin": admin})
        return result

    async def account_book(self, ems_no: str, *, owner: str, admin: bool) -> dict[str, Any]:
        result: dict[str, Any] = await self.request(
            "GET", f"/import/account-books/{ems_no}", params={"owner": owner, "admin": admin})
        return result

    async def buyer_usage(self, buyer_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("GET", f"/import/buyers/{buyer_id}/usage")
        return result


class InspectionClient(AgencyClient):
    """The officer console of inspection and quarantine, and first-line entry (1210)."""

    async def inspections(self, *, state: str = "pending", subject: str | None = None,
                          limit: int = 200) -> dict[str, Any]:
        params: dict[str, Any] = {"state": state, "limit": limit}
        if subject:
            params["subject"] = subject
        result: dict[str, Any] = await self.request("GET", "/inspections", params=params)
        return result

    async def inspection(self, decision_id: int) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("GET", f"/inspections/{decision_id}")
        return result

    async def record_result(self, decision_id: int, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self.request(
            "POST", f"/inspections/{decision_id}/result", json=body)
        return result

    async def first_line(self, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("POST", "/first-line-inspections",
                                                    json=body)
        return result

    async def reference(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("GET", "/reference")
        return result


class TaxClient(AgencyClient):
    """Import tax: the withholding agents' guarantees and the tax bills."""

    async def set_guarantee(self, assure_code: str, amount: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("PUT", f"/guarantees/{assure_code}",
                                                    json={"amount": amount})
        return result

    async def guarantee(self, assure_code: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("GET", f"/guarantees/{assure_code}")
        return result

    async def tax_bill(self, ref: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("GET", f"/tax-bills/{ref}")
        return result
