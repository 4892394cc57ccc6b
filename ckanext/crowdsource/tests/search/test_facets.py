"""Facet counts kept in memory: always those that SQL counts, in every process."""
import random

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan
from ckan.lib import search
from ckan.tests import helpers

from ckanext.crowdsource.search.connection import PgSolr
from ckanext.crowdsource.search.facets import FacetValues, SqlFacets, _bitset, _Field
from ckanext.crowdsource.search.model import DOCNUM_SEQUENCE, STATE, TABLE
from ckanext.crowdsource.search.query import Sql

pytestmark = pytest.mark.usefixtures("catalogue")

FIELDS = ["organization", "groups", "tags", "res_format", "license_id", "state", "capacity"]
QUERIES = [
    {"q": "*:*"},
    {"q": "economy"},
    {"q": "*:*", "fq": ["+capacity:public", "tags:history"]},
    {"q": "图书馆 OR maps"},
    {"q": "nothing-matches-this"},
]


def both_ways(values: FacetValues, q: str = "*:*", fq=()):
    """The counts of ``values`` and those of SQL, for one query, in one snapshot."""
    sql = Sql()
    where = PgSolr._where(q, {"fq": list(fq)}, sql)
    with model.ensure_engine().connect() as conn:
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            return (values.count(conn, where, sql.params, FIELDS, -1, 1),
                    SqlFacets(FIELDS, -1, 1, sql).run(conn, where))


def assert_same(values: FacetValues) -> None:
    for query in QUERIES:
        in_memory, in_sql = both_ways(values, **query)
        assert in_memory == in_sql, query


def site_user():
    return {"user": helpers.call_action("get_site_user")["name"]}


def test_counts_in_memory_are_those_of_sql():
    values = FacetValues()
    in_memory, in_sql = both_ways(values)
    assert in_memory == in_sql
    total, counts = in_memory
    assert total == 8  # the draft and the private dataset too: no filter here
    assert counts["organization"][:2] in (["city-library", 3], ["uni-library", 3])
    assert_same(values)


def test_a_process_that_kept_values_sees_every_later_write(catalogue):
    kept = FacetValues()
    assert_same(kept)
    helpers.call_action("package_patch", context=site_user(), id=catalogue["ds"]["maps"]["id"],
                        tags=[{"name": "cartography"}], license_id="cc-by")
    assert "cartography" in both_ways(kept)[0][1]["tags"]
    assert_same(kept)
    helpers.call_action("package_create", context=site_user(), name="new-maps",
                        owner_org=catalogue["orgs"]["uni"]["id"], tags=[{"name": "maps"}])
    assert_same(kept)
    helpers.call_action("package_delete", context=site_user(), id="theses")
    assert_same(kept)
    helpers.call_action("dataset_purge", context=site_user(), id="old-photos")
    assert "photos" not in both_ways(kept)[0][1]["tags"]
    assert_same(kept)
    # and one that starts now reads the same
    assert both_ways(FacetValues()) == both_ways(kept)


def test_every_write_takes_the_next_generation(catalogue):
    def generation():
        with model.ensure_engine().connect() as conn:
            return conn.execute(sa.text(f"SELECT generation FROM {STATE}")).scalar()

    before = generation()
    helpers.call_action("package_patch", context=site_user(), id="theses", notes="Theses.")
    after_write = generation()
    assert after_write > before
    helpers.call_action("dataset_purge", context=site_user(), id="theses")
    assert generation() > after_write
    with model.ensure_engine().connect() as conn:
        untouched = conn.execute(sa.text(
            f"SELECT gen FROM {TABLE} WHERE name = 'economic-reports'")).scalar()
    assert 0 < untouched <= before  # untouched rows keep the generation that wrote them


def test_numbers_start_again_once_the_index_is_empty():
    kept = FacetValues()
    assert_same(kept)
    with model.ensure_engine().connect() as conn:
        epoch = conn.execute(sa.text(f"SELECT epoch FROM {STATE}")).scalar()
    search.clear_all()
    search.rebuild()
    with model.ensure_engine().connect() as conn:
        assert conn.execute(sa.text(f"SELECT epoch FROM {STATE}")).scalar() != epoch
        numbers = conn.execute(sa.text(f"SELECT min(docnum), max(docnum) FROM {TABLE}")).one()
    assert tuple(numbers) == (1, 8)  # the same numbers as before, for other documents
    assert_same(kept)


def restart_numbers(conn) -> None:
    conn.execute(sa.text(f"ALTER SEQUENCE {DOCNUM_SEQUENCE} RESTART"))


def test_a_database_reset_makes_every_process_read_all_again(catalogue):
    with model.ensure_engine().begin() as conn:  # numbered from 1, as in a new database
        restart_numbers(conn)
        conn.execute(sa.text(f"UPDATE {TABLE} SET docnum = nextval('{DOCNUM_SEQUENCE}')"))
    kept = FacetValues()
    for n in range(3):  # the generation moves past what a rebuild reaches
        helpers.call_action("package_patch", context=site_user(), id="theses", notes=f"{n}")
    assert_same(kept)
    with model.ensure_engine().begin() as conn:  # as a restored or reset database is
        conn.execute(sa.text(f"DELETE FROM {TABLE}"))
        conn.execute(sa.text(f"DELETE FROM {STATE}"))
        restart_numbers(conn)
    helpers.call_action("package_patch", context=site_user(), id="city-maps",
                        tags=[{"name": "cartography"}])
    search.rebuild()
    assert_same(kept)


def test_rows_renumbered_without_a_generation_are_read_again():
    kept = FacetValues()
    assert_same(kept)
    with model.ensure_engine().begin() as conn:
        conn.execute(sa.text(f"UPDATE {TABLE} SET docnum = nextval('{DOCNUM_SEQUENCE}') "
                             "WHERE name = 'loan-statistics'"))
    assert_same(kept)


def test_package_search_facets_come_from_memory_and_sql_together():
    """``vocab_*`` and other fields that are no column are counted in SQL."""
    result = helpers.call_action(
        "package_search", q="economy",
        **{"facet.field": ["tags", "extras_coverage", "organization"], "facet.limit": 1})
    assert result["facets"]["tags"] == {"economy": 3}
    assert result["facets"]["extras_coverage"] == {}
    assert list(result["search_facets"]) == ["tags", "extras_coverage", "organization"]
    maps = helpers.call_action("package_search", q="maps",
                               **{"facet.field": ["extras_coverage"]})
    assert maps["facets"]["extras_coverage"] == {"Old town district": 1}
    assert maps["count"] == 1


def test_dense_and_sparse_values_count_alike():
    """Values above the threshold are bitsets, the others arrays; a value
    that grows past it becomes a bitset; dropped documents leave both."""
    rnd = random.Random(7)
    docs = {d: rnd.sample("abcdef", rnd.randint(0, 3)) + [v for v in "gh" if rnd.random() < 0.05]
            for d in range(1, 400)}
    field = _Field(threshold=30)
    found = {}
    for d, values in docs.items():
        for v in values:
            found.setdefault(v, []).append(d)
    field.load(found.items(), max(docs))
    assert field.dense and field.sparse
    for d in range(400, 460):  # "h" grows past the threshold
        docs[d] = ["h"]
        field.add(d, ["h"])
    assert "h" in field.dense
    gone = set(rnd.sample(sorted(docs), 50))
    field.drop(_bitset(gone, max(gone))[0], gone)
    for d in gone:
        docs[d] = rnd.sample("ab", 1)
        field.add(d, docs[d])
    matched = [d for d in docs if rnd.random() < 0.5]
    match, flags = _bitset(matched, max(docs))
    expected = {}
    for d in matched:
        for v in docs[d]:
            expected[v] = expected.get(v, 0) + 1
    ranked = sorted(expected.items(), key=lambda p: (-p[1], p[0]))
    assert field.counts(match, flags, -1, 1) == [x for p in ranked for x in p]
    assert field.counts(match, flags, 2, 1) == [x for p in ranked[:2] for x in p]


@pytest.mark.ckan_config("ckanext.crowdsource.search.cache_seconds", 0)  # computed each time
def test_the_upgrade_numbers_the_rows_and_keeps_the_table_as_it_was(cli):
    def layout():
        with model.ensure_engine().connect() as conn:
            return {
                "columns": conn.execute(sa.text(
                    "SELECT attname, attstorage, attnotnull FROM pg_attribute "
                    f"WHERE attrelid = '{TABLE}'::regclass AND attnum > 0 "
                    "AND NOT attisdropped ORDER BY attnum")).all(),
                "indexes": set(conn.execute(sa.text(
                    f"SELECT indexdef FROM pg_indexes WHERE tablename = '{TABLE}'")).scalars()),
                "options": conn.execute(sa.text(
                    f"SELECT reloptions FROM pg_class WHERE oid = '{TABLE}'::regclass")).scalar(),
            }

    def facets():
        return helpers.call_action("package_search", q="economy OR maps",
                                   **{"facet.field": ["tags", "organization"]})["facets"]

    before, found = layout(), facets()
    for command in (["downgrade", "-p", "crowdsource_pgsearch", "--version", "e7b3c1d9f2a4"],
                    ["upgrade", "-p", "crowdsource_pgsearch"]):
        result = cli.invoke(ckan, ["db", *command])
        assert result.exit_code == 0, result.output
    assert layout() == before
    assert [c.attname for c in before["columns"][:2]] == ["docnum", "gen"]
    with model.ensure_engine().connect() as conn:
        numbers = conn.execute(sa.text(f"SELECT docnum FROM {TABLE}")).scalars().all()
    assert sorted(numbers) == list(range(1, 9))
    assert facets() == found
