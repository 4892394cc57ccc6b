"""Benchmark: reader tags on 10,000 datasets, from 10,000 to 1,000,000 tags.

Prints median and p95 latency, as an anonymous reader, of
``crowdsource_tag_list`` for one dataset next to ``package_show`` of the same
dataset (and their ratio, same run), and of the site-wide
``crowdsource_tag_cloud``, at 10,000 and at 1,000,000 reader tags. Clouds
are kept in Redis until any dataset is reindexed, so the cloud is measured as
readers meet it between changes and, for information, computed afresh.

The datasets whose tags are listed ("probe" datasets, 100 readers' tags
each) are the same at both sizes: the other datasets take the growth, so the
ratio between sizes shows whether one dataset's cost depends on the table's.

Dataset rows are copies of one dataset made through ``package_create``, and
their index documents copies of the one CKAN built for it, with each copy's
reader tags (what ``before_dataset_index`` adds); tags are inserted in bulk.
10,000 ``package_create`` calls would measure CKAN's writes, not tags.

Usage: python bench/tags.py [--datasets 10000] [--tags 10000,1000000] [--runs 200]
It uses its own database, crowdsource_bench_tags, created afresh each run.
"""
from __future__ import annotations

import argparse
import json
import random
import time

from common import ckan_app, index_copies, seed_datasets, timed, vacuum

DB = "crowdsource_bench_tags"
PROBES, PROBE_TAGS = 50, 100
ZH = ["古籍", "善本", "地方志", "家谱", "老照片", "报纸", "期刊", "地图", "碑刻", "档案",
      "书画", "论文", "统计", "戏曲", "民歌", "建筑", "历史", "文化", "教育", "医学"]
# 5,000 words; drawn log-uniformly (about Zipf): a few are everywhere, most rare
VOCABULARY = ZH + [f"{z}-{i}" for i in range(100) for z in ZH[:10]] + [
    f"topic-{i}" for i in range(5000 - len(ZH) - 1000)]


def add_tags(model, sa, pairs, ids: list[str], rnd: random.Random) -> None:
    """Insert (dataset number, reader number) pairs, each with one drawn word."""
    pairs = list(pairs)
    for start in range(0, len(pairs), 20000):
        values = [{"p": ids[p], "u": f"bench-user-{u}",
                   "t": VOCABULARY[int(len(VOCABULARY) ** rnd.random()) - 1]}
                  for p, u in pairs[start:start + 20000]]
        model.Session.execute(sa.text(
            "INSERT INTO crowdsource_tag (id, package_id, user_id, tag) "
            "SELECT md5(random()::text || clock_timestamp()::text)::uuid::text, p, u, t "
            "FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(p text, u text, t text)"),
            {"rows": json.dumps(values)})
    model.Session.commit()


def reindex(toolkit, model, sa, ids: list[str]) -> None:
    """Index documents for every dataset: the template's, with each one's tags."""
    from ckanext.crowdsource.tags.actions import dataset_tags

    index_copies(toolkit, model, sa, ids, lambda chunk: {
        pkg_id: {"vocab_crowd_tags": tags} for pkg_id, tags in dataset_tags(chunk).items()})
    vacuum(model, sa, "crowdsource_tag", "crowdsource_search_doc", "package")


def measure(toolkit, ids: list[str], runs: int, rnd: random.Random) -> dict[str, tuple]:
    anon = {"user": ""}
    probe = lambda: {"id": ids[rnd.randrange(PROBES)]}  # noqa: E731
    tag_list = toolkit.get_action("crowdsource_tag_list")
    show = toolkit.get_action("package_show")
    cloud = toolkit.get_action("crowdsource_tag_cloud")
    from ckanext.crowdsource.common.cache import bump
    from ckanext.crowdsource.search.connection import CACHE as SEARCH_CACHE
    from ckanext.crowdsource.tags.actions import CLOUD_CACHE

    def cold_cloud():
        # as after any change: kept clouds and kept search results are gone
        bump(CLOUD_CACHE)
        bump(SEARCH_CACHE)
        cloud(dict(anon), {})

    return {
        # warmed on every probe dataset, so neither starts with cold pages
        "crowdsource_tag_list (one dataset)": timed(
            lambda: tag_list(dict(anon), {"package_id": probe()["id"]}), runs,
            warmup=4 * PROBES),
        "package_show (the same datasets)": timed(lambda: show(dict(anon), probe()), runs,
                                                  warmup=4 * PROBES),
        "crowdsource_tag_cloud (site, top 20)": timed(lambda: cloud(dict(anon), {}), runs),
        "(info) the same, computed afresh": timed(cold_cloud, max(10, runs // 4), warmup=2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=int, default=10000)
    ap.add_argument("--tags", default="10000,1000000")
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.tags.split(","))

    app = ckan_app(DB)
    import sqlalchemy as sa
    from ckan import model
    from ckan.plugins import toolkit

    rnd = random.Random(42)
    results: dict[int, dict[str, tuple]] = {}
    with app._wsgi_app.test_request_context():
        t0 = time.perf_counter()
        ids = seed_datasets(toolkit, model, sa, args.datasets)
        print(f"seeded {len(ids):,} datasets ({time.perf_counter() - t0:.1f}s)", flush=True)
        # the probe datasets: PROBE_TAGS readers' tags each, the same at every size
        add_tags(model, sa, ((p, u) for p in range(PROBES) for u in range(PROBE_TAGS)),
                 ids, rnd)
        others, done = len(ids) - PROBES, 0  # rows on the other datasets so far
        for size in sizes:
            t0 = time.perf_counter()
            want = size - PROBES * PROBE_TAGS
            add_tags(model, sa, ((PROBES + g % others, 1000 + g // others)
                                 for g in range(done, want)), ids, rnd)
            done = want
            reindex(toolkit, model, sa, ids)
            count = model.Session.execute(sa.text("SELECT count(*) FROM crowdsource_tag")).scalar()
            print(f"{count:,} reader tags ({time.perf_counter() - t0:.1f}s)", flush=True)
            results[size] = measure(toolkit, ids, args.runs, rnd)

    print(f"\nlatency, ms (anonymous reader, {args.runs} runs each, "
          f"{len(ids):,} datasets)")
    print(f"{'call':40}" + "".join(f"{f'{s:,} tags median':>22}{'p95':>9}" for s in sizes))
    for label in results[sizes[0]]:
        print(f"{label:40}" + "".join(f"{results[s][label][0]:22.1f}{results[s][label][1]:9.1f}"
                                      for s in sizes))
    large, small = results[sizes[-1]], results[sizes[0]]
    tl, ps, cl, cold = (large[k] for k in large)
    ratio = tl[0] / ps[0]
    flat = tl[0] / small["crowdsource_tag_list (one dataset)"][0]
    # the same, as a share of package_show measured alongside: steady when the
    # machine itself is slower or faster between the two sizes
    flat_share = ratio / (small["crowdsource_tag_list (one dataset)"][0]
                          / small["package_show (the same datasets)"][0])
    print(f"\ntag list / package_show, median, {sizes[-1]:,} tags: {ratio:.2f} (goal <= 1.5: "
          f"{'met' if ratio <= 1.5 else 'NOT met'})")
    print(f"site cloud p95 at {sizes[-1]:,} tags: {cl[1]:.1f} ms (goal < 150 ms: "
          f"{'met' if cl[1] < 150 else 'NOT met'}); computed afresh after a change: "
          f"{cold[1]:.1f} ms")
    print(f"tag list median, {sizes[-1]:,} / {sizes[0]:,} tags: {flat:.2f} (goal < 1.5: "
          f"{'met' if flat < 1.5 else 'NOT met'}); as a share of package_show: "
          f"{flat_share:.2f}")


if __name__ == "__main__":
    main()
