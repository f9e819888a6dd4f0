"""The browser pages: log in, the queue, a thread, an item's history, decisions, users."""
from __future__ import annotations

import hmac
import secrets
import time
from functools import wraps
from pathlib import Path
from urllib.parse import urlencode

from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from ..errors import InputError
from ..moderation.evidence import pieces, reason_kind, reason_list
from ..moderation.queue import DECISIONS, MODELS, STATUSES, Conflict

HERE = Path(__file__).resolve().parent
PAGE = 50
MAX_FAILURES, LOCKOUT_S = 5, 300  # failed log-ins per name before a pause, and its length
templates = Jinja2Templates(directory=str(HERE / "templates"))


def highlight(text: str | None, reasons: str | None) -> Markup:
    """The comment escaped, with each piece of evidence in a ``<mark>`` titled by its reason."""
    out = []
    for piece, reason in pieces(text or "", reasons):
        out.append(f'<mark title="{escape(reason)}">{escape(piece)}</mark>' if reason else str(escape(piece)))
    return Markup("".join(out))


templates.env.globals.update(highlight=highlight, reason_list=reason_list, MODELS=MODELS, STATUSES=STATUSES)


def render(request, name: str, ctx: dict, status: int = 200):
    user = getattr(request.state, "user", None)
    return templates.TemplateResponse(request, name, {"user": user, "csrf": user["csrf"] if user else "", **ctx},
                                      status_code=status)


def _store(request):
    return request.app.state.store


async def user_or_none(request) -> dict | None:
    sid = request.cookies.get("discourse_session")
    if not sid:
        return None
    user = await run_in_threadpool(_store(request).users.by_session, sid)
    request.state.user = user
    return user


def login_required(admin: bool = False):
    def wrap(handler):
        @wraps(handler)
        async def inner(request):
            user = await user_or_none(request)
            if user is None:
                return RedirectResponse("/login?" + urlencode({"next": _local(request.url.path)}), status_code=303)
            if admin and user["role"] != "admin":
                return render(request, "message.html", {"title": "Admins only",
                                                        "message": "Only an admin manages users."}, status=403)
            if request.method == "POST":
                form = await request.form()
                if not hmac.compare_digest(str(form.get("csrf", "")), user["csrf"]):
                    return render(request, "message.html", {"title": "Refused", "message": (
                        "The form's security token is missing or stale; reload the page and try again.")}, status=403)
                request.state.form = form
            return await handler(request)
        return inner
    return wrap


def _local(target: str | None, default: str = "/queue") -> str:
    """Only same-site paths are followed after a form (no open redirect)."""
    target = str(target or "")
    if not target.startswith("/") or target.startswith("//") or any(c <= " " or c in "\\\x7f" for c in target):
        return default  # browsers drop tabs and newlines: "/\t/evil" would become "//evil"
    return target


# -- log in and out --------------------------------------------------------------------------------
async def login_page(request):
    # one nonce per browser until it logs in: a second tab or a stray request must not void the first form
    nonce = request.cookies.get("discourse_login") or ""
    if len(nonce) != 32:
        nonce = secrets.token_urlsafe(24)
    resp = render(request, "login.html", {"nonce": nonce, "next": _local(request.query_params.get("next")),
                                          "error": None})
    resp.set_cookie("discourse_login", nonce, httponly=True, samesite="strict",
                    secure=request.app.state.secure_cookies, path="/login")
    return resp


async def login(request):
    form = await request.form()
    nonce = request.cookies.get("discourse_login", "")
    if not nonce or not hmac.compare_digest(str(form.get("csrf", "")), nonce):
        return render(request, "message.html", {"title": "Refused", "message": "Reload the log-in page and try again."},
                      status=403)
    users, name = _store(request).users, str(form.get("name", ""))
    failures = request.app.state.login_failures
    recent = [t for t in failures.get(name, []) if time.monotonic() - t < LOCKOUT_S]
    if len(recent) >= MAX_FAILURES:
        return render(request, "login.html", {"nonce": nonce, "next": _local(form.get("next")), "error": (
            "Too many failed attempts for this name; wait a few minutes.")}, status=429)
    user = await run_in_threadpool(users.login, name, str(form.get("password", "")))
    if user is None:
        failures[name] = [*recent, time.monotonic()]
        resp = render(request, "login.html", {"nonce": nonce, "next": _local(form.get("next")),
                                              "error": "Unknown name or wrong password."}, status=401)
        return resp
    failures.pop(name, None)
    sid, _ = await run_in_threadpool(users.new_session, user["name"])
    resp = RedirectResponse(_local(form.get("next")), status_code=303)
    resp.set_cookie("discourse_session", sid, httponly=True, samesite="strict",
                    secure=request.app.state.secure_cookies, path="/")
    resp.delete_cookie("discourse_login", path="/login")
    return resp


@login_required()
async def logout(request):
    await run_in_threadpool(_store(request).users.end_session, request.cookies.get("discourse_session", ""))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie("discourse_session", path="/")
    return resp


# -- the queue -------------------------------------------------------------------------------------
@login_required()
async def home(request):
    return RedirectResponse("/queue", status_code=303)


def _filters(params) -> dict:
    status = params.get("status", "pending")
    return {"status": status if status in STATUSES else None, "thread_ids": [t for t in params.getlist("thread") if t],
            "outlet": params.get("outlet") or None, "reason": params.get("reason") or None}


def _queue_page(store, filters: dict, offset: int) -> dict:
    q = store.queue
    items = q.items(limit=PAGE + 1, offset=offset, **filters)
    more = len(items) > PAGE
    items = items[:PAGE]
    kinds = sorted({reason_kind(r) for text in q.reasons() for r in reason_list(text)})
    return {"items": items, "parents": q.parents(items), "facets": q.facets(), "kinds": kinds, "more": more,
            "scores": {it["fingerprint"]: q.scores(it["fingerprint"]) for it in items}}


@login_required()
async def queue_page(request):
    filters = _filters(request.query_params)
    try:
        offset = max(0, int(request.query_params.get("offset", 0)))
    except ValueError:
        offset = 0
    data = await run_in_threadpool(_queue_page, _store(request), filters, offset)
    here = request.url.path + ("?" + request.url.query if request.url.query else "")
    keep = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]

    def page_url(at: int) -> str:
        return "/queue?" + urlencode(keep + [("offset", max(0, at))])

    return render(request, "queue.html", {**data, "filters": filters, "offset": offset, "page": PAGE, "here": here,
                                          "page_url": page_url})


def _thread_page(store, thread_id: str) -> dict | None:
    q = store.queue
    rows = q.thread(thread_id)
    if not rows:
        return None
    depth: dict[str, int] = {}
    for r in rows:
        depth[r["comment_id"]] = depth.get(r["parent_id"], -1) + 1 if r["parent_id"] in depth else 0
        r["depth"] = min(depth[r["comment_id"]], 6)
    return {"rows": rows, "parents": q.parents(rows), "scores": {r["fingerprint"]: q.scores(r["fingerprint"])
                                                                  for r in rows}}


@login_required()
async def thread_page(request):
    tid = request.query_params.get("id", "")
    data = await run_in_threadpool(_thread_page, _store(request), tid)
    if data is None:
        return render(request, "message.html", {"title": "Not found", "message": "No such thread in the queue."},
                      status=404)
    return render(request, "thread.html", {**data, "thread_id": tid, "focus": request.query_params.get("focus"),
                                           "here": f"/thread?{urlencode({'id': tid})}"})


def _item_page(store, fp: str) -> dict | None:
    q = store.queue
    item = q.item(fp)
    if item is None:
        return None
    return {"item": item, "history": q.history(fp), "parents": q.parents([item]), "scores": {fp: q.scores(fp)}}


@login_required()
async def item_page(request):
    fp = request.path_params["fp"]
    data = await run_in_threadpool(_item_page, _store(request), fp)
    if data is None:
        return render(request, "message.html", {"title": "Not found", "message": "No such queue item."}, status=404)
    return render(request, "item.html", {**data, "here": f"/item/{fp}"})


# -- deciding --------------------------------------------------------------------------------------
def _seen(value) -> int | None:
    try:
        return int(value) if value not in (None, "", "None") else None
    except ValueError:
        return None


def _decide_all(store, fps: list[str], decision: str, note: str | None, user: str, seen: int | None,
                override: bool) -> list[tuple[int, str]]:
    problems = []
    for fp in fps:
        try:
            store.queue.decide(fp, decision, note=note, moderator=user, strict=True, seen=seen, override=override)
        except Conflict as exc:  # reported; the other items are still decided
            problems.append((409, str(exc)))
        except InputError as exc:
            problems.append((400, str(exc)))
    return problems


async def _decide(request, fps: list[str], seen: int | None):
    form = request.state.form
    decision = str(form.get("decision", ""))
    if decision not in DECISIONS:
        return render(request, "message.html", {"title": "Refused", "message": "Choose approve, reject or defer."},
                      status=400)
    note = str(form.get("note", "")).strip()[:2000] or None
    problems = await run_in_threadpool(_decide_all, _store(request), fps, decision, note, request.state.user["name"],
                                       seen, form.get("override") == "1")
    if problems:
        return render(request, "message.html", {"title": "Not recorded", "message": " ".join(m for _, m in problems[:5]),
                                                "back": _local(form.get("next"))}, status=max(s for s, _ in problems))
    return RedirectResponse(_local(form.get("next")), status_code=303)


@login_required()
async def decide(request):
    form = request.state.form
    return await _decide(request, [str(form.get("queue_id", ""))], _seen(form.get("seen")))


@login_required()
async def bulk(request):
    fps = [str(f) for f in request.state.form.getlist("queue_id")]
    if not fps:
        return render(request, "message.html", {"title": "Nothing selected", "message": "Tick the items first.",
                                                "back": _local(request.state.form.get("next"))}, status=400)
    return await _decide(request, fps, None)


# -- users (admins) --------------------------------------------------------------------------------
@login_required(admin=True)
async def users_page(request):
    users = await run_in_threadpool(_store(request).users.all)
    return render(request, "users.html", {"users": users, "message": None, "token": None})


@login_required(admin=True)
async def users_add(request):
    form, store = request.state.form, _store(request)
    message, token = None, None
    try:
        await run_in_threadpool(store.users.add, str(form.get("name", "")), str(form.get("role", "")),
                                str(form.get("password", "")))
        message = f"Added {form.get('name')}."
        if form.get("token") == "1":
            token = await run_in_threadpool(store.users.new_token, str(form.get("name")))
    except InputError as exc:
        message = str(exc)
    users = await run_in_threadpool(store.users.all)
    return render(request, "users.html", {"users": users, "message": message, "token": token},
                  status=200 if token or (message or "").startswith("Added") else 400)


def routes() -> list[Route]:
    return [
        Route("/", home, methods=["GET"]),
        Route("/favicon.ico", lambda request: Response(status_code=204), methods=["GET"]),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/queue", queue_page, methods=["GET"]),
        Route("/thread", thread_page, methods=["GET"]),
        Route("/item/{fp}", item_page, methods=["GET"]),
        Route("/decide", decide, methods=["POST"]),
        Route("/bulk", bulk, methods=["POST"]),
        Route("/users", users_page, methods=["GET"]),
        Route("/users", users_add, methods=["POST"]),
    ]
