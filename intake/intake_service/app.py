"""The FastAPI application: API, staff console, webhook worker."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from intake_service import __version__, api, console, handoff_api, inbox, privacy_pages
from intake_service.attachments import AttachmentStore
from intake_service.catalog_fields import CatalogFields
from intake_service.context import Services
from intake_service.crypto import DataCipher, KeyProblem, install_cipher
from intake_service.db import Database
from intake_service.dossiers import LOCAL_TZ, DossierService
from intake_service.due_dates import DueDates
from intake_service.errors import install_exception_handlers
from intake_service.handoff_codes import HandoffCodeService
from intake_service.handoff_expiry import ExpiryWorker
from intake_service.handoffs import HandoffService
from intake_service.login_throttle import DatabaseLoginThrottle
from intake_service.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from intake_service.migrate import current_revision, head_revision
from intake_service.models import utcnow
from intake_service.office_hours import OfficeHoursError, parse_office_hours
from intake_service.privacy import RetentionWorker
from intake_service.reply_templates import ReplyTemplates
from intake_service.settings import Settings, load_settings, weak_secrets_message
from intake_service.templating import build_templates
from intake_service.webhooks import DeliveryPolicy, WebhookWorker

__all__ = ["ConfigurationError", "create_app"]

PACKAGE_DIR = Path(__file__).resolve().parent
SESSION_HOURS = 10  # one working day at the hotline desk
HANDOFF_BODY_BYTES = 1024 * 1024


class ConfigurationError(RuntimeError):
    """The service cannot start; the message says what to run."""


def _derive(secret: str, purpose: str) -> str:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def create_app(
    settings: Settings | None = None,
    *,
    catalog: CatalogFields | None = None,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
    webhook_policy: DeliveryPolicy | None = None,
    clock: Callable[[], datetime] = utcnow,
    expiry_poll_seconds: float = 5.0,
) -> FastAPI:
    """Builds the application.

    Args:
        settings: the configuration (read from the environment when omitted).
        catalog: the catalog seam (loaded from ``catalog/data`` when omitted).
        webhook_transport: httpx transport for the webhook worker and the staff replies
            (tests).
        webhook_policy: retry policy of the webhook worker (tests shorten the delays).
        clock: the time of the handoff operations (tests move it forward).
        expiry_poll_seconds: time between two rounds of the handoff expiry worker.

    Raises:
        ConfigurationError: secrets are missing (run ``python -m intake_service bootstrap``),
            too short or placeholders (``change-me``), or the office hours cannot be read.
    """
    settings = settings or load_settings()
    if not settings.secret_key or not settings.api_key:
        raise ConfigurationError(
            "Thiếu INTAKE_SECRET_KEY / INTAKE_API_KEY: chạy `python -m intake_service bootstrap`."
        )
    problems = settings.secret_problems()
    if problems:
        raise ConfigurationError(weak_secrets_message(problems))
    try:
        data_cipher = DataCipher.from_setting(settings.data_keys)
    except KeyProblem as exc:
        raise ConfigurationError(str(exc)) from None
    install_cipher(data_cipher)
    try:
        hours = parse_office_hours(
            settings.office_hours, settings.office_timezone, settings.office_closed_days
        )
    except OfficeHoursError as exc:
        raise ConfigurationError(str(exc)) from None
    db = Database(settings.database_url)
    catalog = catalog or CatalogFields.load()
    worker = (
        WebhookWorker(
            db,
            settings.bot_events_url,
            settings.bot_webhook_secret,
            policy=webhook_policy,
            transport=webhook_transport,
        )
        if settings.webhooks_enabled and settings.bot_webhook_secret
        else None
    )
    dossiers = DossierService(
        db=db,
        catalog=catalog,
        store=AttachmentStore(settings.attachments_dir, settings.max_upload_bytes, data_cipher),
        secret_key=_derive(settings.secret_key, "search"),
        notify=worker.wake if worker else (lambda: None),
        due_dates=DueDates(
            catalog.processing_limit,
            hours.closed,
            lambda: datetime.now(LOCAL_TZ).date(),
        ),
    )
    handoffs = HandoffService(
        db=db,
        catalog=catalog,
        hours=hours,
        timeout=timedelta(minutes=settings.handoff_timeout_minutes),
        bot_url=settings.bot_events_url,
        bot_secret=settings.bot_webhook_secret,
        reply_timeout=settings.staff_message_timeout_seconds,
        transport=webhook_transport,
        clock=clock,
        notify=worker.wake if worker else (lambda: None),
    )
    codes = HandoffCodeService(
        db=db,
        catalog=catalog,
        ttl=timedelta(hours=settings.handoff_code_hours),
        zalo_oa_id=settings.zalo_oa_id,
        telegram_bot=settings.telegram_bot_username,
        clock=clock,
    )
    expiry = ExpiryWorker(handoffs, expiry_poll_seconds)
    retention = RetentionWorker(db, settings.retention, settings.purge_interval_seconds)
    svc = Services(
        settings=settings,
        db=db,
        catalog=catalog,
        dossiers=dossiers,
        handoffs=handoffs,
        codes=codes,
        reply_templates=ReplyTemplates(db),
        throttle=DatabaseLoginThrottle(
            db, settings.login_max_failures, settings.login_window_seconds
        ),
        worker=worker,
        templates=build_templates(PACKAGE_DIR / "templates", catalog),
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        revision = await asyncio.to_thread(current_revision, db.engine)
        if revision != head_revision():
            raise ConfigurationError(
                f"Cơ sở dữ liệu ở phiên bản {revision or 'trống'}, cần {head_revision()}: "
                "chạy `python -m intake_service migrate`."
            )
        stop = asyncio.Event()
        tasks = [asyncio.create_task(expiry.run(stop)), asyncio.create_task(retention.run(stop))]
        if worker is not None:
            tasks.append(asyncio.create_task(worker.run(stop)))
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks)
            db.dispose()

    app = FastAPI(
        title="Trợ lý BHXH — dịch vụ tiếp nhận hồ sơ",
        version=__version__,
        description=(
            "Tiếp nhận hồ sơ từ trợ lý (Zalo, Messenger, Telegram, web), theo dõi trạng thái và "
            "báo kết quả cho người dân. Trợ lý xác thực bằng X-API-Key; cán bộ bằng tài khoản."
        ),
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = svc
    app.include_router(api.build_router())
    app.include_router(handoff_api.build_router())
    app.include_router(console.router)
    app.include_router(inbox.router)
    app.include_router(privacy_pages.router)
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")
    install_exception_handlers(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=_derive(settings.secret_key, "session"),
        session_cookie="intake_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=settings.max_json_bytes,
        limits=[
            (r"/api/v1/dossiers/[^/]+/attachments", settings.max_upload_bytes + 64 * 1024),
            (r"/api/v1/handoffs", HANDOFF_BODY_BYTES),  # carries the conversation's transcript
        ],
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.secure_cookies)
    return app
