"""Message-level refusals of import documents: negative returnStatus codes and their texts.

The spec's codes where it publishes them (ceb-messages.md §5.4: −301xxx orders, −401xxx
payments, −504xxx waybills, −621xxx lists, −623xxx cancels, −625xxx returns, −800xxx
warehouse entries); the others follow the same pattern and are marked "simulator".
"""

from __future__ import annotations

from services.customs.domain import Decision
from services.customs.errors import Refusal
from services.customs.import_ import domain as imp

REFUSALS: dict[tuple[str, Decision], Refusal] = {
    (imp.ORDER, Decision.DUPLICATE): Refusal("-301010", "已存在相同编号的订单[*]"),
    (imp.ORDER, Decision.NOT_FOUND): Refusal("-301009",
                                             "订单标识(appType)不正确,未找到操作的订单[*]"),
    (imp.ORDER, Decision.NOT_MODIFIABLE): Refusal("-301011",
                                                  "该订单已向海关申报清单，状态不符[*]"),
    (imp.PAYMENT, Decision.DUPLICATE): Refusal("-401007", "已存在相同编号的支付单[*]"),
    (imp.PAYMENT, Decision.NOT_FOUND): Refusal(
        "-401006", "支付单标识(appType)不正确,未找到对应操作的支付单[*]"),
    (imp.PAYMENT, Decision.NOT_MODIFIABLE): Refusal(
        "-401008", "该支付单已向海关申报清单，状态不符[*]"),
    (imp.WAYBILL, Decision.DUPLICATE): Refusal("-504015", "已存在相同编号的运单[*]"),
    (imp.WAYBILL, Decision.NOT_FOUND): Refusal("-504014",
                                               "运单标识(appType)不正确,未找到操作的运单[*]"),
    (imp.WAYBILL, Decision.NOT_MODIFIABLE): Refusal("-504016",
                                                    "该运单已向海关申报清单，状态不符[*]"),
    (imp.LIST, Decision.DUPLICATE): Refusal("-621004", "该订单的清单[*]已经申报过，请勿重复申报"),
    (imp.LIST, Decision.NOT_FOUND): Refusal("-621011", "不存在已申报的清单[*]，无法进行改单操作"),
    (imp.LIST, Decision.NOT_MODIFIABLE): Refusal("-621012",
                                                 "清单[*]的申报状态不符合改单申报的条件"),
    (imp.CANCEL, Decision.DUPLICATE): Refusal("-623009", "清单[*]已经申请撤销，请勿重复申请"),
    (imp.CANCEL, Decision.NOT_FOUND): Refusal("-623003", "撤销申请单[*]不存在"),
    (imp.CANCEL, Decision.NOT_MODIFIABLE): Refusal("-623005", "撤销申请单[*]的状态不允许变更"),
    # simulator: the spec leaves these return codes open
    (imp.RETURN, Decision.DUPLICATE): Refusal("-625004", "清单[*]已经申请退货，请勿重复申请"),
    (imp.RETURN, Decision.NOT_FOUND): Refusal("-625003", "退货申请单[*]不存在"),
    (imp.RETURN, Decision.NOT_MODIFIABLE): Refusal("-625005", "退货申请单[*]的状态不允许变更"),
    (imp.DELIVERY, Decision.DUPLICATE): Refusal("-800003", "入库明细单[*]已存在"),
    (imp.DELIVERY, Decision.NOT_FOUND): Refusal("-800002", "入库明细单[*]不存在"),  # simulator
    (imp.DELIVERY, Decision.NOT_MODIFIABLE): Refusal("-800004",
                                                     "入库明细单[*]的状态不允许变更"),  # sim.
    # waybill status: the spec's range is -505000…-505017; these numbers are the simulator's
    (imp.SIGNED, Decision.DUPLICATE): Refusal("-505004", "运单[*]已申报签收状态，请勿重复申报"),
    (imp.SIGNED, Decision.NOT_FOUND): Refusal("-505003", "运单状态[*]不存在"),
    (imp.SIGNED, Decision.NOT_MODIFIABLE): Refusal("-505005", "运单状态[*]不允许变更"),
}

DUPLICATE_GNUM: dict[str, Refusal] = {
    imp.ORDER: Refusal("-301002", "订单商品信息内有重复商品序号[*]"),
    imp.LIST: Refusal("-621027", "请确认表体gnum无重复[*]"),
    imp.RETURN: Refusal("-625027", "请确认退货表体gnum无重复[*]"),  # simulator
    imp.DELIVERY: Refusal("-800005", "请确认入库明细表体gnum无重复[*]"),  # simulator
}

# A cancel or return whose list customs cannot act on.
CANCEL_LIST_NOT_FOUND = Refusal("-623003", "未找到要撤销的清单[*]")
CANCEL_RELEASED = Refusal("-623005", "清单[*]已放行或已撤销，状态不允许撤销")
RETURN_LIST_NOT_FOUND = Refusal("-625003", "未找到要退货的清单[*]")  # simulator
RETURN_NOT_RELEASED = Refusal("-625005", "清单[*]未放行，不能申请退货")  # simulator
RETURN_LINES = Refusal("-625209", "退货表体与原清单不符[*]")
SIGNED_NO_WAYBILL = Refusal("-505002", "未找到已申报的运单[*]")  # simulator


def refusal(kind: str, decision: Decision) -> Refusal:
    """The negative code answering a refused appType decision."""
    return REFUSALS[(kind, decision)]
