"""Anchors: signed checkpoints of the chains' heads, kept outside the database.

Someone who administers the database can rewrite an entry and recompute every later hash and
the head, or delete the newest entries and rewind the head: the chain then verifies. A
checkpoint (`anchor`, run from cron) records every chain's head (entries and hash, by chain
name) at a time, signed with HMAC-SHA256 under a key the database never holds, as one line of
an append-only file. `verify` walks the chains and checks every checkpoint: its signature, that
it follows the one before it, and that each chain still holds the checkpointed position with
the same hash (so no head moved backwards, no chain vanished). Checkpoints written before the
log was split by province name the one chain `audit_log`: it is the `legacy` chain now. What
was written after the newest checkpoint is protected only by the chains themselves, until the
next one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from inspection.audit.anchor_log import AnchorLog
from inspection.audit.chain import GENESIS, LEGACY, ChainReport, ChainState
from inspection.audit.chain import verify as verify_chain
from inspection.config import Settings, SettingsError
from inspection.db import utcnow

FORMAT = 1
BEFORE_SPLIT = "audit_log"  # the scope of the one chain in checkpoints before the split
KEY_FILE = "audit-anchor.key"
MIN_KEY_LENGTH = 32
KEY_REQUIRED = ("KT1_AUDIT_KEY phải được đặt (ít nhất 32 ký tự) trong môi trường production "
                "để neo và kiểm tra nhật ký kiểm toán.")


def anchor_key(settings: Settings, *, create: bool) -> bytes | None:
    """The signing key: `KT1_AUDIT_KEY`; outside production without it, a key generated once
    into `<instance>/audit-anchor.key` (mode 0600) when `create`, else None if there is none.
    SettingsError in production when the variable is missing or shorter than 32 characters."""
    if settings.audit_key:
        if settings.is_production and len(settings.audit_key) < MIN_KEY_LENGTH:
            raise SettingsError(KEY_REQUIRED)
        return settings.audit_key.encode()
    if settings.is_production:
        raise SettingsError(KEY_REQUIRED)
    path = settings.instance_path / KEY_FILE
    if path.exists() or not create:
        return path.read_text().strip().encode() if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip().encode()
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32) + "\n")
        out.flush()
        os.fsync(out.fileno())
    return path.read_text().strip().encode()


def sign(key: bytes, body: dict[str, Any]) -> str:
    """HMAC-SHA256 over the checkpoint without its `mac`, as canonical JSON (sorted keys,
    no spaces, ASCII)."""
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, raw, hashlib.sha256).hexdigest()


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    line: int
    seq: int
    at: str
    heads: dict[str, tuple[int, str]]  # scope -> (entries, hash of the newest)
    prev: str
    mac: str

    def body(self) -> dict[str, Any]:
        return {"v": FORMAT, "seq": self.seq, "at": self.at, "prev": self.prev,
                "heads": [{"scope": s, "entries": n, "hash": h}
                          for s, (n, h) in self.heads.items()]}


def parse(line_no: int, raw: str) -> Checkpoint | None:
    """The checkpoint on one line, or None if it is not one."""
    try:
        data = json.loads(raw)
        heads = {h["scope"]: (h["entries"], h["hash"]) for h in data["heads"]}
        checkpoint = Checkpoint(line_no, data["seq"], data["at"], heads, data["prev"],
                                data["mac"])
        datetime.fromisoformat(checkpoint.at)
    except (ValueError, TypeError, KeyError):
        return None
    well_formed = (data.get("v") == FORMAT and type(checkpoint.seq) is int
                   and all(isinstance(v, str) for v in (checkpoint.prev, checkpoint.mac))
                   and all(type(n) is int and n >= 0 and isinstance(h, str) and
                           isinstance(s, str) for s, (n, h) in heads.items()))
    return checkpoint if well_formed else None


@dataclasses.dataclass(frozen=True)
class AnchorSummary:
    checkpoints: int  # lines in the file
    latest_seq: int | None = None  # of the newest correctly signed checkpoint
    latest_at: datetime | None = None
    latest_entries: int | None = None


@dataclasses.dataclass(frozen=True)
class AnchoredReport:
    """The chains' report (`ok`, `entries`, `head`, `problems`, `chains`) with their
    checkpoints'."""

    ok: bool
    entries: int
    head: str
    problems: list[dict[str, Any]]
    anchors: AnchorSummary
    chains: dict[str, ChainState] = dataclasses.field(default_factory=dict)


class AnchorRefused(Exception):
    """The chain or its checkpoints do not verify: nothing is anchored."""

    def __init__(self, report: AnchoredReport) -> None:
        super().__init__("the audit log does not verify")
        self.report = report


def verify(session: Session, log: AnchorLog, key: bytes | None, *, required: bool = False,
           key_missing: str | None = None) -> AnchoredReport:
    """Verify the chain and every checkpoint in `log` (see the module docstring). `key`
    None: the checkpoints' signatures cannot be checked, a problem if there are any (or
    whenever `key_missing`, the reason, is given). `required`: a missing file is a problem."""
    lines = log.read()
    problems: list[dict[str, Any]] = []
    if required and not log.exists():
        problems.append(_problem("anchor-log-missing", None, None, (
            "Chưa có tệp mốc neo của nhật ký kiểm toán: hãy chạy `kt1 audit anchor` định kỳ.")))
    if key is None and (lines or key_missing):
        problems.append(_problem("anchor-key-missing", None, None, key_missing or (
            "Không có khoá để kiểm tra chữ ký các mốc neo (KT1_AUDIT_KEY hoặc tệp khoá).")))
    checkpoints = _signed(lines, key, problems)
    watch: dict[str, set[int]] = {}
    for cp in checkpoints:
        for scope, (n, _) in cp.heads.items():
            watch.setdefault(chain_named(scope), set()).add(n)
    chain = verify_chain(session, watch=watch)
    for checkpoint in checkpoints:
        _check_position(checkpoint, chain, problems)
    latest = checkpoints[-1] if checkpoints else None
    summary = AnchorSummary(
        checkpoints=len(lines), latest_seq=latest.seq if latest else None,
        latest_at=datetime.fromisoformat(latest.at) if latest else None,
        latest_entries=sum(n for n, _ in latest.heads.values()) if latest else None)
    every = [{**p, "detail": describe(p)} for p in chain.problems] + problems
    return AnchoredReport(ok=not every, entries=chain.entries, head=chain.head, problems=every,
                          anchors=summary, chains=chain.chains)


CHAIN_PROBLEMS = {
    "broken-link": ("Chuỗi {chain}: mục {id} không nối với mục ngay trước nó: một mục đã bị xoá "
                    "hoặc chèn."),
    "hash-mismatch": "Chuỗi {chain}: mục {id} đã bị sửa: mã băm không khớp nội dung.",
    "head-mismatch": ("Chuỗi {chain}: đầu chuỗi không khớp với mục mới nhất: mục mới nhất đã bị "
                      "xoá hoặc đầu chuỗi đã bị sửa hay xoá."),
    "base-mismatch": ("Chuỗi {chain} không bắt đầu từ cuối chuỗi trước khi tách theo tỉnh: điểm "
                      "gốc của chuỗi đã bị sửa."),
}


def chain_named(scope: str) -> str:
    """The chain a checkpoint's scope names."""
    return LEGACY if scope == BEFORE_SPLIT else scope


def describe(problem: dict[str, Any]) -> str:
    """A chain problem (`chain.verify`) as a sentence."""
    template = CHAIN_PROBLEMS.get(problem["problem"], "Vấn đề {problem} ở mục {id}.")
    return template.format(**{"chain": None, **problem})


def _problem(code: str, checkpoint: Checkpoint | None, entry_id: int | None,
             detail: str) -> dict[str, Any]:
    return {"id": entry_id, "problem": code,
            "checkpoint": checkpoint.seq if checkpoint else None,
            "line": checkpoint.line if checkpoint else None, "detail": detail}


def _signed(lines: list[str], key: bytes | None,
            problems: list[dict[str, Any]]) -> list[Checkpoint]:
    """The checkpoints to trust (correctly signed; all of them without a key, which is a
    problem of its own), with a problem for every line that is not one of them or does not
    follow the one before it."""
    trusted: list[Checkpoint] = []
    gap = False  # a line that is not a trusted checkpoint came since the last trusted one
    for line_no, raw in enumerate(lines, start=1):
        checkpoint = parse(line_no, raw)
        if checkpoint is None:
            problems.append({"id": None, "problem": "anchor-unreadable", "checkpoint": None,
                             "line": line_no, "detail": (
                                 f"Dòng {line_no} của tệp mốc neo không phải một mốc neo.")})
            gap = True
        elif key is not None and not hmac.compare_digest(sign(key, checkpoint.body()),
                                                         checkpoint.mac):
            problems.append(_problem("anchor-bad-signature", checkpoint, None, (
                f"Mốc neo #{checkpoint.seq} (dòng {line_no}) có chữ ký sai: mốc neo giả "
                "hoặc đã bị sửa.")))
            gap = True
        else:
            previous = trusted[-1] if trusted else None
            if not gap:
                _check_sequence(checkpoint, previous, problems)
            if previous is not None:
                _check_forward(checkpoint, previous, problems)
            trusted.append(checkpoint)
            gap = False
    return trusted


def _check_sequence(checkpoint: Checkpoint, previous: Checkpoint | None,
                    problems: list[dict[str, Any]]) -> None:
    expected = (previous.seq + 1, previous.mac) if previous else (1, GENESIS)
    if (checkpoint.seq, checkpoint.prev) != expected:
        problems.append(_problem("anchor-out-of-sequence", checkpoint, None, (
            f"Mốc neo #{checkpoint.seq} (dòng {checkpoint.line}) không nối tiếp mốc neo "
            "trước: tệp mốc neo đã bị xoá bớt, chèn hoặc đảo dòng.")))


def _check_forward(checkpoint: Checkpoint, previous: Checkpoint,
                   problems: list[dict[str, Any]]) -> None:
    now = {chain_named(s): n for s, (n, _) in checkpoint.heads.items()}
    for scope, (before, _) in previous.heads.items():
        chain = chain_named(scope)
        if now.get(chain, 0) < before:
            problems.append(_problem("anchor-head-moved-backwards", checkpoint, None, (
                f"Mốc neo #{checkpoint.seq} ghi {now.get(chain, 0)} mục của chuỗi {chain}, ít "
                f"hơn {before} mục của mốc neo #{previous.seq}: đầu chuỗi đã lùi giữa hai lần "
                "neo (các mục mới nhất bị xoá).")))


def _check_position(checkpoint: Checkpoint, chain: ChainReport,
                    problems: list[dict[str, Any]]) -> None:
    for scope, (entries, digest) in checkpoint.heads.items():
        when = f"mốc neo #{checkpoint.seq} lúc {checkpoint.at}"
        name = chain_named(scope)
        state = chain.chains.get(name)
        held = state.entries if state is not None else 0
        if entries > held:
            problems.append(_problem("anchor-head-moved-backwards", checkpoint, None, (
                f"Chuỗi nhật ký {name} chỉ còn {held} mục, ít hơn {entries} mục đã neo ở "
                f"{when}: đầu chuỗi đã lùi (các mục mới nhất bị xoá).")))
        elif entries == 0 and name == LEGACY and digest != GENESIS:
            problems.append(_problem("anchor-hash-mismatch", checkpoint, None,
                                     f"{when.capitalize()} ghi một chuỗi rỗng với mã băm lạ."))
        elif entries > 0 and chain.at[(name, entries)][1] != digest:
            entry_id = chain.at[(name, entries)][0]
            problems.append(_problem("anchor-hash-mismatch", checkpoint, entry_id, (
                f"Mục thứ {entries} (mã {entry_id}) của chuỗi {name} không còn mã băm đã neo "
                f"ở {when}: nhật ký đã bị viết lại.")))


def anchor(session: Session, log: AnchorLog, key: bytes,
           now: datetime | None = None) -> Checkpoint:
    """Verify the chain and the checkpoints so far, then append a checkpoint of the head.
    AnchorRefused when anything does not verify: a tampered chain is never anchored. If
    another run anchored a longer chain meanwhile, its checkpoint stands and is returned."""
    report = verify(session, log, key)
    if not report.ok:
        raise AnchorRefused(report)
    at = (now or utcnow()).isoformat()
    heads = {name: (state.entries, state.head) for name, state in report.chains.items()
             if state.entries or name == LEGACY}

    def next_line(lines: list[str]) -> str | None:
        last = parse(len(lines), lines[-1]) if lines else None
        if lines and last is None:  # written since `verify` read the file
            raise AnchorRefused(dataclasses.replace(report, ok=False, problems=[{
                "id": None, "problem": "anchor-unreadable", "checkpoint": None,
                "line": len(lines), "detail": f"Dòng {len(lines)} của tệp mốc neo không "
                                              "phải một mốc neo."}]))
        if last is not None and sum(n for n, _ in last.heads.values()) > report.entries:
            return None
        seq, prev = (last.seq + 1, last.mac) if last else (1, GENESIS)
        body = Checkpoint(len(lines) + 1, seq, at, heads, prev, "").body()
        return json.dumps({**body, "mac": sign(key, body)}, sort_keys=True,
                          separators=(",", ":"))

    line_no, raw = log.append(next_line)
    checkpoint = parse(line_no, raw)
    if checkpoint is None:
        raise AnchorRefused(report)
    return checkpoint


def check(session: Session, settings: Settings) -> AnchoredReport:
    """What GET /audit/verify reports: the chain and the checkpoints `settings` name; a key
    production lacks is one of its problems, never an error."""
    key, missing = None, None
    try:
        key = anchor_key(settings, create=False)
    except SettingsError as exc:
        missing = str(exc)
    return verify(session, AnchorLog(settings.anchor_path), key,
                  required=settings.is_production, key_missing=missing)
