"""Domain errors render the one error shape in the active language."""

from __future__ import annotations

from django.utils import translation

from loancrm.core.errors import Conflict, DomainError, NotFound, ValidationFailed


def test_error_shape_in_chinese_and_english():
    error = ValidationFailed(fields={"amount": ["This field is required."]})
    with translation.override("zh-hans"):
        assert error.as_dict() == {
            "code": "validation_error",
            "message": "部分字段无效。",
            "fields": {"amount": ["This field is required."]},
        }
    with translation.override("en"):
        assert error.as_dict()["message"] == "Some fields are invalid."


def test_codes_statuses_and_custom_messages():
    assert (NotFound.code, NotFound.status) == ("not_found", 404)
    assert (Conflict().status, Conflict("already there").as_dict()["message"]) == (409, "already there")
    custom = DomainError("x", code="my_code")
    assert custom.code == "my_code" and DomainError.code == "domain_error"
    assert ValidationFailed(fields={"a": "one message"}).as_dict()["fields"] == {"a": ["one message"]}
