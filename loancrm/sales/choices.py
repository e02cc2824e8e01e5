"""Statuses and kinds of follow-up work."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactMethod(models.TextChoices):
    CALL = "call", _("Phone call")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Meeting")


class Intention(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
    NONE = "none", _("None")


class Outcome(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    REFUSED = "refused", _("Refused")
    UNREACHABLE = "unreachable", _("Not reached")


class TaskKind(models.TextChoices):
    FIRST_CALL = "first_call", _("First call")
    SECOND_FOLLOW_UP = "second_follow_up", _("Second follow-up")
    CALLBACK = "callback", _("Agreed call-back")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class InteractionKind(models.TextChoices):
    CALL = "call", _("Call")
    SMS = "sms", _("SMS")
    NOTE = "note", _("Note")
    MEETING = "meeting", _("Meeting")
    FOLLOW_UP = "follow_up", _("Follow-up")
    APP_EVENT = "app_event", _("App event")
    STATUS = "status", _("Status change")
    ASSIGNMENT = "assignment", _("Assignment")


MANUAL_KINDS = (InteractionKind.CALL, InteractionKind.SMS, InteractionKind.NOTE, InteractionKind.MEETING)
