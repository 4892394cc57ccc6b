"""Benchmark: the staff inbox with 100,000 feedback items over 3 organizations,
and a CSV export of 10,000 of them.

Prints, for an editor of one organization, median and p95 of the inbox's
first page through the API (``crowdsource_feedback_list``) next to
``package_show``, and as the HTML page (``/crowdsource/feedback``) next to
``/dataset``, with ratios from the same run; and the time and the peak of
Python memory of streaming a CSV export of 10,000 items
(``/crowdsource/feedback/export.csv``), next to the same 10,000 rows loaded
into a list at once (for information).

Feedback rows are written in bulk with SQL, as the action writes them.

Usage: python bench/feedback.py [--items 100000] [--runs 50]
It uses its own database, crowdsource_bench_feedback, created afresh each run.
"""
from __future__ import annotations

import argparse
import time
import tracemalloc

from common import ckan_app, copy_rows, index_copies, seed_datasets, timed, vacuum

DB = "crowdsource_bench_feedback"
EXPORT = 10_000


def seed_orgs(toolkit, model, sa, ids: list[str]) -> list[str]:
    """Three organizations, the datasets dealt out between them."""
    site = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    org_ids = [model.Package.get(ids[0]).owner_org]
    for name in ("university-library", "local-history-archive"):
        org_ids.append(toolkit.get_action("organization_create")(
            {"user": site, "ignore_auth": True}, {"name": name})["id"])
    model.Session.execute(sa.text(
        "UPDATE package SET owner_org = (CAST(:orgs AS text[]))[1 + "
        "(substr(name, 7)::int % 3)] WHERE name LIKE 'bench-%'"), {"orgs": org_ids})
    model.Session.commit()
    return org_ids


def seed_readers(toolkit, model, sa, n: int) -> list[str]:
    site = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    tmpl = toolkit.get_action("user_create")({"user": site, "ignore_auth": True}, {
        "name": "bench-reader-0", "email": "r0@example.org", "password": "bench-password-0"})
    copy_rows(model, sa, "user", tmpl["id"], n - 1, {
        "id": "md5('reader' || g)::uuid::text", "name": "'bench-reader-' || g",
        "email": "'r' || g || '@example.org'", "apikey": "NULL"})
    return list(model.Session.execute(sa.text(
        "SELECT id FROM \"user\" WHERE name LIKE 'bench-reader-%'")).scalars())


def seed_feedback(model, sa, n: int, ids: list[str], users: list[str]) -> None:
    model.Session.execute(sa.text(
        "INSERT INTO crowdsource_feedback (id, kind, subject_type, package_id, owner_org, "
        "user_id, title, body, rating, status, answered, created, modified) "
        "SELECT md5('fb' || g)::uuid::text, "
        "(ARRAY['error','suggestion','request','praise','other'])[1 + g % 5], 'dataset', "
        "p.id, p.owner_org, (CAST(:users AS text[]))[1 + g % :u], "
        "CASE WHEN g % 5 = 2 THEN '请求 ' || g END, "
        "'第 ' || g || ' 条反馈: the scan of page ' || (g % 300) || ' is blurred.', "
        "CASE WHEN g % 3 = 0 THEN 1 + g % 5 END, "
        "(ARRAY['new','acknowledged','in_progress','resolved','declined'])[1 + g % 5], "
        "CASE WHEN g % 5 > 0 THEN now() - interval '1 hour' * (g % 500) END, "
        "now() - interval '5 minutes' * g, now() "
        "FROM generate_series(1, :n) AS g "
        "JOIN package p ON p.id = (CAST(:ids AS text[]))[1 + g % :d]"),
        {"n": n, "ids": ids, "d": len(ids), "users": users, "u": len(users)})
    model.Session.commit()


def staff_token(toolkit, org_id: str) -> tuple[str, str]:
    site = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    user = toolkit.get_action("user_create")({"user": site, "ignore_auth": True}, {
        "name": "bench-librarian", "email": "l@example.org", "password": "bench-password-l"})
    toolkit.get_action("organization_member_create")(
        {"user": site, "ignore_auth": True},
        {"id": org_id, "username": user["name"], "role": "editor"})
    token = toolkit.get_action("api_token_create")(
        {"user": user["name"]}, {"user": user["name"], "name": "bench"})["token"]
    return user["name"], token


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=int, default=3000)
    ap.add_argument("--items", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()

    app = ckan_app(DB)
    import sqlalchemy as sa
    from ckan import model
    from ckan.plugins import toolkit

    from ckanext.crowdsource.feedback.actions import export_rows

    client = app._wsgi_app.test_client()
    with app._wsgi_app.test_request_context():
        t0 = time.perf_counter()
        ids = seed_datasets(toolkit, model, sa, args.datasets)
        orgs = seed_orgs(toolkit, model, sa, ids)
        index_copies(toolkit, model, sa, ids)
        readers = seed_readers(toolkit, model, sa, 300)
        seed_feedback(model, sa, args.items, ids, readers)
        vacuum(model, sa, "crowdsource_feedback", "package", "crowdsource_search_doc")
        name, token = staff_token(toolkit, orgs[0])
        in_scope = model.Session.execute(sa.text(
            "SELECT count(*) FROM crowdsource_feedback WHERE owner_org = :o"),
            {"o": orgs[0]}).scalar()
        since = model.Session.execute(sa.text(
            "SELECT created FROM crowdsource_feedback WHERE owner_org = :o "
            "ORDER BY created DESC OFFSET :k LIMIT 1"), {"o": orgs[0], "k": EXPORT - 1}).scalar()
        print(f"seeded {args.items:,} feedback items on {len(ids):,} datasets of 3 "
              f"organizations; {in_scope:,} in the librarian's inbox "
              f"({time.perf_counter() - t0:.1f}s)", flush=True)

        staff = {"user": name}
        inbox = toolkit.get_action("crowdsource_feedback_list")
        show = toolkit.get_action("package_show")
        probe = ids[0]
        results = {
            "crowdsource_feedback_list (first page)": timed(
                lambda: inbox(dict(staff), {"limit": 20}), args.runs),
            "package_show": timed(lambda: show(dict(staff), {"id": probe}), args.runs),
        }
        tracemalloc.start()
        t0 = time.perf_counter()
        loaded = list(export_rows(dict(staff), {"since": since}))
        list_s = time.perf_counter() - t0
        _, list_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    # pages through the WSGI app, each request its own context, logged in by token
    headers = {"Authorization": token}

    def get(path: str) -> bytes:
        res = client.get(path, headers=headers)
        assert res.status_code == 200, (path, res.status_code)
        return res.get_data()

    results["/crowdsource/feedback (HTML)"] = timed(lambda: get("/crowdsource/feedback"),
                                                    args.runs)
    results["/dataset (HTML)"] = timed(lambda: get("/dataset/"), args.runs)
    path = f"/crowdsource/feedback/export.csv?since={since.isoformat()}".replace("+", "%2B")
    tracemalloc.start()
    t0 = time.perf_counter()
    res = client.get(path, headers=headers)
    lines = sum(chunk.count(b"\n") for chunk in res.response)
    stream_s = time.perf_counter() - t0
    _, stream_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"\nms, as an editor of one organization ({args.runs} runs each)")
    for label, (med, p95) in results.items():
        print(f"{label:42}{med:10.1f}{p95:10.1f}")
    api = results["crowdsource_feedback_list (first page)"][0] / results["package_show"][0]
    page = results["/crowdsource/feedback (HTML)"][0] / results["/dataset (HTML)"][0]
    print(f"inbox API / package_show, median: {api:.2f} (goal <= 2: "
          f"{'met' if api <= 2 else 'NOT met'})")
    print(f"inbox page / /dataset, median: {page:.2f} (goal <= 1.5: "
          f"{'met' if page <= 1.5 else 'NOT met'})")
    print(f"\nCSV export streamed: {lines - 1:,} items in {stream_s:.2f} s (goal < 2 s: "
          f"{'met' if stream_s < 2 else 'NOT met'}), peak Python memory "
          f"{stream_peak / 1e6:.1f} MB")
    print(f"(info) the same {len(loaded):,} rows loaded into a list at once: {list_s:.2f} s, "
          f"peak {list_peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
