"""Benchmark: ``package_search`` served by crowdsource_pgsearch.

Seeds N datasets and prints median and p95 latency of CKAN's own
``package_search`` action (as an anonymous reader, so the permission filter
is in every query) for four kinds of query, at each N, and the ratio of the
largest N to the smallest measured in the same run.

Organizations, groups and one real dataset per kind (public and private) are
created through CKAN's actions; their index documents, as CKAN built them,
are the templates for the rest, which are written through the backend's own
``add()`` (creating 100,000 datasets through ``package_create`` would take
hours and measure CKAN's writes, not search).

Usage: python bench/search.py [--sizes 1000,100000] [--runs 100] [--db NAME]
It uses its own database, crowdsource_bench (or --db), created afresh each
run. At each size it also prints the index's size on disk per dataset and
the time of one write (a dataset indexed again, as package_update does).
"""
from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import random
import time
import uuid
from datetime import datetime, timedelta, timezone

from common import ckan_app, timed

DB = "crowdsource_bench"

EN_ADJ = ["Historic", "Annual", "Digital", "Rare", "Regional", "Municipal", "Early", "Modern",
          "Illustrated", "Collected", "Local", "Open", "Scanned", "Selected", "Complete"]
EN_SUBJ = ["maps", "newspapers", "photographs", "letters", "census", "theses", "journals",
           "manuscripts", "records", "music scores", "statistics", "loans", "periodicals",
           "atlases", "diaries", "posters", "recordings", "inscriptions", "registers", "surveys"]
EN_KIND = ["catalogue", "index", "collection", "dataset", "inventory", "archive", "list"]
ZH_PLACE = ["北京", "上海", "杭州", "苏州", "广州", "成都", "西安", "南京", "武汉", "天津"]
ZH_SUBJ = ["古籍", "地方志", "家谱", "老照片", "报纸", "期刊", "地图", "碑刻", "档案", "书画",
           "论文", "统计", "戏曲", "民歌", "建筑"]
ZH_KIND = ["目录", "索引", "数据集", "汇编", "图录", "名录"]
BASE_WORDS = ("library reader branch digitised volume edition century district university "
              "collection donated scanned transcribed metadata subject heading shelf mark "
              "reference microfilm loan museum school river street temple market harbour "
              "railway factory church garden festival poetry novel drama science medicine").split()
# A catalogue's vocabulary is large and Zipf-distributed: a few words are in
# many records, most in few. 40 real words plus 3,000 made-up ones.
SYLLABLES = ["ka", "lo", "mi", "ren", "sa", "tor", "vel", "qui", "dan", "bri", "el", "oth"]
WORDS = BASE_WORDS + [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES][:3000]
ZH_WORDS = ["馆藏", "善本", "数字化", "读者", "借阅", "整理", "研究", "历史", "文化", "资料"]
TAGS = [f"topic-{i}" for i in range(150)] + ZH_SUBJ + ["history", "maps", "economy", "art"]
FORMATS = ["CSV", "JSON", "PDF", "XLSX", "XML", "ZIP", "TIFF", "MP3"]
ORGS = ["city-library", "university-library", "local-history-archive"]
GROUPS = ["history", "literature", "science", "maps-geography", "arts"]


def seed_real(toolkit) -> dict[str, dict]:
    """Organizations, groups and template datasets, through the actions."""
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    ctx = {"user": site_user["name"], "ignore_auth": True}
    orgs = {n: toolkit.get_action("organization_create")(dict(ctx), {"name": n}) for n in ORGS}
    for g in GROUPS:
        toolkit.get_action("group_create")(dict(ctx), {"name": g})
    templates = {}
    for private in (False, True):
        pkg = toolkit.get_action("package_create")(dict(ctx), {
            "name": f"template-{int(private)}", "title": "Template", "notes": "Template",
            "owner_org": orgs[ORGS[0]]["id"], "private": private,
            "tags": [{"name": "history"}], "groups": [{"name": GROUPS[0]}],
            "resources": [{"url": "http://example.org/x.csv", "format": "CSV", "name": "x"}],
        })
        templates[private] = pkg["id"]
    return {"orgs": orgs, "templates": templates}


def template_docs(model, sa, ids: dict[bool, str]) -> dict[bool, dict]:
    """The index documents CKAN built for the template datasets."""
    out = {}
    with model.ensure_engine().connect() as conn:
        for private, pkg_id in ids.items():
            row = conn.execute(sa.text(
                "SELECT doc, fields, permission_labels FROM crowdsource_search_doc "
                "WHERE id = :id"), {"id": pkg_id}).one()
            out[private] = {**row.fields, **row.doc, "permission_labels": row.permission_labels}
    return out


def make_doc(n: int, rnd: random.Random, tmpl: dict, orgs: dict, site_id: str) -> dict:
    if rnd.random() < 0.5:
        title = f"{rnd.choice(EN_ADJ)} {rnd.choice(EN_SUBJ).title()} {rnd.choice(EN_KIND).title()}"
        notes = " ".join(zipf_word(rnd) for _ in range(rnd.randint(15, 40)))
    else:
        title = f"{rnd.choice(ZH_PLACE)}{rnd.choice(ZH_SUBJ)}{rnd.choice(ZH_KIND)}"
        notes = "".join(rnd.choice(ZH_WORDS) for _ in range(rnd.randint(8, 25)))
        notes += " " + " ".join(zipf_word(rnd) for _ in range(5))
    title += f" {1900 + n % 120}"
    org = ORGS[n % 3]
    tags = sorted({TAGS[min(int(rnd.paretovariate(1.2)) - 1, len(TAGS) - 1)]
                   for _ in range(rnd.randint(1, 5))} | {rnd.choice(TAGS)})
    groups = sorted(rnd.sample(GROUPS, rnd.randint(0, 2)))
    fmts = [rnd.choice(FORMATS) for _ in range(rnd.randint(1, 3))]
    created = datetime(2020, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=n * 17 % 2_600_000)
    modified = created + timedelta(days=rnd.randint(0, 300))
    pkg_id = str(uuid.uuid4())
    name = f"bench-{n}"
    stamp = {"metadata_created": created.strftime("%Y-%m-%dT%H:%M:%S.%f"),
             "metadata_modified": modified.strftime("%Y-%m-%dT%H:%M:%S.%f")}
    pkg = json.loads(tmpl["validated_data_dict"])
    pkg.update(id=pkg_id, name=name, title=title, notes=notes, **stamp,
               tags=[{"name": t, "display_name": t} for t in tags],
               groups=[{"name": g} for g in groups],
               organization={**pkg["organization"], "name": org, "id": orgs[org]["id"]})
    doc = dict(tmpl)
    doc.update(
        id=pkg_id, name=name, title=title, title_string=title, notes=notes, tags=tags,
        groups=groups, organization=org, res_format=fmts, res_name=[title] * len(fmts),
        res_url=[f"http://example.org/{name}.{f.lower()}" for f in fmts],
        metadata_created=stamp["metadata_created"] + "Z",
        metadata_modified=stamp["metadata_modified"] + "Z",
        data_dict=json.dumps(pkg), validated_data_dict=json.dumps(pkg),
        owner_org=orgs[org]["id"],
        index_id=hashlib.md5(f"{pkg_id}{site_id}".encode()).hexdigest(),
    )
    if doc["capacity"] == "private":
        doc["permission_labels"] = [f"member-{orgs[org]['id']}"]
    return doc


ZIPF = list(itertools.accumulate(1 / rank for rank in range(1, len(WORDS) + 1)))


def zipf_word(rnd: random.Random) -> str:
    """A word drawn as often as its rank says (p ~ 1/rank): the first is 12% of all."""
    return WORDS[bisect.bisect(ZIPF, rnd.random() * ZIPF[-1])]


def scenarios(rnd: random.Random):
    # what readers type: words drawn as often as they occur, a Chinese word, a title word
    def free() -> str:
        return rnd.choice([zipf_word(rnd), zipf_word(rnd), rnd.choice(ZH_SUBJ),
                           rnd.choice(ZH_PLACE), rnd.choice(EN_SUBJ).split()[0],
                           f"{rnd.choice(ZH_PLACE)} {rnd.choice(EN_SUBJ).split()[0]}"])

    return {
        "free text": lambda: {"q": free()},
        "free text + 3 facets": lambda: {
            "q": free(), "facet.field": ["organization", "groups", "tags"]},
        "fq filter only": lambda: {
            "fq": rnd.choice([f'tags:"{rnd.choice(TAGS[:30])}"',
                              f'organization:"{rnd.choice(ORGS)}"',
                              f'res_format:"{rnd.choice(FORMATS)}"'])},
        "sorted by metadata_modified": lambda: {"q": "*:*", "sort": "metadata_modified desc"},
        "2-character Chinese word": lambda: {"q": rnd.choice(ZH_TWO)},
        "(info) very common word: library": lambda: {"q": "library"},
        "(info) /dataset default, 5 facets": lambda: dict(DATASET_PAGE),
    }


ZH_TWO = [w for w in ZH_SUBJ + ZH_WORDS + ZH_PLACE if len(w) == 2]
CACHE_OPTION = "ckanext.crowdsource.search.cache_seconds"
DATASET_PAGE = {"q": "*:*", "facet.field": ["organization", "groups", "tags", "res_format",
                                          "license_id"]}


def facet_values_cost(toolkit) -> tuple[float, float]:
    """What a new process pays for the facet values it keeps: the time of its
    first /dataset search (reading every document's values) and the memory the
    values then hold, in MB."""
    import tracemalloc

    from ckanext.crowdsource.search import facets

    toolkit.config[CACHE_OPTION] = 0
    search = toolkit.get_action("package_search")
    facets.VALUES = facets.FacetValues()
    t0 = time.perf_counter()
    search({"user": ""}, dict(DATASET_PAGE))
    first = (time.perf_counter() - t0) * 1000
    tracemalloc.start()
    facets.VALUES = facets.FacetValues()
    before = tracemalloc.get_traced_memory()[0]
    search({"user": ""}, dict(DATASET_PAGE))
    kept = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return first, kept / 2**20


def disk_per_dataset(model, sa, size: int) -> str:
    """The index table's size on disk, with its indexes and out-of-line values."""
    with model.ensure_engine().connect() as c:
        total, indexes = c.execute(sa.text(
            "SELECT pg_total_relation_size('crowdsource_search_doc'), "
            "pg_indexes_size('crowdsource_search_doc')")).one()
    return (f"{total / 2**20:,.0f} MB on disk, {total / size:,.0f} bytes per dataset "
            f"({indexes / size:,.0f} of them indexes)")


def write_cost(conn, docs: list[dict], runs: int) -> tuple[float, float]:
    """(median, p95) ms of indexing one dataset again (an update)."""
    it = itertools.cycle(docs)
    return timed(lambda: conn.add([next(it)]), runs, warmup=3)


def measure(toolkit, runs: int, seed: int) -> dict[str, tuple[float, float]]:
    """Each scenario twice, on the same sequence of queries: with kept results
    off (every query computed) and on (a repeated query answered from Redis)."""
    search = toolkit.get_action("package_search")
    out = {}
    for keep in (False, True):
        toolkit.config[CACHE_OPTION] = 300 if keep else 0
        for label, make in scenarios(random.Random(seed)).items():
            name = f"{label}{' [kept]' if keep else ''}"
            out[name] = timed(lambda make=make: search({"user": ""}, make()), runs)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,100000")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--db", default=DB)
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    app = ckan_app(args.db)
    import sqlalchemy as sa
    from ckan import model
    from ckan.plugins import toolkit

    from ckanext.crowdsource.search.connection import PgSolr

    rnd = random.Random(42)
    results: dict[int, dict[str, tuple[float, float]]] = {}
    costs: dict[int, tuple[float, float]] = {}
    disk: dict[int, str] = {}
    writes: dict[int, tuple[float, float]] = {}
    with app._wsgi_app.test_request_context():
        real = seed_real(toolkit)
        tmpls = template_docs(model, sa, real["templates"])
        site_id = toolkit.config.get("ckan.site_id")
        conn = PgSolr()
        have = 0
        last: list[dict] = []
        for size in sizes:
            t0 = time.perf_counter()
            batch = []
            for n in range(have, size):
                private = n % 10 == 0
                batch.append(make_doc(n, rnd, tmpls[private], real["orgs"], site_id))
                if len(batch) == 1000:
                    conn.add(batch)
                    last, batch = batch, []
            if batch:
                conn.add(batch)
                last = batch
            have = size
            with model.ensure_engine().connect() as c:
                c.execution_options(isolation_level="AUTOCOMMIT").execute(
                    sa.text("VACUUM ANALYZE crowdsource_search_doc"))
            print(f"seeded {size:,} datasets ({time.perf_counter() - t0:.1f}s)", flush=True)
            disk[size] = disk_per_dataset(model, sa, size)
            writes[size] = write_cost(conn, last[-50:], 50)
            costs[size] = facet_values_cost(toolkit)
            results[size] = measure(toolkit, args.runs, seed=size)

    small, large = sizes[0], sizes[-1]
    print(f"\npackage_search latency, ms (anonymous reader, {args.runs} runs each; "
          "[kept]: with results kept in Redis, the same queries)")
    head = f"{'query':44}" + "".join(f"{f'N={s:,} median':>18}{'p95':>9}" for s in sizes)
    print(head + (f"{'p95 ratio':>11}" if len(sizes) > 1 else ""))
    for label in results[small]:
        row = f"{label:44}"
        for s in sizes:
            med, p95 = results[s][label]
            row += f"{med:18.1f}{p95:9.1f}"
        if len(sizes) > 1:
            row += f"{results[large][label][1] / results[small][label][1]:11.2f}"
        print(row)
    for s in sizes:
        first, mb = costs[s]
        print(f"N={s:,}: a new process's first /dataset search {first:.0f} ms; "
              f"facet values kept in memory {mb:.1f} MB")
        print(f"N={s:,}: index {disk[s]}; one write (a dataset indexed again) "
              f"median {writes[s][0]:.1f} ms, p95 {writes[s][1]:.1f} ms")
    for keep in ("", " [kept]"):
        labels = [label + keep for label in list(scenarios(rnd))[:5]]
        goal = [label for label in labels if results[large][label][1] >= 100]
        print(f"goal p95 < 100 ms at N={large:,}{keep or ' [computed]'}: "
              + ("met" if not goal else "NOT met for " + ", ".join(goal)))


if __name__ == "__main__":
    main()
