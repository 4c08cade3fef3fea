"""Message-level refusals of customs: the negative returnStatus codes and their texts.

The order, payment and waybill codes are the spec's (202205 表7-2). The spec publishes
no codes for the export list, arrival and departure; ours mirror the import list's
``-621xxx`` codes (marked "simulator").
"""

from __future__ import annotations

from dataclasses import dataclass

from services.customs.domain import Decision, Kind


@dataclass(frozen=True)
class Refusal:
    code: str
    text: str  # "[*]" is replaced by the record's business key

    def info(self, key: str) -> str:
        return self.text.replace("[*]", f"[{key}]")


REFUSALS: dict[tuple[Kind, Decision], Refusal] = {
    ("order", Decision.DUPLICATE): Refusal("-301010", "已存在相同编号的订单[*]"),
    ("order", Decision.NOT_FOUND): Refusal("-301009",
                                           "订单标识(appType)不正确,未找到操作的订单[*]"),
    ("order", Decision.NOT_MODIFIABLE): Refusal("-301011", "该订单已向海关申报清单，状态不符[*]"),
    ("receipt", Decision.DUPLICATE): Refusal("-401007", "已存在相同编号的支付单[*]"),
    ("receipt", Decision.NOT_FOUND): Refusal(
        "-401006", "支付单标识(appType)不正确,未找到对应操作的支付单[*]"),
    ("receipt", Decision.NOT_MODIFIABLE): Refusal(
        "-401008", "该支付单已向海关申报支付单，状态不符[*]"),
    ("waybill", Decision.DUPLICATE): Refusal("-504015", "已存在相同编号的运单[*]"),
    ("waybill", Decision.NOT_FOUND): Refusal("-504014",
                                             "运单标识(appType)不正确,未找到操作的运单[*]"),
    ("waybill", Decision.NOT_MODIFIABLE): Refusal("-504016", "该运单已向海关申报运单，状态不符[*]"),
    # simulator: mirrors -621004 / -621011 / -621012
    ("inventory", Decision.DUPLICATE): Refusal("-603004", "清单[*]已经申报过，请勿重复申报"),
    ("inventory", Decision.NOT_FOUND): Refusal("-603011",
                                               "不存在已申报的清单[*]，无法进行改单操作"),
    ("inventory", Decision.NOT_MODIFIABLE): Refusal("-603012",
                                                    "清单[*]的申报状态不符合改单申报的条件"),
    # simulator: the same pattern for arrival (-507xxx) and departure (-509xxx)
    ("arrival", Decision.DUPLICATE): Refusal("-507004", "运抵单[*]已经申报过，请勿重复申报"),
    ("arrival", Decision.NOT_FOUND): Refusal("-507011", "不存在已申报的运抵单[*]，无法进行变更"),
    ("arrival", Decision.NOT_MODIFIABLE): Refusal("-507012", "运抵单[*]的状态不符合变更条件"),
    ("departure", Decision.DUPLICATE): Refusal("-509004", "离境单[*]已经申报过，请勿重复申报"),
    ("departure", Decision.NOT_FOUND): Refusal("-509011", "不存在已申报的离境单[*]，无法进行变更"),
    ("departure", Decision.NOT_MODIFIABLE): Refusal("-509012", "离境单[*]的状态不符合变更条件"),
}

# Duplicate item numbers inside one record.
DUPLICATE_GNUM: dict[Kind, Refusal] = {
    "order": Refusal("-301002", "订单商品信息内有重复商品序号[*]"),
    "inventory": Refusal("-603027", "请确认表体gnum无重复[*]"),  # simulator, as -621027
}


def refusal(kind: Kind, decision: Decision) -> Refusal:
    """The negative code answering a refused appType decision."""
    return REFUSALS[(kind, decision)]
