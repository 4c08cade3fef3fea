"""Constrained field types written from the CEB 2022-05 reference.

Every alias mirrors one XSD simple type: ``Str60`` is ``xs:string`` with
``maxLength 60`` (we also refuse an empty value for a field that is present),
``Len36`` a fixed length of 36, ``Dec19_5`` ``xs:decimal`` with ``totalDigits 19`` and
``fractionDigits 5``, ``Int5`` ``xs:int`` with ``totalDigits 5``. Code-table fields
add a membership check against ``contracts.codes``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from contracts import codes


def _str(max_len: int, min_len: int = 1) -> object:
    return StringConstraints(min_length=min_len, max_length=max_len)


Len1 = Annotated[str, _str(1, 1)]
Len3 = Annotated[str, _str(3, 3)]
Len4 = Annotated[str, _str(4, 4)]
Len6 = Annotated[str, _str(6, 6)]
Len8 = Annotated[str, _str(8, 8)]
Len10 = Annotated[str, _str(10, 10)]
Len14 = Annotated[str, _str(14, 14)]
Len17 = Annotated[str, _str(17, 17)]
Len18 = Annotated[str, _str(18, 18)]
Len36 = Annotated[str, _str(36, 36)]

Str3 = Annotated[str, _str(3)]
Str4 = Annotated[str, _str(4)]
Str10 = Annotated[str, _str(10)]
Str15 = Annotated[str, _str(15)]
Str16 = Annotated[str, _str(16)]
Str18 = Annotated[str, _str(18)]
Str19 = Annotated[str, _str(19)]
Str20 = Annotated[str, _str(20)]
Str30 = Annotated[str, _str(30)]
Str32 = Annotated[str, _str(32)]
Str37 = Annotated[str, _str(37)]
Str50 = Annotated[str, _str(50)]
Str60 = Annotated[str, _str(60)]
Str64 = Annotated[str, _str(64)]
Str80 = Annotated[str, _str(80)]
Str100 = Annotated[str, _str(100)]
Str200 = Annotated[str, _str(200)]
Str250 = Annotated[str, _str(250)]
Str255 = Annotated[str, _str(255)]
Str500 = Annotated[str, _str(500)]
Str510 = Annotated[str, _str(510)]
Str1000 = Annotated[str, _str(1000)]
Str5000 = Annotated[str, _str(5000)]
Str3to4 = Annotated[str, _str(4, 3)]
Str18to20 = Annotated[str, _str(20, 18)]

Dec19_5 = Annotated[Decimal, Field(max_digits=19, decimal_places=5)]
Int4 = Annotated[int, Field(ge=-9999, le=9999)]
Int5 = Annotated[int, Field(ge=-99999, le=99999)]
Int9 = Annotated[int, Field(ge=-999999999, le=999999999)]
# xs:int without totalDigits
XsInt = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]


def _in_table(table: dict[str, str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if value not in table:
            raise ValueError(f"{value!r} is not a {what} code")
        return value

    return AfterValidator(check)


def _check_country(value: str) -> str:
    if not codes.is_country(value):
        raise ValueError(f"{value!r} is not a country/region code (3 digits, 101-799 or 999)")
    return value


def _check_ceb_time(length: int) -> AfterValidator:
    def check(value: str) -> str:
        if not codes.is_ceb_time(value, length):
            raise ValueError(f"{value!r} is not a time in the format {codes.TIME_FORMATS[length]}")
        return value

    return AfterValidator(check)


AppType = Literal["1", "2", "3"]
AppStatus = Literal["1", "2"]
IeFlag = Literal["I", "E"]
ExportFlag = Literal["E"]
ImportFlag = Literal["I"]
FeeFlag = Literal["1", "2", "3"]
StatisticsFlag = Literal["A", "B"]
ExportOrderType = Literal["E", "B", "W"]
IdType = Literal["1", "2"]
DxpMode = Literal["DXP"]
SubscribeStatus = Literal["ALL", "DATA", "RET"]
TaxStatus = Literal["1", "2", "3"]
SummaryFlag = Literal["1", "2"]

Currency = Annotated[Len3, _in_table(codes.CURRENCIES, "currency")]
Unit = Annotated[Len3, _in_table(codes.UNITS, "unit of measure")]
Country = Annotated[Len3, AfterValidator(_check_country)]
TradeMode = Annotated[Len4, _in_table(codes.TRADE_MODES, "trade mode (监管方式)")]
TrafMode = Annotated[Len1, _in_table(codes.TRAF_MODES, "transport mode")]
WrapType = Annotated[Len1, _in_table(codes.WRAP_TYPES, "package type")]
CebTime14 = Annotated[Len14, _check_ceb_time(14)]
CebDate8 = Annotated[Len8, _check_ceb_time(8)]
CebTime17 = Annotated[Len17, _check_ceb_time(17)]

# ---- import (进口) rules, ceb-messages.md §4 and the import XSD annotations
Str0to15 = Annotated[str, _str(15, 0)]
Str0to255 = Annotated[str, _str(255, 0)]
Str0to5000 = Annotated[str, _str(5000, 0)]

ImportOrderType = Literal["I"]
LogisticsStatusCode = Literal["S"]  # S = signed for (签收)
CancelAppType = Literal["1"]  # CEB623: 1-新增 only


def _only(allowed: tuple[str, ...], rule: str) -> AfterValidator:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"{value!r} is refused: {rule}")
        return value

    return AfterValidator(check)


ImportCurrency = Annotated[
    Currency, _only((codes.CNY,), "import messages are in CNY only, currency must be '142'")]
ImportIdType = Annotated[
    IdType, _only(("1",), "import allows only id type '1' (ID card, 身份证)")]
ImportTradeMode = Annotated[
    TradeMode, _only(("9610", "1210", "1239"),
                     "an import list is 9610 (direct purchase) or 1210/1239 (bonded)")]
TradeCountry = Annotated[Str3, AfterValidator(_check_country)]
