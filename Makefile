# ckanext-crowdsource: set-up, demo portal and tests.
#   make demo                    a CKAN portal with this extension and a sample catalogue
#   make test                    the whole test suite (installs what it needs)
#   CKAN_VERSION=2.11.6 make test   the same on CKAN 2.11
#   TEST_WORKERS=0 make test     the same in one process (two by default)
#   make api-docs                docs/API.md from the action docstrings
#   make test-ckan-search        CKAN's own search tests against crowdsource_pgsearch
SHELL := /bin/bash
CKAN_VERSION ?= 2.12.0
PYTHON ?= python3
VENV ?= $(if $(filter 2.12.0,$(CKAN_VERSION)),.venv,.venv-$(CKAN_VERSION))
BIN := $(VENV)/bin
DEMO_DIR := demo
DEMO_INI := $(DEMO_DIR)/demo.ini
DEMO_DB := crowdsource_demo
TEST_DB := crowdsource_test
# CKAN's own search tests (make test-ckan-search): a database and Redis db of their own
CKAN_SEARCH_DB ?= crowdsource_ckan_search
CKAN_SEARCH_REDIS ?= redis://127.0.0.1:6379/12
CKAN_SEARCH_DIR := ckanext/crowdsource/tests/ckan_search
PYTEST_ARGS ?=
TEST_WORKERS ?= 2
# a file's tests to one worker, the slowest files first (tests/workers.py)
TEST_XDIST := $(if $(filter-out 0 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder)
STAMP := $(VENV)/.installed-$(CKAN_VERSION)

.PHONY: demo test test-ckan-search install browser screenshots lint api-docs bench-search bench-tags bench-discussion bench-tasks bench-feedback bench-page bench-community bench-recognition bench-loans i18n clean

$(STAMP): pyproject.toml setup.py setup.cfg
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
	  { echo "Python 3.10 or newer is needed (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "ckan[requirements,dev]==$(CKAN_VERSION)"
	$(BIN)/pip install -q -e ".[test]"
	$(BIN)/python setup.py -q compile_catalog
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium, its driver and a Chinese font for the browser tests.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! [ -d /usr/share/fonts/truetype/wqy ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null; \
	  else \
	    echo "Browser tests need Debian's chromium, chromium-driver and a Chinese font: apt-get install chromium chromium-driver fonts-wqy-microhei"; exit 1; \
	  fi; \
	fi

# The suite runs in TEST_WORKERS processes (pytest-xdist), each with a database
# of its own (crowdsource_test, crowdsource_test_gw1, ...) and Redis database:
# ckanext/crowdsource/tests/workers.py. TEST_WORKERS=0 runs it in one process.
test: install browser
	bash scripts/services.sh $(TEST_DB) $$(seq -f '$(TEST_DB)_gw%g' 1 $$(($(TEST_WORKERS) - 1)))
	$(BIN)/pytest --ckan-ini=test.ini $(TEST_XDIST) $(PYTEST_ARGS)

# CKAN's own tests that reach the search backend, from the installed ckan
# package, with ckan.plugins = crowdsource_pgsearch (tests/ckan_search/):
# every one passes but those listed in expected_failures.txt, which need a
# real Solr server and must fail.
CKAN_SEARCH_TESTS := lib/search logic/action/test_create.py logic/action/test_update.py \
  logic/action/test_delete.py controllers/test_package.py logic/action/test_get.py \
  controllers/test_api.py
CKAN_SEARCH_SELECT := -k 'not test_get.py and not test_api.py or (test_get.py and (Search or search or Facet or facet or utocomplete or GroupList or OrganizationList or group_list or organization_list)) or (test_api.py and utocomplete)'
test-ckan-search: install
	bash scripts/services.sh $(CKAN_SEARCH_DB)
	export CKAN_SQLALCHEMY_URL=postgresql://crowdsource:crowdsource@127.0.0.1:5432/$(CKAN_SEARCH_DB) \
	  CKAN_REDIS_URL=$(CKAN_SEARCH_REDIS); \
	$(BIN)/ckan -c $(CKAN_SEARCH_DIR)/test-core.ini db upgrade && \
	cd $$($(BIN)/python -c 'import ckan.tests, os; print(os.path.dirname(ckan.tests.__file__))') && \
	$(CURDIR)/$(BIN)/pytest -c $(CURDIR)/$(CKAN_SEARCH_DIR)/pytest.ini --rootdir=. \
	  --ckan-ini=$(CURDIR)/$(CKAN_SEARCH_DIR)/test-core.ini -q $(CKAN_SEARCH_SELECT) \
	  $(CKAN_SEARCH_TESTS) $(PYTEST_ARGS)

# The README's screenshots, taken by the browser test that checks them.
screenshots: install browser
	bash scripts/services.sh $(TEST_DB)
	CROWDSOURCE_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/pytest --ckan-ini=test.ini -q \
	  ckanext/crowdsource/tests/e2e/test_screenshots_browser.py

$(DEMO_INI): | $(STAMP)
	mkdir -p $(DEMO_DIR)/storage
	$(BIN)/ckan generate config $(DEMO_INI)
	$(BIN)/ckan config-tool $(DEMO_INI) \
	  "sqlalchemy.url = postgresql://crowdsource:crowdsource@127.0.0.1:5432/$(DEMO_DB)" \
	  "ckan.site_url = http://127.0.0.1:5000" \
	  "ckan.site_title = 开放知识目录 Open Knowledge Catalogue" \
	  "ckan.site_about = 这是城市图书馆的开放知识目录：读者在这里为馆藏加标签、讨论、提问、认领任务，并告诉图书馆需要什么。" \
	  "ckan.site_id = crowdsource_demo" \
	  "solr_url = http://127.0.0.1:8983/solr/not-used" \
	  "ckan.redis.url = redis://127.0.0.1:6379/2" \
	  "ckan.plugins = crowdsource activity image_view text_view crowdsource_pgsearch" \
	  "ckan.views.default_views = image_view text_view" \
	  "ckan.display_timezone = Asia/Shanghai" \
	  "ckan.storage_path = $(CURDIR)/$(DEMO_DIR)/storage" \
	  "ckan.locales_offered = en zh_Hans_CN" \
	  "ckan.auth.create_user_via_web = true"
	$(BIN)/ckan config-tool $(DEMO_INI) -s logger_ckanext "level = INFO"

demo: install $(DEMO_INI)
	bash scripts/services.sh $(DEMO_DB)
	$(BIN)/ckan -c $(DEMO_INI) db upgrade
	$(BIN)/ckan -c $(DEMO_INI) translation js
	$(BIN)/python scripts/seed_demo.py $(DEMO_INI)
	@echo "Serving the demo portal at http://127.0.0.1:5000 with 4 workers (Ctrl-C stops it)"
	CKAN_INI=$(CURDIR)/$(DEMO_INI) $(BIN)/gunicorn --workers 4 --bind 127.0.0.1:5000 \
	  --timeout 120 --chdir $(CURDIR)/scripts demo_wsgi:application

lint: install
	$(BIN)/ruff check ckanext bench scripts

# Write docs/API.md from the action docstrings (the tests fail when it is stale).
api-docs: install
	$(BIN)/python scripts/api_docs.py

bench-search: install
	$(BIN)/python bench/search.py $(BENCH_ARGS)

bench-tags: install
	$(BIN)/python bench/tags.py $(BENCH_ARGS)

bench-discussion: install
	$(BIN)/python bench/discussion.py $(BENCH_ARGS)

bench-tasks: install
	$(BIN)/python bench/tasks.py $(BENCH_ARGS)

bench-loans: install
	$(BIN)/python bench/loans.py $(BENCH_ARGS)

bench-feedback: install
	$(BIN)/python bench/feedback.py $(BENCH_ARGS)

bench-page: install
	$(BIN)/python bench/page.py $(BENCH_ARGS)

bench-community: install
	$(BIN)/python bench/community.py $(BENCH_ARGS)

bench-recognition: install
	$(BIN)/python bench/recognition.py $(BENCH_ARGS)

# Refresh the message catalogue after adding strings.
i18n: install
	$(BIN)/python setup.py -q extract_messages
	$(BIN)/python setup.py -q update_catalog -l zh_Hans_CN
	$(BIN)/python setup.py -q compile_catalog

clean:
	rm -rf build *.egg-info .pytest_cache .ruff_cache
