"""Benchmark: the leaderboards and a reader's profile with 10,000,000 points
ledger rows over 100,000 readers, next to ``/dataset`` of the same portal in
the same run; and what a ledger write costs with the leaderboards' kept sums.

The portal: ``--datasets`` datasets (one through the actions, the rest
copies of its row, indexed in ``crowdsource_pgsearch``; every twentieth
private), ``--communities`` communities and ``--readers`` readers (one
through the actions, the rest copies). The ledger: ``--rows`` rows written
in bulk as the receivers write them: a reason and its points, a reader (some
readers earn far more than others: the reader of row g is
``readers * u**2`` for u spread evenly over [0, 1)), a dataset (nine rows in
ten) and a community (four in ten), a time over the last 365 days, one row
in ten a reversal. The kept sums are then computed by ``core.rebuild`` (what
``ckan crowdsource rebuild-points`` runs), whose time is printed.

Part 1, pages (in-process, CKAN's WSGI app, anonymous; median and p95 of
``--runs`` rounds after a warmup, each round fetching every page in turn,
so that other work on the machine weighs on all of them alike):
``/dataset``, the leaderboard of the last 30 days in one community (the
goal: <= 1.5x ``/dataset``), the leaderboards site-wide of all time, the
last 30 days and this year, and the profile ``/user/<name>/contributions``
of the reader with the most rows and of a reader with a typical number (the
goal: <= 1.5x), and for comparison CKAN's own page of that reader, whose
frame (the user's sidebar) the profile shares. The contribution stream the
profile also lists is not seeded: its rows are the reader's newest, read
by an index in their order.

Part 2, a write: ``core.award`` of a reader on a public dataset of a
community, committed, as a receiver does it, with the kept sums and with
their two steps (``sync_dataset`` and ``fold``) switched off in this
process; median ms and SQL statements of each.

Usage: python bench/recognition.py [--rows 10000000] [--readers 100000]
       [--datasets 10000] [--communities 100] [--runs 50] [--reuse]
It uses its own database, crowdsource_bench_recognition, created afresh
each run (about 4 GB with the default sizes), or with ``--reuse`` as the
last run left it (the sizes are then those it was seeded with).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from typing import Any

from common import ROOT, ckan_app, index_copies, percentile, seed_datasets, vacuum, write_ini
from community import Counter, seed_communities, seed_readers

DB = "crowdsource_bench_recognition"
# reason, points; one row in ten is the reversal of a row before it
REASONS = [("claim_accepted", 10), ("answer_accepted", 15), ("answer_verified", 10),
           ("post_upvoted", 2), ("tag_promoted", 5), ("request_fulfilled", 10),
           ("feedback_resolved", 3)]


def seed_ledger(model: Any, sa: Any, rows: int, readers: int, datasets: int,
                communities: int) -> None:
    """``rows`` ledger rows in bulk (indexes built after, as a restore does)."""
    reasons = "ARRAY[" + ", ".join(f"'{r}'" for r, _ in REASONS) + "]"
    worth = "ARRAY[" + ", ".join(str(p) for _, p in REASONS) + "]"
    indexes = model.Session.execute(sa.text(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'crowdsource_points' "
        "AND indexname <> 'crowdsource_points_pkey'")).scalars().all()
    for ddl in indexes:
        model.Session.execute(sa.text(f"DROP INDEX {ddl.split()[2]}"))
    model.Session.commit()
    step = 1_000_000
    for start in range(0, rows, step):
        model.Session.execute(sa.text(f"""
            INSERT INTO crowdsource_points (id, user_id, points, reason, item_type, item_id,
                actor_id, package_id, community_id, created)
            SELECT md5('row' || g)::uuid::text,
                   md5('reader' || (1 + floor((:readers - 1) *
                       power(((g * 7919) % 1000003) / 1000003.0, 2)))::int)::uuid::text,
                   CASE WHEN g % 10 = 0 THEN -1 ELSE 1 END * ({worth})[1 + g % 7],
                   ({reasons})[1 + g % 7], 'post', md5('item' || (g / 2))::uuid::text,
                   md5('reader' || (1 + g % 997))::uuid::text,
                   CASE WHEN g % 10 = 3 THEN NULL
                        ELSE md5('bench' || (1 + g % (:datasets - 1)))::uuid::text END,
                   CASE WHEN g % 10 < 4
                        THEN md5('community' || (1 + g % (:communities - 1)))::uuid::text END,
                   now() - interval '1 second' * ((g * 104729) % (365 * 86400))
            FROM generate_series(CAST(:start AS bigint) + 1, :end) g"""),
            {"readers": readers, "datasets": datasets, "communities": communities,
             "start": start, "end": min(rows, start + step)})
        model.Session.commit()
    for ddl in indexes:
        model.Session.execute(sa.text(ddl))
    model.Session.commit()


def seed(args: Any, toolkit: Any, model: Any, sa: Any, core: Any
         ) -> tuple[list[str], list[str], list[str]]:
    """The portal and the ledger; (dataset ids, community names, reader ids)."""
    t0 = time.perf_counter()
    ids = seed_datasets(toolkit, model, sa, args.datasets)
    model.Session.execute(sa.text(
        "UPDATE package SET private = true WHERE name LIKE 'bench-%' "
        "AND substr(name, 7)::int % 20 = 19"))
    model.Session.commit()
    index_copies(toolkit, model, sa, ids)
    names = seed_communities(toolkit, model, sa, args.communities)
    _first, readers = seed_readers(toolkit, model, sa, args.readers)
    print(f"seeded {len(ids):,} datasets, {len(names):,} communities, {len(readers):,} "
          f"readers ({time.perf_counter() - t0:.0f}s)", flush=True)
    t0 = time.perf_counter()
    seed_ledger(model, sa, args.rows, args.readers, args.datasets, args.communities)
    vacuum(model, sa, "crowdsource_points", '"user"', "package", "crowdsource_search_doc")
    print(f"seeded {args.rows:,} ledger rows ({time.perf_counter() - t0:.0f}s)", flush=True)
    t0 = time.perf_counter()
    left_out = core.rebuild()
    model.Session.commit()
    vacuum(model, sa, "crowdsource_points_total", "crowdsource_points_excluded")
    sizes = dict(model.Session.execute(sa.text(
        "SELECT period, count(*) FROM crowdsource_points_total GROUP BY period")).all())
    print(f"kept sums rebuilt in {time.perf_counter() - t0:.0f}s: "
          + ", ".join(f"{n:,} rows for {period}" for period, n in sorted(sizes.items()))
          + f"; {left_out:,} private datasets left out", flush=True)
    return ids, names, readers


def seeded(model: Any, sa: Any) -> tuple[list[str], list[str], list[str]]:
    """What the last run seeded: (dataset ids, community names, reader ids)."""
    def column(sql: str) -> list[str]:
        return list(model.Session.execute(sa.text(sql)).scalars())

    return (column("SELECT id FROM package WHERE name LIKE 'bench-%' "
                   "ORDER BY substr(name, 7)::int"),
            column("SELECT name FROM \"group\" WHERE name LIKE 'community-%' "
                   "ORDER BY substr(name, 11)::int"),
            column("SELECT id FROM \"user\" WHERE name LIKE 'bench-reader-%' "
                   "ORDER BY substr(name, 14)::int"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--readers", type=int, default=100_000)
    ap.add_argument("--datasets", type=int, default=10_000)
    ap.add_argument("--communities", type=int, default=100)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--reuse", action="store_true",
                    help="measure on the database the last run seeded")
    args = ap.parse_args()

    if args.reuse:
        from ckan.cli import load_config
        from ckan.config.middleware import make_app

        app = make_app(load_config(write_ini(DB)))
    else:
        app = ckan_app(DB)
    import sqlalchemy as sa
    from ckan import model
    from ckan.plugins import toolkit

    sys.path.insert(0, ROOT)
    from ckanext.crowdsource.recognition import core
    from ckanext.crowdsource.recognition.model import points

    client = app._wsgi_app.test_client()
    with app._wsgi_app.test_request_context():
        if args.reuse:
            ids, names, readers = seeded(model, sa)
            args.rows = model.Session.execute(sa.select(sa.func.count()).select_from(
                points)).scalar_one()
            args.readers = len(readers)
        else:
            ids, names, readers = seed(args, toolkit, model, sa, core)
        p = points.c
        by_reader = sa.select(p.user_id, sa.func.count().label("n")).group_by(
            p.user_id).subquery()
        top_id, top_n = model.Session.execute(sa.select(by_reader).order_by(
            by_reader.c.n.desc()).limit(1)).one()
        typical_id, typical_n = model.Session.execute(sa.select(by_reader).order_by(
            by_reader.c.n).offset(args.readers // 2).limit(1)).one()
        top, typical = (model.Session.get(model.User, i).name for i in (top_id, typical_id))
        counter = Counter(sa, model.ensure_engine())

    community = names[len(names) // 2]

    def get(path: str) -> None:
        res = client.get(path)
        assert res.status_code == 200, (path, res.status_code, res.text[:300])

    pages = {
        "/dataset": "/dataset/",
        "leaderboard 30 days, one community":
            f"/crowdsource/leaderboard?period=30d&community_id={community}",
        "leaderboard all time": "/crowdsource/leaderboard",
        "leaderboard 30 days": "/crowdsource/leaderboard?period=30d",
        "leaderboard this year": "/crowdsource/leaderboard?period=year",
        f"profile, most rows ({top_n:,})": f"/user/{top}/contributions",
        f"profile, typical ({typical_n:,} rows)": f"/user/{typical}/contributions",
        # CKAN's own page of that reader, whose frame the profile shares
        "(CKAN's /user/<name>, typical)": f"/user/{typical}",
    }
    goals = {"leaderboard 30 days, one community", f"profile, most rows ({top_n:,})",
             f"profile, typical ({typical_n:,} rows)"}
    times: dict[str, list[float]] = {label: [] for label in pages}
    for round_ in range(10 + args.runs):  # the first ten: warmup
        for label, path in pages.items():
            t0 = time.perf_counter()
            get(path)
            if round_ >= 10:
                times[label].append((time.perf_counter() - t0) * 1000)
    results = {label: (statistics.median(t), percentile(t, 95)) for label, t in times.items()}
    print(f"\npart 1: pages, ms, anonymous ({args.runs} rounds; {args.rows:,} ledger rows, "
          f"{args.readers:,} readers, {len(ids):,} datasets, {len(names):,} communities)")
    print(f"{'page':40}{'median':>10}{'p95':>10}{'/ /dataset':>12}")
    base = results["/dataset"][0]
    for label, (med, p95) in results.items():
        goal = f"  (goal <= 1.5: {'met' if med / base <= 1.5 else 'NOT met'})" \
            if label in goals else ""
        print(f"{label:40}{med:10.1f}{p95:10.1f}{med / base:12.2f}{goal}")

    # part 2: one award, committed, with and without the kept sums
    with app._wsgi_app.test_request_context():
        package_id = ids[1]
        community_id = model.Session.execute(sa.text(
            "SELECT id FROM \"group\" WHERE name = :n"), {"n": community}).scalar()

        def award() -> None:
            core.award(readers[7], "claim_accepted", "claim", str(uuid.uuid4()),
                       actor_id=readers[8], package_id=package_id, community_id=community_id)
            model.Session.commit()

        kept = core.sync_dataset, core.fold
        out = {}
        for label in ("with kept sums", "without"):
            if label == "without":
                core.sync_dataset, core.fold = (lambda *_a, **_k: True), (lambda *_a, **_k: None)
            counter.n, counter.on = 0, True
            award()
            counter.on = False
            spent = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                award()
                spent.append((time.perf_counter() - t0) * 1000)
            out[label] = (statistics.median(spent), counter.n)
        core.sync_dataset, core.fold = kept
    print("\npart 2: one ledger write (core.award, committed), ms")
    for label, (med, statements) in out.items():
        print(f"{label:20}{med:8.2f} ms {statements:4} SQL statements")
    print(f"the kept sums cost {out['with kept sums'][0] - out['without'][0]:.2f} ms and "
          f"{out['with kept sums'][1] - out['without'][1]} statements a write")


if __name__ == "__main__":
    main()
