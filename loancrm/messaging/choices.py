"""SMS statuses, templates and code purposes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SmsStatus(models.TextChoices):
    SIMULATED = "simulated", _("Simulated (not sent)")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class CodePurpose(models.TextChoices):
    H5_LOGIN = "h5_login", _("H5 sign-in")
    CONTRACT_SIGN = "contract_sign", _("Contract signing")


# The provider-approved SMS templates (in China the wording of each template is registered with the carrier
# gateway, so it is fixed text, not a UI translation). ``{name}`` placeholders are filled from ``params``.
SMS_TEMPLATES: dict[str, str] = {
    "login_code": "【信贷服务】您的验证码为{code}，{minutes}分钟内有效。请勿将验证码告诉他人，工作人员不会向您索取。",
    "application_submitted": "【信贷服务】您的借款申请{number}已提交，我们将尽快审核，请留意短信通知。",
    "correction_requested": "【信贷服务】您的借款申请{number}需要补充资料：{items}。请登录申请页面按提示重新上传。",
    "contract_sign_code": "【信贷服务】您正在签署借款合同，验证码为{code}，{minutes}分钟内有效。请勿将验证码告诉他人。",
    "contract_ready": "【信贷服务】您的借款合同{contract_no}已生成，请打开 {url} 阅读并签署，签署时需输入短信验证码。",
}
# Decision and disbursement notices (loancrm.disbursements.notices)
SMS_TEMPLATES["credit_approved"] = (
    "【信贷服务】您的借款申请{number}已审批通过：金额{amount}元，年利率{rate}，期限{term}个月。请留意签约通知，按提示签署借款合同。"
)
SMS_TEMPLATES["credit_rejected"] = (
    "【信贷服务】很抱歉，您的借款申请{number}未能通过审核。主要原因：{reasons}。感谢您的信任。"
)
SMS_TEMPLATES["loan_disbursed"] = (
    "【信贷服务】您的借款{contract}已放款{amount}元至尾号{tail}的银行账户，首期还款日{first_due}，请按时还款。"
)
