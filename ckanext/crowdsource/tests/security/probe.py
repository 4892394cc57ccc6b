"""What the bad-input suite needs around a served CKAN: the server's log (for
the traceback of a 5xx), the verdict on one answer, snapshots of the tables
(for partial writes), a saved state of the crowdsource tables to go back to,
and the tally of findings."""
from __future__ import annotations

import glob
import json
import os
import re
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

import requests
import sqlalchemy as sa
from ckan import model

# The core tables a crowdsource write may change through CKAN's actions
# (package_patch in an apply or a promote): a refused call must leave them too.
CORE_TABLES = ("package", "package_extra", "package_tag", "tag", "resource", "member",
               "group")
# CKAN's own refusals of a request it cannot read (before any action runs)
# (CKAN 2.11's validation answers a list of objects where a list of strings
# belongs with its own 400 "Integrity Error" before the action's schema runs)
CORE_400 = ("Bad request", "Search Query Error", "Integrity Error")
QUEUE = "crowdsource_reindex"


# --- the server's log ---------------------------------------------------------

class ServerLog:
    """The log of a CKAN started by ``tests/served.py`` (its stdout and
    stderr, in the temporary folder it made), read from where it was left."""

    def __init__(self, base: str) -> None:
        self.path = self._find(base)
        self.offset = os.path.getsize(self.path) if self.path else 0

    @staticmethod
    def _find(base: str) -> str | None:
        pattern = os.path.join(tempfile.gettempdir(), "crowdsource-served-*", "server.ini")
        for ini in glob.glob(pattern):
            try:
                with open(ini) as f:
                    if re.search(rf"^ckan\.site_url = {re.escape(base)}$", f.read(), re.M):
                        return os.path.join(os.path.dirname(ini), "server.log")
            except OSError:
                continue
        return None

    def new(self, settle: float = 0.05) -> str:
        """What was written since the last call."""
        if not self.path:
            return ""
        time.sleep(settle)  # the worker writes the traceback before it answers
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                text = f.read()
                self.offset = f.tell()
        except OSError:
            return ""
        return text.decode("utf-8", "replace")


def traceback_excerpt(log: str) -> tuple[str, str]:
    """(signature, excerpt) of the last traceback in ``log``: the exception
    and the deepest frame in the extension (or the deepest frame at all)."""
    start = log.rfind("Traceback (most recent call last)")
    if start < 0:
        lines = [ln for ln in log.splitlines() if "ERROR" in ln or "Error" in ln]
        last = lines[-1].strip() if lines else "(no traceback in the server log)"
        return last[:160], last[:400]
    lines = log[start:].splitlines()
    frames = [i for i, ln in enumerate(lines) if ln.lstrip().startswith('File "')]
    exception = next((ln.strip() for ln in lines[1:]
                      if ln and not ln.startswith((" ", "\t")) and ":" in ln), lines[-1])
    ours = [i for i in frames if "ckanext/crowdsource" in lines[i]]
    at = (ours or frames or [0])[-1]
    frame = lines[at].strip()
    code = lines[at + 1].strip() if at + 1 < len(lines) else ""
    where = re.sub(r'^File "(?:.*/site-packages/|.*/(?=ckanext/)|.*/lib/python[\d.]+/)?'
                   r'([^"]+)", line (\d+), in (\S+)', r"\1:\2 \3", frame)
    signature = f"{exception.split(':', 1)[0]} at {where}"
    return signature, f"{exception[:300]} | {where} | {code[:160]}"


# --- one answer ---------------------------------------------------------------

@dataclass
class Verdict:
    """How the server answered one request."""

    outcome: str  # "accepted", "refused", "defect"
    detail: str = ""
    status: int = 0
    fields: frozenset[str] = frozenset()  # what a Validation Error names


def judge_api(res: requests.Response) -> Verdict:
    """An API answer: accepted (2xx, success), refused safely (403, 404 or 409
    with CKAN's JSON error; 400 only for CKAN's own refusal of a request it
    cannot read), or a defect."""
    try:
        body = res.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    kind = error.get("__type") if isinstance(error, dict) else None
    if res.status_code >= 500:
        return Verdict("defect", f"{res.status_code}")
    if 200 <= res.status_code < 300:
        if isinstance(body, dict) and body.get("success") is True:
            return Verdict("accepted")
        return Verdict("defect", f"{res.status_code} without CKAN's JSON success")
    if res.status_code in (403, 404, 409) and kind and body.get("success") is False:
        return Verdict("refused", f"{res.status_code} {kind}", res.status_code,
                       frozenset(error) - {"__type"})
    if res.status_code == 400 and kind in CORE_400 and body.get("success") is False:
        return Verdict("refused", f"400 {kind}")
    return Verdict("defect", f"{res.status_code} {kind or 'without CKAN JSON error'}: "
                             f"{res.text[:160]!r}")


def judge_page(res: requests.Response) -> Verdict:
    """A page or form answer: anything but a 5xx (an error page, a redirect,
    a partial) is fine."""
    if res.status_code >= 500:
        return Verdict("defect", f"{res.status_code}")
    if res.status_code < 400:
        return Verdict("accepted", str(res.status_code))
    return Verdict("refused", str(res.status_code))


# --- the tables ---------------------------------------------------------------

def watched_tables() -> list[str]:
    """The crowdsource tables (but alembic's and the search index's) and the
    core tables a crowdsource write may change."""
    with model.Session.get_bind().connect() as conn:
        names = conn.execute(sa.text(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")).scalars()
        return sorted(n for n in names if ours(n) or n in CORE_TABLES)


def ours(table: str) -> bool:
    return (table.startswith("crowdsource_") and not table.endswith("alembic_version")
            and not table.startswith("crowdsource_search_"))


class Tables:
    """Snapshots of the watched tables (count and md5 of the rows of each), in
    one query on a connection of its own (what is committed)."""

    def __init__(self) -> None:
        self.names = watched_tables()
        self.query = sa.text(" UNION ALL ".join(self._digest(n) for n in self.names))
        # one connection, each statement its own transaction: what is committed
        self.conn = model.Session.get_bind().connect().execution_options(
            isolation_level="AUTOCOMMIT")

    @staticmethod
    def _digest(name: str) -> str:
        if name == QUEUE:  # which datasets wait, not when they were queued
            rows = "string_agg(package_id, ' ' ORDER BY package_id)"
        else:
            rows = "md5(string_agg(t::text, E'\\n' ORDER BY t::text))"
        return f"SELECT '{name}', count(*), coalesce({rows}, '') FROM \"{name}\" AS t"

    def snapshot(self) -> dict[str, tuple[int, str]]:
        return {name: (count, digest) for name, count, digest in self.conn.execute(self.query)}

    def close(self) -> None:
        self.conn.close()

    def settled(self, seconds: float = 2.0) -> dict[str, tuple[int, str]]:
        """A snapshot once the work a server does after its answer (the
        reindex after a commit) is over: nothing waits to be reindexed, or
        two equal snapshots in a row."""
        last = self.snapshot()
        if not last.get(QUEUE, (0, ""))[0]:
            return last
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.03)  # the deferred reindex runs after the response
            now = self.snapshot()
            if now == last:
                return now
            last = now
        return last

    @staticmethod
    def changes(before: dict[str, tuple[int, str]],
                after: dict[str, tuple[int, str]]) -> list[str]:
        """The tables that changed; the reindex queue only when a dataset
        joined it (a worker drains it after its answers, and a drain takes
        every stale row too)."""
        out = []
        for n in before:
            if before[n] == after.get(n):
                continue
            if n == QUEUE:
                added = set(after[n][1].split()) - set(before[n][1].split())
                if not added:
                    continue
            out.append(f"{n} ({before[n][0]} rows -> {after[n][0]})")
        return out


def _end_transaction(conn: sa.engine.Connection) -> None:
    """Commit what a connection began: SQLAlchemy 2 (CKAN 2.12) begins a
    transaction on first use; 1.4 (CKAN 2.11) runs each statement on its own
    unless told to begin."""
    if hasattr(conn, "commit"):
        conn.commit()
    elif conn.in_transaction():
        conn.get_transaction().commit()


class SavedState:
    """The rows of the crowdsource tables at one moment, kept in temporary
    tables of a connection of its own, to go back to between actions."""

    def __init__(self) -> None:
        self.conn = model.Session.get_bind().connect()
        self.names = [n for n in watched_tables() if ours(n)]
        self.order = self._insert_order()
        _end_transaction(self.conn)

    def _insert_order(self) -> list[str]:
        """The tables, each after those it refers to."""
        refs: dict[str, set[str]] = {n: set() for n in self.names}
        rows = self.conn.execute(sa.text(
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text"
            " FROM pg_constraint c WHERE c.contype = 'f'"))
        for child, parent in rows:
            child, parent = child.strip('"'), parent.strip('"')
            if child in refs and parent in refs and child != parent:
                refs[child].add(parent)
        order: list[str] = []
        while refs:
            ready = sorted(n for n, deps in refs.items() if not deps - set(order))
            if not ready:  # a cycle: the rest in any order
                ready = sorted(refs)
            for n in ready:
                order.append(n)
                refs.pop(n)
        return order

    def save(self, name: str = "main") -> None:
        """Keep the rows as they are now, as ``name``."""
        with self.conn.begin():
            for n in self.names:
                self.conn.execute(sa.text(f'DROP TABLE IF EXISTS "{name}_{n}"'))
                self.conn.execute(sa.text(
                    f'CREATE TEMP TABLE "{name}_{n}" AS SELECT * FROM "{n}"'))

    def restore(self, name: str = "main") -> None:
        """Back to the rows saved as ``name``: DELETE (not TRUNCATE, whose
        exclusive locks would deadlock with the requests reading meanwhile),
        then INSERT; again if it deadlocks with a worker's reindex after an
        answer."""
        model.Session.remove()  # the test's own session holds no locks
        for attempt in range(5):
            try:
                with self.conn.begin():
                    for n in reversed(self.order):
                        self.conn.execute(sa.text(f'DELETE FROM "{n}"'))
                    for n in self.order:
                        self.conn.execute(sa.text(
                            f'INSERT INTO "{n}" SELECT * FROM "{name}_{n}"'))
                return
            except sa.exc.OperationalError:
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))  # the other transaction finishes

    def ids(self, name: str = "main", owner: str = "") -> list[tuple[str, str]]:
        """(table, id) of one saved row of each table with an ``id`` column,
        one made by ``owner`` where the table says who made its rows."""
        out = []
        for n in self.names:
            columns = set(self.conn.execute(sa.text(
                "SELECT column_name FROM information_schema.columns WHERE table_name = :t"
                " AND table_schema = current_schema()"), {"t": n}).scalars())
            if "id" not in columns:
                continue
            mine = "(user_id = :owner) DESC, " if "user_id" in columns else ""
            row = self.conn.execute(sa.text(
                f'SELECT id::text FROM "{name}_{n}" ORDER BY {mine}id::text LIMIT 1'),
                {"owner": owner}).first()
            if row:
                out.append((n, row[0]))
        _end_transaction(self.conn)
        return out

    def close(self) -> None:
        self.conn.close()


# --- the tally ----------------------------------------------------------------

@dataclass
class Defect:
    surface: str  # "api", "page", "form", "worker"
    target: str  # the action, or METHOD path
    user: str
    variant: str
    status: str
    signature: str
    excerpt: str

    def line(self) -> str:
        return (f"[{self.surface}] {self.target} as {self.user}: {self.variant} -> "
                f"{self.status} | {self.excerpt}")


class Tally:
    """Counts and defects, safe to add to from several threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.refusals: Counter[str] = Counter()
        self.targets: Counter[str] = Counter()
        self.defects: list[Defect] = []
        self.problems: list[str] = []  # what kept a target from being probed

    def count(self, surface: str, verdict: Verdict, target: str = "") -> None:
        with self.lock:
            self.targets[target] += 1
            self.counts[f"{surface} tried"] += 1
            self.counts[f"{surface} {verdict.outcome}"] += 1
            if verdict.outcome == "refused":
                self.refusals[f"{surface} {verdict.detail}"] += 1

    def defect(self, defect: Defect) -> None:
        with self.lock:
            self.defects.append(defect)

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)

    def report(self, title: str) -> str:
        groups: dict[str, list[Defect]] = defaultdict(list)
        for d in self.defects:
            groups[d.signature].append(d)
        surfaces = sorted({k.split()[0] for k in self.counts})
        lines = [f"== {title}"]
        for s in surfaces:
            c = self.counts
            lines.append(f"{s}: tried {c[s + ' tried']}, accepted {c[s + ' accepted']}, "
                         f"refused safely {c[s + ' refused']}, defects {c[s + ' defect']}")
        lines.append("most tried: " + ", ".join(
            f"{k} {v}" for k, v in self.targets.most_common(12)))
        if self.refusals:
            lines.append("refusals: " + ", ".join(
                f"{k} x{v}" for k, v in sorted(self.refusals.items())))
        lines.append(f"defects: {len(self.defects)} in {len(groups)} groups (by cause)")
        for signature, found in sorted(groups.items(), key=lambda g: -len(g[1])):
            lines.append(f"-- {len(found)} x {signature}")
            lines.append(f"   e.g. {found[0].excerpt}")
            for d in found:
                lines.append(f"   [{d.surface}] {d.target} as {d.user}: {d.variant} -> "
                             f"{d.status}" + ("" if d.excerpt == found[0].excerpt
                                               else f" | {d.excerpt[:200]}"))
        for p in self.problems:
            lines.append(f"not probed: {p}")
        return "\n".join(lines)

    def dump(self, path: str) -> None:
        """Every defect, one JSON object a line (for whoever fixes them),
        added to the end of ``path``."""
        with open(path, "a") as f:
            for d in self.defects:
                f.write(json.dumps(d.__dict__, ensure_ascii=True) + "\n")
