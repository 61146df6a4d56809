# creditline: every step a user or CI runs. `make demo` is the front door, `make test` the suite.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SPARK_STAMP := $(VENV)/.spark-stamp
RAW    ?= data/raw
DB     ?= warehouse/creditline.duckdb

export CREDITLINE_RAW ?= $(abspath $(RAW))
export CREDITLINE_DB  ?= $(abspath $(DB))

.PHONY: install install-spark demo build report test test-fast test-daily test-books test-spark lint bench bench-spark \
        browser-deps java-deps clean

install: $(STAMP)

# Two installs from the same constraints file are identical.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The Spark engine (pyspark ships Spark itself; 490 MB installed): only for the spark target.
install-spark: $(SPARK_STAMP)

$(SPARK_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,spark]'
	touch $(SPARK_STAMP)

demo: install
	$(BIN)/creditline generate --out $(CREDITLINE_RAW)
	$(BIN)/creditline build
	$(BIN)/creditline report

build: install
	$(BIN)/creditline build

report: install
	$(BIN)/creditline report

# Two workers, a test file each at a time (a file's books are built once, in its worker),
# in the order tests/conftest.py gives them (book builds first, quick files last).
# The daily-run tests, the dirty books and Spark have their own targets; CI runs them all.
test: install
	$(BIN)/python -m pytest -q -m "not spark and not daily and not books" -n 2 --dist loadfile \
	  --no-loadscope-reorder

# The 60-second lane: no dbt build and no browser (starting dbt fails the test, see conftest).
test-fast: install
	CREDITLINE_TEST_LANE=fast $(BIN)/python -m pytest -q -m "not integration and not browser and not spark"

# The scheduled run end to end: six daily runs and a full build of a small book, ~3.5 min.
test-daily: install
	$(BIN)/python -m pytest -q -m daily

# Generated books with 1%, 3% and 10% bad rows build green and lose no row (~1.5 minutes).
test-books: install
	$(BIN)/python -m pytest -q -m books

# DuckDB and Spark build the same portfolio; every dim_/fct_/mart_ relation is compared.
test-spark: install-spark java-deps
	$(BIN)/python -m pytest -q -m spark

lint: install
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	$(BIN)/sqlfluff lint models macros analyses

bench: install
	$(BIN)/python -m creditline.bench --out docs/performance.md

bench-spark: install-spark java-deps
	$(BIN)/python -m creditline.bench_spark --out docs/performance.md

# Debian's Chromium, a CJK font and Liberation Sans (the charts are measured with its widths)
# for the browser tests (Playwright cannot download its own here).
browser-deps:
	@if [ -x /usr/lib/chromium/chromium ] && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' \
	    && fc-list 2>/dev/null | grep -qi 'Liberation Sans'; then \
	  echo "chromium, fonts-noto-cjk and fonts-liberation present"; \
	else \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk fonts-liberation; \
	fi

# A JDK 17 for Spark, from Debian where missing (needs root).
java-deps:
	@if command -v java >/dev/null 2>&1; then \
	  echo "java present"; \
	else \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless; \
	fi

clean:
	rm -rf target logs warehouse reports/*.html reports/zh test-artifacts
