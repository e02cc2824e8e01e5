"""Demo data: version 1 of each consent text (idempotent)."""

from __future__ import annotations

from loancrm.compliance.models import ConsentText, Purpose
from loancrm.compliance.services import consent_text_publish

TEXTS = {
    Purpose.CONTACT: (
        "个人信息处理授权（咨询联系）",
        "本人同意贵司收集本人填写的姓名、手机号、所在城市及借款意向，仅用于就本人的借款咨询与本人联系并推荐合适的产品，"
        "保存期限为提交之日起六个月；本人可随时联系客服撤回本同意并要求删除。",
    ),
    Purpose.CREDIT_BUREAU: (
        "个人征信查询授权书",
        "本人同意贵司为审核本人贷款申请、贷后管理之目的，向中国人民银行征信中心及经批准设立的征信机构查询、"
        "打印、保存本人的信用报告，授权期限自本授权书签署之日起至贷款结清之日止。",
    ),
    Purpose.PARTNER_SHARING: (
        "个人信息共享授权书",
        "本人同意贵司为完成贷款审核及放款之目的，向合作银行、担保机构提供本人的姓名、身份证号、手机号及申请信息，"
        "接收方仅可在上述目的范围内使用，保存期限不超过业务办理所需的最短时间。",
    ),
    Purpose.MARKETING: (
        "营销信息接收同意书",
        "本人同意接收贵司通过短信、电话发送的产品与活动信息。本人可随时通过回复退订或联系客服撤回本同意，"
        "撤回不影响撤回前基于同意已进行的处理。",
    ),
    Purpose.SENSITIVE_DATA: (
        "敏感个人信息处理同意书",
        "本人知悉贵司将处理本人的身份证件、银行账户、收入及社保公积金等敏感个人信息，用于身份核验与信用评估，"
        "处理的必要性及对本人权益的影响已向本人告知。本人可随时撤回本同意。",
    ),
}


def seed() -> list[str]:
    for purpose, (title, body) in TEXTS.items():
        if not ConsentText.objects.filter(purpose=purpose).exists():
            consent_text_publish(actor=None, purpose=purpose, title=title, body=body)
    return []
