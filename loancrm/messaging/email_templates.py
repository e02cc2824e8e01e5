"""E-mail templates of the customer notices (subject and body, fixed Chinese text like the SMS templates; the
``{name}`` placeholders are filled from ``params``)."""

from __future__ import annotations

EMAIL_TEMPLATES: dict[str, tuple[str, str]] = {
    "credit_approved": (
        "您的借款申请{number}已审批通过",
        "尊敬的{name}：\n\n您的借款申请{number}已审批通过，批准条件如下：\n"
        "  借款金额：{amount}元\n  年利率：{rate}\n  借款期限：{term}个月\n  还款方式：{method}\n\n"
        "下一步：请留意签约通知，登录申请页面阅读并签署借款合同。合同签署并完成放款前检查后，我们将向您的银行账户放款。\n\n"
        "此邮件由系统自动发送，请勿回复。",
    ),
    "credit_rejected": (
        "关于您的借款申请{number}的审核结果",
        "尊敬的{name}：\n\n很抱歉，您的借款申请{number}未能通过审核。主要原因：\n{reasons}\n\n"
        "您可在情况变化后重新申请。如有疑问，请联系您的客户经理。\n\n此邮件由系统自动发送，请勿回复。",
    ),
    "loan_disbursed": (
        "您的借款{contract}已放款",
        "尊敬的{name}：\n\n您的借款（合同号{contract}）已放款{amount}元至您尾号{tail}的银行账户。\n"
        "首期还款日：{first_due}，首期应还：{first_amount}元。请按时还款，以免产生罚息并影响个人信用。\n\n"
        "此邮件由系统自动发送，请勿回复。",
    ),
}
