"""The ZBS template message that tells a dossier status after Zalo's 7-day window closed.

Zalo refuses customer-service messages to a citizen who has not interacted with the OA for 7
days (-230, or -232 when never). A dossier status notification is then sent as the office's ZBS
template (``ZALO_STATUS_TEMPLATE_ID``), whose parameters are filled from the intake's event as
``ZALO_STATUS_TEMPLATE_FIELDS`` says, by default ``ma_ho_so`` = the receipt code,
``trang_thai`` = the status label, ``ngay_cap_nhat`` = the date of the change (dd/mm/yyyy,
Vietnam time). The office registers a template with those parameters in Zalo's console and waits
for its approval (connectors/README.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from bhxh_catalog.formatting import format_date
from connectors.common.json_fields import as_text

VIETNAM = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class TemplateMessage:
    """A ZBS template message: the template and a value for each of its parameters.

    Attributes:
        template_id: the template approved by Zalo.
        data: ``{template parameter: value}`` (``template_data`` of the call).
    """

    template_id: str
    data: Mapping[str, str]


def status_values(event: Mapping[str, Any], now: datetime) -> dict[str, str]:
    """The values a status template can be filled with (``STATUS_TEMPLATE_VALUES``).

    Args:
        event: the intake's ``status_changed`` event.
        now: the date used when the event has no readable ``at``.

    Returns:
        ``receipt_code``, ``status_label`` (the status itself when there is no label), ``note``
        (empty when none) and ``date`` (dd/mm/yyyy in Vietnam time).
    """
    return {
        "receipt_code": as_text(event.get("receipt_code")) or "",
        "status_label": as_text(event.get("status_label")) or as_text(event.get("status")) or "",
        "note": as_text(event.get("note")) or "",
        "date": format_date(_moment(event.get("at"), now).astimezone(VIETNAM).date()),
    }


def status_template(
    template_id: str,
    parameters: Mapping[str, str],
    event: Mapping[str, Any],
    now: datetime,
) -> TemplateMessage:
    """The template message of a status notification.

    Args:
        template_id: ``ZALO_STATUS_TEMPLATE_ID``.
        parameters: ``{template parameter: value name}`` (``ZALO_STATUS_TEMPLATE_FIELDS``).
        event: the intake's ``status_changed`` event.
        now: the current time (for an event without a readable ``at``).

    Returns:
        The message, e.g. ``template_data`` = ``{"ma_ho_so": "HS-7K3M-9Q2P", …}``.
    """
    values = status_values(event, now)
    return TemplateMessage(
        template_id, {parameter: values[name] for parameter, name in parameters.items()}
    )


def _moment(value: Any, now: datetime) -> datetime:
    text = as_text(value)
    if text is None:
        return now
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return now
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
