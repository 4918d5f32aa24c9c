"""Who is calling: the bot (API key) or a staff member (console session or HTTP Basic).

The bot sends ``X-API-Key``. Staff use the console (a signed session cookie plus a CSRF token on
every form and unsafe API call) or, for scripts, HTTP Basic with their console account. Failed
sign-ins are rate limited per client address and per user name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPBasic, HTTPBasicCredentials
from sqlalchemy import select

from intake_service import audit
from intake_service.context import Services, services
from intake_service.models import User, utcnow
from intake_service.security import constant_time_equal, new_token, verify_password

__all__ = [
    "CSRF_HEADER",
    "LoginRequired",
    "LoginThrottled",
    "PasswordChangeRequired",
    "Principal",
    "api_principal",
    "authenticate",
    "client_ip",
    "csrf_token",
    "end_session",
    "require_admin",
    "require_staff",
    "session_user",
    "staff_principal",
    "start_session",
]

CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="Khóa API của trợ lý (INTAKE_API_KEY)."
)
basic_scheme = HTTPBasic(auto_error=False, description="Tài khoản cán bộ (cho script).")


@dataclass(frozen=True)
class Principal:
    """The authenticated caller.

    Attributes:
        name: ``bot`` or the staff user name (recorded as the actor).
        kind: ``bot`` or ``staff``.
        role: ``bot``, ``staff`` or ``admin``.
    """

    name: str
    kind: Literal["bot", "staff"]
    role: str
    province: str | None = None  # a staff account limited to one province (issue 17)

    def sees(self, province: str | None) -> bool:
        """Whether this caller may see a dossier of ``province``."""
        scoped = self.kind == "staff" and self.role != "admin" and self.province
        return not scoped or province == self.province


class LoginRequired(Exception):
    """The console page needs a signed-in staff member; the handler redirects to the login."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class PasswordChangeRequired(Exception):
    """The account's password was generated: the console shows the password form first."""


MUST_CHANGE_TEXT = (
    "Tài khoản dùng mật khẩu được cấp tự động: đổi mật khẩu ở /console/account trước."
)
PASSWORD_CHANGE_PATHS = frozenset({"/console/account", "/console/logout"})


class LoginThrottled(Exception):
    """Too many failed sign-ins; ``retry_after`` is in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def client_ip(request: Request) -> str:
    """The client address: the direct peer, or — when the peer is one of the configured proxies
    (``INTAKE_TRUSTED_PROXIES``) — the last address of ``X-Forwarded-For`` that is not a proxy.

    Nobody else's ``X-Forwarded-For`` is believed: a client cannot choose its address.
    """
    peer = request.client.host if request.client else ""
    trusted = getattr(getattr(request.app.state, "services", None), "settings", None)
    proxies = set(getattr(trusted, "trusted_proxies", ()) or ())
    if peer not in proxies:
        return peer
    forwarded = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",")]
    for address in reversed([a for a in forwarded if a]):
        if address not in proxies:
            return address[:64]
    return peer


def authenticate(svc: Services, username: str, password: str, ip: str) -> User | None:
    """Checks a user name and password, with rate limiting and an audit entry.

    Returns:
        The active user, or None for a wrong name or password.

    Raises:
        LoginThrottled: too many recent failures from this address or for this user.
    """
    username = username.replace("\x00", "").strip()
    keys = (f"ip:{ip}", f"user:{username.lower()}")
    wait = svc.throttle.retry_after(*keys)
    if wait:
        raise LoginThrottled(wait)
    with svc.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        ok = verify_password(user.password_hash if user else None, password)
        if user is None or not ok or not user.active:
            svc.throttle.record_failure(*keys)
            audit.record(session, username or "?", "login_failed", ip=ip)
            return None
        svc.throttle.reset(*keys)
        user.last_login_at = utcnow()
        audit.record(session, user.username, "login", ip=ip)
        return user


def start_session(request: Request, user: User) -> None:
    """Signs the user in: a fresh session with a new CSRF token."""
    request.session.clear()
    request.session.update({"uid": user.id, "epoch": user.session_epoch, "csrf": new_token()})


def end_session(request: Request) -> None:
    """Signs out: the cookie is emptied and, server-side, every session of the user ends.

    The session cookie is signed, not stored: a copy of it kept by someone else would stay valid
    until it expires. Incrementing the user's ``session_epoch`` makes every earlier cookie of the
    account worthless (other devices of the same person are signed out too).
    """
    uid = request.session.get("uid")
    if isinstance(uid, int):
        with services(request).db.transaction() as session:
            user = session.get(User, uid)
            if user is not None and user.session_epoch == request.session.get("epoch"):
                user.session_epoch += 1
    request.session.clear()


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created for anonymous visitors too, for the login form)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = new_token()
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, given: str | None) -> bool:
    """Whether ``given`` is this session's CSRF token."""
    expected = request.session.get("csrf")
    return isinstance(expected, str) and constant_time_equal(given, expected)


def session_user(request: Request) -> User | None:
    """The signed-in, still active user of the console session, if any."""
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        return None
    with services(request).db.session() as session:
        user = session.get(User, uid)
    if user is None or not user.active or user.session_epoch != request.session.get("epoch"):
        request.session.pop("uid", None)
        return None
    return user


def require_staff(request: Request) -> User:
    """Dependency of console pages: the signed-in user, or a redirect to the login page."""
    user = session_user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    if user.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired()
    request.state.user = user
    return user


def require_admin(user: User = Depends(require_staff)) -> User:  # noqa: B008
    """Dependency of admin pages: 403 for staff without the admin role."""
    if user.role != "admin":
        raise HTTPException(403, "Chỉ quản trị viên được dùng chức năng này.")
    return user


def api_principal(
    request: Request,
    api_key: str | None = Security(api_key_scheme),
    basic: HTTPBasicCredentials | None = Security(basic_scheme),  # noqa: B008
) -> Principal:
    """Dependency of the API: the bot (API key) or a staff member; 401 otherwise."""
    svc = services(request)
    if api_key is not None:
        if constant_time_equal(api_key, svc.settings.api_key):
            return Principal(name="bot", kind="bot", role="bot")
        raise HTTPException(401, "Khóa API không đúng.")
    if basic is not None:
        try:
            user = authenticate(svc, basic.username, basic.password, client_ip(request))
        except LoginThrottled as exc:
            raise HTTPException(
                429,
                "Đăng nhập sai quá nhiều lần, xin thử lại sau.",
                headers={"Retry-After": str(exc.retry_after)},
            ) from None
        if user is None:
            raise HTTPException(401, "Tên đăng nhập hoặc mật khẩu không đúng.")
        if user.must_change_password:
            raise HTTPException(403, MUST_CHANGE_TEXT)
        return Principal(user.username, "staff", user.role, user.province)
    user = session_user(request)
    if user is not None:
        if user.must_change_password:
            raise HTTPException(403, MUST_CHANGE_TEXT)
        if request.method not in SAFE_METHODS and not check_csrf(
            request, request.headers.get(CSRF_HEADER)
        ):
            raise HTTPException(403, "Thiếu hoặc sai mã chống giả mạo (X-CSRF-Token).")
        return Principal(user.username, "staff", user.role, user.province)
    raise HTTPException(401, "Cần khóa API (X-API-Key) hoặc tài khoản cán bộ.")


def staff_principal(principal: Principal = Depends(api_principal)) -> Principal:  # noqa: B008
    """Dependency of staff-only API calls: 403 for the bot's key."""
    if principal.kind != "staff":
        raise HTTPException(403, "Chỉ cán bộ được thực hiện thao tác này.")
    return principal
