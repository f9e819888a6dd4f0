"""``discourse serve`` and ``discourse users``: start the web app, manage moderators."""
from __future__ import annotations

import getpass
import ipaddress
import logging
import sys
from pathlib import Path

from ..errors import InputError

log = logging.getLogger("discourse")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(db: str, host: str = "127.0.0.1", port: int = 8000, certfile: str | None = None,
          keyfile: str | None = None) -> int:
    """Serve the queue in ``db`` until stopped."""
    import uvicorn

    from .app import LOOPBACK_HOSTS, create_app
    from .auth import Users

    if not Path(db).is_file():
        raise InputError(f"no triage database at {db}; fill one with `discourse triage PATH --db {db}`")
    if not 0 < port < 65536:
        raise InputError(f"--port must be between 1 and 65535, not {port}")
    local = is_loopback(host)
    if not local:
        log.warning("serving on %s, not loopback: anyone who can reach this address can try to log in; "
                    "session cookies are marked Secure, so browsers send them over HTTPS only%s", host,
                    "" if certfile else " (pass --certfile/--keyfile, or put a TLS proxy in front)")
    app = create_app(db, secure_cookies=not local, allowed_hosts=LOOPBACK_HOSTS if local else None)
    with Users(db) as users:
        if not users.all():
            log.warning("no users yet: add one with `discourse users add NAME --role admin --db %s`", db)
    scheme = "https" if certfile else "http"
    print(f"discourse: serving {db} on {scheme}://{host}:{port}/ (Ctrl+C stops)", file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", ssl_certfile=certfile, ssl_keyfile=keyfile,
                server_header=False)
    return 0


def _password(password_file: str | None) -> str:
    if password_file:
        try:
            text = Path(password_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the password file {password_file}: {exc}") from None
        return text.rstrip("\r\n")
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise InputError("the two passwords differ")
    return first


def users_command(args) -> int:
    """``users add NAME --role R [--password-file F]``, ``users token NAME``, ``users list``."""
    from ..moderation.queue import ReviewQueue
    from .auth import Users

    ReviewQueue(args.db, create=args.action == "add").close()  # queue tables first; only `add` makes a file
    with Users(args.db) as users:
        if args.action == "add":
            users.add(args.name, args.role, _password(args.password_file))
            print(f"added {args.role} {args.name} to {args.db}")
        elif args.action == "token":
            print(users.new_token(args.name))
        else:
            for u in users.all():
                print(f"{u['name']}\t{u['role']}\t{u['created_at']}")
    return 0
