"""The SMS text chosen by a code's purpose."""

from __future__ import annotations


def test_a_contract_signing_code_is_sent_with_the_signing_text(db):
    from loancrm.messaging.models import SmsMessage
    from loancrm.messaging.services import sms_code_send

    sms_code_send(mobile="13800138000", purpose="contract_sign")

    message = SmsMessage.objects.get()
    assert message.template_code == "contract_sign_code" and "您正在签署借款合同" in message.text
