"""Command line: ``python -m api <command>`` (also installed as ``dvc``).

migrate                      apply database migrations
import-catalog [PATH]        load the catalog (project JSON or portal format)
    create-volunteer USER --name N [--role admin]   a desk account (argon2id password hash)
setup                        migrate, then import the shipped catalog
serve                        run the API at http://127.0.0.1:8000
push-worker                  send Web Push notifications from the outbox (production: its own process)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import sys
import time
from pathlib import Path

from api.settings import get_settings

# Clearly a test unit: real agencies are registered with their own code.
DEMO_AGENCY_CODE = "000.00.00.T00"
DEMO_AGENCY_NAME = "Bộ phận một cửa (môi trường thử nghiệm)"


async def _migrate() -> None:
    from api.db.engine import create_engine
    from api.db.migrate import upgrade

    engine = create_engine(get_settings())
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _import(path: Path, source_url: str | None, checked: dt.date | None, strict: bool) -> int:
    from api.db.engine import create_engine, session_factory
    from api.procedures.importer import import_records, iter_raw

    if not path.exists():
        print(f"Không tìm thấy {path}", file=sys.stderr)
        return 2
    engine = create_engine(get_settings())
    started = time.perf_counter()
    try:
        report = await import_records(
            session_factory(engine), iter_raw(path), source_url=source_url, checked=checked
        )
    finally:
        await engine.dispose()
    for problem in report.problems:
        print(f"bỏ qua {problem}", file=sys.stderr)
    print(f"Danh mục thủ tục: {report.summary()} ({time.perf_counter() - started:.1f}s)")
    return 1 if strict and report.problems else 0


async def _import_postal(path: Path, source: str) -> int:
    from api.addresses.service import import_postal_codes
    from api.db.engine import create_engine, session_factory

    if not path.exists():
        print(f"Không tìm thấy {path}", file=sys.stderr)
        return 2
    engine = create_engine(get_settings())
    try:
        report = await import_postal_codes(session_factory(engine), path, source)
    finally:
        await engine.dispose()
    for problem in report.problems:
        print(f"bỏ qua {problem}", file=sys.stderr)
    print(f"Mã bưu chính: đọc {report.read}, lưu {report.saved}, bỏ qua {len(report.problems)}")
    return 0


async def _register_agency(
    code: str, name: str, address: str | None, quiet_if_exists: bool,
    level: str | None = None, province: str | None = None, ward: str | None = None,
) -> int:
    from sqlalchemy import select

    from api.db.engine import create_engine, session_factory
    from api.dossiers.integration import new_secret
    from api.dossiers.models import Agency

    engine = create_engine(get_settings())
    try:
        async with session_factory(engine)() as session, session.begin():
            if quiet_if_exists and (await session.execute(select(Agency.id).limit(1))).first():
                return 0
            if (await session.execute(select(Agency).where(Agency.code == code))).scalar_one_or_none():
                print(f"Cơ quan {code} đã được đăng ký.", file=sys.stderr)
                return 1
            secret = new_secret()
            session.add(Agency(code=code, name=name, receiving_address=address, secret=secret, level=level,
                               province_code=province, ward_code=ward))
    finally:
        await engine.dispose()
    # The one time the secret is shown: the agency's integrator copies it into their system.
    print(f"Đã đăng ký cơ quan {code} — {name}.\nKhóa bí mật HMAC (chỉ hiện một lần): {secret}")
    return 0


async def _send_agency_event(dossier_code: str, status: int, note: str | None, agency_code: str | None) -> int:
    """Plays the agency's one-stop system: signs an event with the agency's secret and posts it."""
    import json
    import time
    import uuid

    import httpx
    from sqlalchemy import select

    from api.db.engine import create_engine, session_factory
    from api.dossiers.integration import sign
    from api.dossiers.models import Agency, Dossier

    settings = get_settings()
    engine = create_engine(settings)
    try:
        async with session_factory(engine)() as session:
            code = agency_code or (
                await session.execute(select(Dossier.agency_code).where(Dossier.code == dossier_code))
            ).scalar_one_or_none()
            agency = (await session.execute(select(Agency).where(Agency.code == code))).scalar_one_or_none()
    finally:
        await engine.dispose()
    if agency is None:
        print("Không tìm thấy cơ quan của hồ sơ này.", file=sys.stderr)
        return 2
    body = json.dumps({"event_id": str(uuid.uuid4()), "dossier_code": dossier_code, "status": status,
                       "note": note}, ensure_ascii=False).encode()
    ts = str(int(time.time()))
    headers = {"X-Agency-Code": agency.code, "X-Timestamp": ts, "X-Signature": sign(agency.secret, ts, body),
               "Content-Type": "application/json"}
    response = httpx.post(f"http://{settings.host}:{settings.port}/api/integrations/dossier-events",
                          content=body, headers=headers, timeout=10)
    print(response.status_code, response.text)
    return 0 if response.status_code == 200 else 1


def _run_fast(main):
    """uvloop where installed (it comes with uvicorn[standard]): a third less CPU per push request."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


async def _push_worker() -> int:
    import signal

    from api.db.engine import create_engine
    from api.push.vapid import load_or_create
    from api.push.worker import running_worker

    settings = get_settings()
    if settings.metrics_port:  # Prometheus scrapes each worker here
        from prometheus_client import start_http_server

        start_http_server(settings.metrics_port, addr=settings.host)
    engine = create_engine(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with running_worker(engine, settings, load_or_create(settings.data_dir)):
            await stop.wait()
    finally:
        await engine.dispose()
    return 0


async def _create_volunteer(username: str, display_name: str, role: str, password: str) -> int:
    """Creates the account, or sets a new password and name for an existing one."""
    from sqlalchemy import select

    from api.db.engine import create_engine, session_factory
    from api.desk.auth import hash_password
    from api.desk.models import Volunteer

    engine = create_engine(get_settings())
    try:
        async with session_factory(engine)() as session, session.begin():
            username = username.strip().lower()
            volunteer = (
                await session.execute(select(Volunteer).where(Volunteer.username == username))
            ).scalar_one_or_none()
            if volunteer is None:
                session.add(Volunteer(username=username, display_name=display_name, role=role,
                                      password_hash=hash_password(password), active=True, on_duty=False))
                print(f"Đã tạo tài khoản {username} ({role}).")
            else:
                volunteer.display_name, volunteer.role = display_name, role
                volunteer.password_hash, volunteer.active = hash_password(password), True
                print(f"Đã cập nhật tài khoản {username} ({role}).")
    finally:
        await engine.dispose()
    return 0


def _new_password() -> str:
    """From DVC_NEW_PASSWORD (scripts, tests) or asked twice at the terminal; never an argument,
    which would stay in the shell's history."""
    import getpass

    password = os.environ.get("DVC_NEW_PASSWORD") or ""
    if not password:
        password = getpass.getpass("Mật khẩu (ít nhất 10 ký tự): ")
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            raise SystemExit("Hai lần nhập mật khẩu không giống nhau.")
    if len(password) < 10:
        raise SystemExit("Mật khẩu cần ít nhất 10 ký tự.")
    return password


def build_parser() -> argparse.ArgumentParser:
    """The command line (also what the deployment tests check docker/compose.yml against)."""
    parser = argparse.ArgumentParser(prog="dvc", description="Trợ lý DVC")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations")
    imp = sub.add_parser("import-catalog", help="import procedures (project JSON or national portal format)")
    imp.add_argument("path", nargs="?", type=Path, help="file or directory (default: the shipped catalog)")
    imp.add_argument(
        "--source-url", help="source of portal-format records (default: each code's portal page)"
    )
    imp.add_argument("--checked", type=dt.date.fromisoformat, help="date the source was read (YYYY-MM-DD)")
    imp.add_argument("--strict", action="store_true", help="exit 1 when any record was skipped")
    postal = sub.add_parser("import-postal-codes", help="load commune postal codes (QĐ 2334/QĐ-BKHCN) from a CSV")
    postal.add_argument("path", type=Path)
    postal.add_argument("--source", default="QĐ 2334/QĐ-BKHCN (2025)", help="where the list comes from")
    agency = sub.add_parser("register-agency", help="register an agency's one-stop system; prints its secret once")
    agency.add_argument("code", help="mã đơn vị, e.g. 000.00.53.H48")
    agency.add_argument("name")
    agency.add_argument("--receiving-address", help="where dossiers sent by post are received")
    agency.add_argument("--level", choices=["xa", "tinh", "trung_uong"], help="the level it serves")
    agency.add_argument("--province", help="2-digit province code (2025) it serves")
    agency.add_argument("--ward", help="5-digit commune code (2025) it serves")
    event = sub.add_parser("send-agency-event", help="sign and send a status change as an agency would (testing)")
    event.add_argument("dossier_code")
    event.add_argument("status", type=int, choices=range(1, 11), metavar="STATUS (1-10)")
    event.add_argument("--note")
    event.add_argument("--agency", help="agency code (default: the dossier's)")
    volunteer = sub.add_parser("create-volunteer", help="create a desk account (password from DVC_NEW_PASSWORD "
                                                        "or asked at the terminal)")
    volunteer.add_argument("username")
    volunteer.add_argument("--name", required=True, help="the name citizens see, e.g. \"Chị Lan\"")
    volunteer.add_argument("--role", choices=["volunteer", "admin"], default="volunteer")
    sub.add_parser("push-worker", help="send Web Push notifications from the outbox until stopped")
    setup = sub.add_parser("setup", help="migrate and import the shipped catalog")
    setup.add_argument("--no-demo-agency", action="store_true",
                       help="production: no local test agency (register real ones with register-agency)")
    serve = sub.add_parser("serve", help="run the API server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, help="API processes (default: DVC_API_WORKERS or 1)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from api.observability import configure_logging

    configure_logging(get_settings().log_format)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    settings = get_settings()

    if args.command == "migrate":
        asyncio.run(_migrate())
        return 0
    if args.command == "import-catalog":
        return asyncio.run(
            _import(args.path or settings.catalog_dir, args.source_url, args.checked, args.strict)
        )
    if args.command == "register-agency":
        return asyncio.run(_register_agency(args.code, args.name, args.receiving_address, False,
                                            args.level, args.province, args.ward))
    if args.command == "create-volunteer":
        return asyncio.run(_create_volunteer(args.username, args.name, args.role, _new_password()))
    if args.command == "send-agency-event":
        return asyncio.run(_send_agency_event(args.dossier_code, args.status, args.note, args.agency))
    if args.command == "import-postal-codes":
        return asyncio.run(_import_postal(args.path, args.source))
    if args.command == "setup":
        asyncio.run(_migrate())
        code = asyncio.run(_import(settings.catalog_dir, None, None, False))
        if not args.no_demo_agency:
            # A fresh machine gets one local test agency, so dossiers can be submitted end to end.
            asyncio.run(_register_agency(DEMO_AGENCY_CODE, DEMO_AGENCY_NAME, None, True))
        return code
    if args.command == "push-worker":
        return _run_fast(_push_worker())
    if args.command == "serve":
        import uvicorn

        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=args.host or settings.host,
            port=args.port or settings.port,
            workers=args.workers or settings.api_workers,
            log_level="info",
            # uvicorn's access log prints whole URLs (tokens in query strings); the API logs
            # each request itself, by route template (api.observability).
            access_log=False,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            # Live streams (the desk, a citizen waiting for a volunteer) never end by themselves:
            # on SIGTERM they get a few seconds, then the browser reconnects to another instance.
            timeout_graceful_shutdown=5,
        )
        return 0
    return 2
