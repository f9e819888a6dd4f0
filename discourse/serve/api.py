"""The HTTP API, for other systems and scripts: ``Authorization: Bearer TOKEN`` on every call.

    GET  /api/queue?status=pending&limit=N        items, highest priority first
    POST /api/decisions {"queue_id", "decision", "note", "override"?, "last_decision_id"?}
                                                  201; 401 without a valid token; 409 when the item
                                                  was decided since the client read it
    GET  /api/decisions?queue_id=...              that item's history (without: the latest decisions)
"""
from __future__ import annotations

import json
from functools import wraps

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..errors import InputError
from ..moderation.evidence import reason_list, spans
from ..moderation.queue import DECISIONS, MODELS, STATUSES, Conflict

MAX_LIMIT = 1000


def _error(status: int, message: str, **extra) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="discourse"'} if status == 401 else None
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


def token_required(handler):
    @wraps(handler)
    async def inner(request):
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(401, "send Authorization: Bearer TOKEN (make one with `discourse users token NAME`)")
        user = await run_in_threadpool(request.app.state.store.users.by_token, token.strip())
        if user is None:
            return _error(401, "unknown or revoked token")
        request.state.user = user
        return await handler(request)
    return inner


def item_json(it: dict) -> dict:
    return {
        "queue_id": it["fingerprint"], "thread_id": it["thread_id"], "comment_id": it["comment_id"],
        "author": it["author"], "text": it["text"], "priority": it["priority"], "reasons": reason_list(it["reasons"]),
        "status": it["status"], "parent_id": it.get("parent_id"), "title": it.get("title"), "outlet": it.get("outlet"),
        "mode": it.get("mode"), "model": MODELS.get(it.get("mode") or ""), "last_decision_id": it.get("last_decision_id"),
        "evidence": [{"start": s, "end": e, "reason": r} for s, e, r in spans(it["text"], it["reasons"])],
    }


def _int(value, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value)))
    except (TypeError, ValueError):
        return default


@token_required
async def get_queue(request):
    p = request.query_params
    status = p.get("status", "pending")
    if status not in (*STATUSES, "all"):
        return _error(400, f"status must be one of {', '.join(STATUSES)} or all")
    limit, offset = _int(p.get("limit"), 50, 1, MAX_LIMIT), _int(p.get("offset"), 0, 0, 10 ** 9)
    items = await run_in_threadpool(
        request.app.state.store.queue.items, status=None if status == "all" else status,
        thread_ids=[t for t in p.getlist("thread") if t], outlet=p.get("outlet") or None,
        reason=p.get("reason") or None, limit=limit, offset=offset)
    return JSONResponse({"items": [item_json(it) for it in items], "limit": limit, "offset": offset})


def _validate(body) -> str | None:
    if not isinstance(body, dict):
        return "send a JSON object"
    if not isinstance(body.get("queue_id"), str) or not body["queue_id"]:
        return "queue_id (a string from GET /api/queue) is required"
    if body.get("decision") not in DECISIONS:
        return f"decision must be one of {', '.join(DECISIONS)}"
    if body.get("note") is not None and (not isinstance(body["note"], str) or len(body["note"]) > 2000):
        return "note must be a string of at most 2,000 characters"
    seen = body.get("last_decision_id")
    if seen is not None and (not isinstance(seen, int) or isinstance(seen, bool)):
        return "last_decision_id must be an integer or null"
    return None


def _record(store, body: dict, moderator: str):
    q = store.queue
    if q.item(body["queue_id"]) is None:
        return 404, {"error": f"no queue item {body['queue_id']!r}"}
    try:
        done = q.decide(body["queue_id"], body["decision"], note=(body.get("note") or None), moderator=moderator,
                        strict=True, seen=body.get("last_decision_id"), override=bool(body.get("override")))
    except Conflict as exc:
        item = q.item(body["queue_id"])
        return 409, {"error": str(exc), "status": item["status"], "last_decision_id": item["last_decision_id"]}
    except InputError as exc:
        return 400, {"error": str(exc)}
    return 201, {"decision_id": done["decision_id"], "queue_id": done["fingerprint"], "decision": done["decision"],
                 "status": done["status"], "previous": done["previous"], "moderator": moderator,
                 "decided_at": done["decided_at"], "note": body.get("note") or None}


@token_required
async def post_decision(request):
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return _error(400, "the body must be JSON")
    problem = _validate(body)
    if problem:
        return _error(400, problem)
    status, out = await run_in_threadpool(_record, request.app.state.store, body, request.state.user["name"])
    return JSONResponse(out, status_code=status)


@token_required
async def get_decisions(request):
    q = request.app.state.store.queue
    fp = request.query_params.get("queue_id")
    if not fp:
        limit = _int(request.query_params.get("limit"), 100, 1, MAX_LIMIT)
        rows = await run_in_threadpool(q.decisions, limit)
        return JSONResponse({"decisions": [{**r, "queue_id": r.pop("fingerprint")} for r in rows]})
    item = await run_in_threadpool(q.item, fp)
    if item is None:
        return _error(404, f"no queue item {fp!r}")
    history = await run_in_threadpool(q.history, fp)
    return JSONResponse({"queue_id": fp, "status": item["status"], "closed_reason": item["closed_reason"],
                         "decisions": history})


def routes() -> list[Route]:
    return [
        Route("/api/queue", get_queue, methods=["GET"]),
        Route("/api/decisions", post_decision, methods=["POST"]),
        Route("/api/decisions", get_decisions, methods=["GET"]),
    ]
