"""Command line: ``python -m intake_service bootstrap|serve|migrate|create-user|openapi``."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]

OPENAPI_FILE = Path(__file__).resolve().parents[1] / "openapi.json"


def _cmd_bootstrap(_args: argparse.Namespace) -> int:
    from intake_service.bootstrap import BootstrapRefused, bootstrap

    try:
        bootstrap()
    except BootstrapRefused as refused:
        print(str(refused), file=sys.stderr)
        return 2
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from intake_service.logging_setup import logging_config
    from intake_service.settings import load_settings, weak_secrets_message

    settings = load_settings()
    if not settings.secret_key or not settings.api_key:
        print("Thiếu bí mật: chạy `python -m intake_service bootstrap` trước.", file=sys.stderr)
        return 2
    problems = settings.secret_problems()
    if problems:
        print(weak_secrets_message(problems), file=sys.stderr)
        return 2
    uvicorn.run(
        "intake_service.app:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers,
        log_config=logging_config(settings.log_level),
        access_log=not args.no_access_log,
        proxy_headers=False,
        server_header=False,
    )
    return 0


def _cmd_migrate(_args: argparse.Namespace) -> int:
    from intake_service.db import Database
    from intake_service.migrate import current_revision, upgrade
    from intake_service.settings import load_settings

    db = Database(load_settings().database_url)
    try:
        upgrade(db.engine)
        print(f"[intake] cơ sở dữ liệu ở phiên bản {current_revision(db.engine)}.")
    finally:
        db.dispose()
    return 0


def _cmd_purge(_args: argparse.Namespace) -> int:
    from intake_service.db import Database
    from intake_service.privacy import RetentionWorker
    from intake_service.settings import load_settings

    settings = load_settings()
    db = Database(settings.database_url)
    try:
        purged = RetentionWorker(db, settings.retention).run_once()
    finally:
        db.dispose()
    print(
        f"[intake] đã xóa dữ liệu quá hạn lưu: {purged.handoffs} cuộc hỗ trợ, "
        f"{purged.callbacks} yêu cầu gọi lại, {purged.codes} mã, {purged.notifications} thông báo."
    )
    return 0


def _cmd_reencrypt(_args: argparse.Namespace) -> int:
    from intake_service.crypto import DataCipher, KeyProblem, install_cipher
    from intake_service.db import Database
    from intake_service.reencrypt import reencrypt_all
    from intake_service.settings import load_settings

    settings = load_settings()
    try:
        data_cipher = DataCipher.from_setting(settings.data_keys)
    except KeyProblem as problem:
        print(str(problem), file=sys.stderr)
        return 2
    install_cipher(data_cipher)
    db = Database(settings.database_url)
    try:
        rows, files = reencrypt_all(db, settings.attachments_dir, data_cipher)
    finally:
        db.dispose()
    print(f"[intake] đã mã hóa lại {rows} hồ sơ và {files} tệp bằng khóa đầu tiên.")
    return 0


def _cmd_new_migration(args: argparse.Namespace) -> int:
    from intake_service.migrate import new_revision

    revision = new_revision(args.message)
    print(f"[intake] đã tạo migration {revision} trong intake_service/migrations/versions/.")
    return 0


def _cmd_create_user(args: argparse.Namespace) -> int:
    from intake_service.bootstrap import create_user
    from intake_service.db import Database
    from intake_service.security import new_password, password_problem
    from intake_service.settings import load_settings

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Mật khẩu (để trống để tạo tự động): ")
    else:
        password = ""
    generated = not password
    password = password or new_password()
    problem = password_problem(password, args.username)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    db = Database(load_settings().database_url)
    try:
        create_user(
            db,
            args.username,
            password,
            args.role,
            args.full_name,
            must_change_password=generated,
        )
    except ValueError as exc:
        print(f"Không tạo được: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"[intake] đã tạo tài khoản {args.username} ({args.role}).")
    if generated:
        print(f"Mật khẩu: {password}")
    return 0


def openapi_document() -> dict[str, object]:
    """The OpenAPI document the service serves (built without a database connection)."""
    from intake_service.app import create_app
    from intake_service.crypto import new_data_key
    from intake_service.security import new_token
    from intake_service.settings import load_settings

    settings = load_settings(
        {  # throw-away secrets: the document does not depend on them
            "INTAKE_VAR_DIR": "/nonexistent",
            "INTAKE_SECRET_KEY": new_token(32),
            "INTAKE_API_KEY": new_token(32),
            "BOT_WEBHOOK_SECRET": new_token(32),
            "INTAKE_DATA_KEYS": new_data_key(),
            "INTAKE_WEBHOOKS": "0",
        }
    )
    return create_app(settings).openapi()


def _cmd_openapi(args: argparse.Namespace) -> int:
    text = json.dumps(openapi_document(), ensure_ascii=False, indent=2) + "\n"
    if args.write:
        OPENAPI_FILE.write_text(text, encoding="utf-8")
        print(f"[intake] đã ghi {OPENAPI_FILE}")
    else:
        sys.stdout.write(text)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m intake_service", description="Dịch vụ tiếp nhận hồ sơ BHXH."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "bootstrap",
        help="tạo var/, bí mật, cơ sở dữ liệu và tài khoản quản trị (chạy lại an toàn)",
    ).set_defaults(run=_cmd_bootstrap)
    serve = sub.add_parser("serve", help="chạy máy chủ (uvicorn)")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--no-access-log", action="store_true")
    serve.set_defaults(run=_cmd_serve)
    sub.add_parser("migrate", help="cập nhật cấu trúc cơ sở dữ liệu").set_defaults(
        run=_cmd_migrate
    )
    migration = sub.add_parser(
        "new-migration", help="(lập trình viên) tạo migration từ thay đổi của models.py"
    )
    migration.add_argument("message")
    migration.set_defaults(run=_cmd_new_migration)
    user = sub.add_parser("create-user", help="thêm tài khoản cán bộ")
    user.add_argument("username")
    user.add_argument("--role", choices=["staff", "admin"], default="staff")
    user.add_argument("--full-name", default="")
    user.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ stdin")
    user.set_defaults(run=_cmd_create_user)
    sub.add_parser(
        "purge", help="xóa dữ liệu quá thời hạn lưu (máy chủ cũng tự chạy mỗi giờ)"
    ).set_defaults(run=_cmd_purge)
    sub.add_parser(
        "reencrypt", help="mã hóa lại hồ sơ và tệp bằng khóa đầu tiên của INTAKE_DATA_KEYS"
    ).set_defaults(run=_cmd_reencrypt)
    openapi = sub.add_parser("openapi", help="in tài liệu OpenAPI")
    openapi.add_argument("--write", action="store_true", help="ghi vào intake/openapi.json")
    openapi.set_defaults(run=_cmd_openapi)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command and returns the exit status.

    Every file the service creates (database, attachments, secrets) is readable by its own user
    only: the process runs with umask 077 (files 0600, folders 0700).
    """
    os.umask(0o077)
    args = _parser().parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
