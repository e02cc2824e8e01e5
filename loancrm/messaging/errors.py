"""Domain errors of SMS sending and SMS codes (messages shown to the customer, Chinese by default)."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import RateLimited, ValidationFailed


class SmsTooFrequent(RateLimited):
    code = "sms_too_frequent"
    default_message = _("A code was sent less than a minute ago. Please wait before requesting another.")


class SmsDailyLimit(RateLimited):
    code = "sms_daily_limit"
    default_message = _("This mobile has received the most codes allowed today. Please try again tomorrow.")


class SmsAddressLimit(RateLimited):
    code = "sms_address_limit"
    default_message = _("Too many codes were requested from this network. Please try again later.")


class SmsCodeRejected(ValidationFailed):
    """A code that cannot be accepted; ``fields["code"]`` says why."""

    code = "sms_code_rejected"
    default_message = _("The verification code cannot be accepted.")
