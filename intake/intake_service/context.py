"""The objects one running service shares between requests (built by ``app.create_app``)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from starlette.templating import Jinja2Templates

from intake_service.catalog_fields import CatalogFields
from intake_service.db import Database
from intake_service.dossiers import DossierService
from intake_service.handoff_codes import HandoffCodeService
from intake_service.handoffs import HandoffService
from intake_service.login_throttle import DatabaseLoginThrottle
from intake_service.reply_templates import ReplyTemplates
from intake_service.settings import Settings
from intake_service.webhooks import WebhookWorker

__all__ = ["Services", "services"]


@dataclass
class Services:
    """Everything a request handler may need.

    Attributes:
        settings: the configuration.
        db: the database.
        catalog: the seam to the procedure catalog.
        dossiers: dossier operations.
        handoffs: human handoff operations.
        codes: the codes made for callers.
        reply_templates: the short replies of the handoff inbox.
        throttle: failed sign-in counter.
        worker: the webhook delivery worker (None when disabled in this process).
        templates: the console's Jinja2 templates.
    """

    settings: Settings
    db: Database
    catalog: CatalogFields
    dossiers: DossierService
    handoffs: HandoffService
    codes: HandoffCodeService
    reply_templates: ReplyTemplates
    throttle: DatabaseLoginThrottle
    worker: WebhookWorker | None
    templates: Jinja2Templates


def services(request: Request) -> Services:
    """The services of the application handling this request."""
    svc: Services = request.app.state.services
    return svc
