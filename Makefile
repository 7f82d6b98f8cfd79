# bedrock_cost: PGXS build of the extension, its tools, unit tests and fuzzers.
#
#   make                      extension + tools (bedrock-cost-gen, bedrock-cost-load)
#   make install              installs the extension and the client (bedrock-cost-load) into pg_config --bindir
#   make install-client       the client into CLIENT_BINDIR too (default /usr/local/bin, on PATH)
#                             and its manual page into CLIENT_MANDIR/man1 (default /usr/local/share/man)
#   make install-tools        the client and the test-data generator into pg_config --bindir
#   make installcheck         pg_regress suites (sql/*.sql, expected/*.out), only
#   make prove_installcheck   TAP suites (test/t/*.pl)
#   make unit                 builds and runs the pure-C core unit tests
#   make fuzz-smoke           builds the libFuzzer harnesses and runs each briefly
#   make WERROR=1 ...         -Wall -Wextra -Werror (what CI uses)

EXTENSION = bedrock_cost
EXTVERSION = $(shell grep default_version $(EXTENSION).control | sed -e "s/default_version[[:space:]]*=[[:space:]]*'\([^']*\)'/\1/")

MODULE_big = bedrock_cost
CORE_SRCS = $(sort $(wildcard src/core/*.c))
EXT_SRCS = $(sort $(wildcard src/ext/*.c))
OBJS = $(CORE_SRCS:.c=.o) $(EXT_SRCS:.c=.o)

# the version lives in bedrock_cost.control only; the install script of this
# version is assembled at the top level from the ordered fragments in
# sql/install/ (each object created once, in its final form); sql/versions/
# keeps every released version's install script, as released, and the
# upgrade scripts between versions (ALTER EXTENSION bedrock_cost UPDATE)
INSTALL_FRAGMENTS = $(sort $(wildcard sql/install/*.sql))
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA = $(wildcard sql/versions/$(EXTENSION)--*.sql)
# the documentation beyond the README, installed the PGXS way
# (share/doc/extension/, or DOCSDIR); the client's manual page,
# doc/bedrock-cost-load.1, is installed by make install-client
DOCS = $(wildcard doc/*.md)

# every sql/NAME.sql that is not an install/upgrade script is a regress test;
# "extension" runs first (it drops and recreates the extension), the rest by name
REGRESS_ALL = $(sort $(filter-out $(EXTENSION)--%,$(notdir $(basename $(wildcard sql/*.sql)))))
REGRESS = extension $(filter-out extension,$(REGRESS_ALL))
REGRESS_OPTS = --inputdir=. --outputdir=.

# TAP suites run through their own target (make prove_installcheck), not
# installcheck: TAP_TESTS is left unset, so installcheck is pg_regress only
PROVE_TESTS = $(sort $(wildcard test/t/*.pl))

PG_CONFIG ?= pg_config

# zlib through pkg-config where it works; libcsv ships no .pc file on Debian
ZLIB_CFLAGS := $(shell pkg-config --cflags-only-I zlib 2>/dev/null)
ZLIB_LIBS := $(shell pkg-config --libs zlib 2>/dev/null || echo -lz)
CSV_LIBS := $(shell pkg-config --libs libcsv 2>/dev/null || echo -lcsv)
# the loader's read-ahead thread (src/core/cur_pipe.c)
THREAD_FLAGS = -pthread

PG_CPPFLAGS = -I$(srcdir)/src/core -I$(srcdir)/src/ext $(ZLIB_CFLAGS)
PG_CFLAGS += $(THREAD_FLAGS)
SHLIB_LINK = $(ZLIB_LIBS) $(CSV_LIBS) $(THREAD_FLAGS)

ifeq ($(WERROR),1)
BC_WARN = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare
PG_CFLAGS += $(BC_WARN)
endif

EXTRA_CLEAN = $(TOOLS) test/unit/run_unit test/unit/run_unit_tsan $(FUZZERS) test/bench/out results regression.diffs regression.out tmp_check log

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: rebuild every object when any header changes
$(OBJS): $(wildcard src/core/*.h src/ext/*.h)

# PGXS defines prove_installcheck as a recipe, not a target
.PHONY: prove_installcheck
prove_installcheck:
	$(prove_installcheck)

# --------------------------------------------------------------------------
# the install script
# (@EXTVERSION@ in a fragment becomes the version of the control file)
$(DATA_built): $(INSTALL_FRAGMENTS) $(EXTENSION).control
	{ for f in $(INSTALL_FRAGMENTS); do echo "-- from $$f"; sed -e 's/@EXTVERSION@/$(EXTVERSION)/g' $$f; echo; done; } > $@

# --------------------------------------------------------------------------
# tools and client: plain C programs on the core, outside PGXS's PROGRAM
CORE_CFLAGS = -std=gnu99 -O2 -g -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers $(if $(filter 1,$(WERROR)),-Werror) -I$(srcdir)/src/core $(ZLIB_CFLAGS) $(THREAD_FLAGS)
PQ_INCLUDE := $(shell $(PG_CONFIG) --includedir)
PQ_LIBDIR := $(shell $(PG_CONFIG) --libdir)

TOOLS =
ifneq ($(wildcard src/tools/*.c),)
TOOLS += bedrock-cost-gen
# the generator uses only the usage-type grammar of the core (usage_type.h and
# the files that implement it) and writes gzip: no libcsv, no threads
GEN_CORE_SRCS = $(addprefix src/core/,usage_type.c usage_type_mp.c usage_type_text.c regions.c model_name.c model_vendor.c bedrock_line.c pricing_unit.c)
bedrock-cost-gen: $(wildcard src/tools/*.c src/tools/*.h) $(GEN_CORE_SRCS) src/core/usage_type.h
	$(CC) $(CORE_CFLAGS) -o $@ $(filter %.c,$^) $(ZLIB_LIBS) -lm
endif
ifneq ($(wildcard src/client/*.c),)
TOOLS += bedrock-cost-load
bedrock-cost-load: $(wildcard src/client/*.c src/client/*.h) $(CORE_SRCS) $(wildcard src/core/*.h)
	$(CC) $(CORE_CFLAGS) -I$(PQ_INCLUDE) -DBC_CLIENT_EXTVERSION='"$(EXTVERSION)"' -o $@ $(filter %.c,$^) -L$(PQ_LIBDIR) -lpq $(ZLIB_LIBS) $(CSV_LIBS)
endif

all: $(TOOLS)

# make install puts the client, bedrock-cost-load, beside the server's
# programs ($(bindir), what pg_config --bindir prints: on Debian
# /usr/lib/postgresql/15/bin, on no one's PATH); make install-client puts it
# where a shell finds it too (CLIENT_BINDIR, /usr/local/bin by default).
# The test-data generator is a development tool: it stays in the tree
# (./bedrock-cost-gen), and make install-tools installs it into $(bindir).
CLIENT_BINDIR ?= /usr/local/bin
CLIENT_MANDIR ?= /usr/local/share/man
install: install-client-bindir
.PHONY: install-client-bindir install-client install-tools
install-client-bindir: bedrock-cost-load
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) bedrock-cost-load '$(DESTDIR)$(bindir)'/bedrock-cost-load
install-client: bedrock-cost-load
	$(MKDIR_P) '$(DESTDIR)$(CLIENT_BINDIR)'
	$(INSTALL_PROGRAM) bedrock-cost-load '$(DESTDIR)$(CLIENT_BINDIR)'/bedrock-cost-load
	$(MKDIR_P) '$(DESTDIR)$(CLIENT_MANDIR)/man1'
	$(INSTALL_DATA) doc/bedrock-cost-load.1 '$(DESTDIR)$(CLIENT_MANDIR)/man1'/bedrock-cost-load.1
install-tools: $(TOOLS)
	$(if $(TOOLS),$(MKDIR_P) '$(DESTDIR)$(bindir)' && for t in $(TOOLS); do $(INSTALL_PROGRAM) $$t '$(DESTDIR)$(bindir)'/$$t; done)

uninstall: uninstall-tools
.PHONY: uninstall-tools
uninstall-tools:
	for t in bedrock-cost-gen bedrock-cost-load; do rm -f '$(DESTDIR)$(bindir)'/$$t; done
	rm -f '$(DESTDIR)$(CLIENT_BINDIR)'/bedrock-cost-load '$(DESTDIR)$(CLIENT_MANDIR)/man1'/bedrock-cost-load.1

# --------------------------------------------------------------------------
# unit tests of the pure-C core: built with no PostgreSQL include path at all,
# so a PostgreSQL header slipping into src/core/ breaks this build
UNIT_SRCS = $(sort $(wildcard test/unit/*.c))
test/unit/run_unit: $(UNIT_SRCS) test/unit/unit.h $(CORE_SRCS) $(wildcard src/core/*.h) $(wildcard src/tools/gen_decimal.[ch] src/tools/gen_text.[ch])
	$(CC) $(CORE_CFLAGS) -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -I$(srcdir)/test/unit -o $@ $(UNIT_SRCS) $(CORE_SRCS) $(ZLIB_LIBS) $(CSV_LIBS) -lm

# the tests of the read-ahead thread and the delivery stream again under
# ThreadSanitizer (data races)
test/unit/run_unit_tsan: test/unit/main.c test/unit/test_cur_pipe.c test/unit/test_cur_stream.c test/unit/test_read_ahead.c test/unit/unit.h $(CORE_SRCS) $(wildcard src/core/*.h)
	$(CC) $(CORE_CFLAGS) -O1 -fsanitize=thread -I$(srcdir)/test/unit -o $@ test/unit/main.c test/unit/test_cur_pipe.c test/unit/test_cur_stream.c test/unit/test_read_ahead.c $(CORE_SRCS) $(ZLIB_LIBS) $(CSV_LIBS) -lm

.PHONY: unit
unit: test/unit/run_unit test/unit/run_unit_tsan
	ASAN_OPTIONS=detect_leaks=1 ./test/unit/run_unit
	TSAN_OPTIONS=halt_on_error=1 ./test/unit/run_unit_tsan

# --------------------------------------------------------------------------
# libFuzzer harnesses (clang): test/fuzz/fuzz_NAME.c with seeds in
# test/fuzz/corpus/NAME/; fuzz-smoke runs each for FUZZ_SECONDS
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
# a fixed seed makes the smoke run replay the same inputs on every machine;
# FUZZ_SEED=0 lets libFuzzer pick one (longer, exploratory runs)
FUZZ_SEED ?= 1
FUZZ_SRCS = $(sort $(wildcard test/fuzz/fuzz_*.c))
FUZZERS = $(FUZZ_SRCS:.c=)
test/fuzz/fuzz_%: test/fuzz/fuzz_%.c $(CORE_SRCS) $(wildcard src/core/*.h)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$(srcdir)/src/core $(ZLIB_CFLAGS) $(THREAD_FLAGS) -o $@ $< $(CORE_SRCS) $(ZLIB_LIBS) $(CSV_LIBS) -lm

.PHONY: fuzz fuzz-smoke
fuzz: $(FUZZERS)
fuzz-smoke: $(FUZZERS)
	@set -e; for f in $(FUZZERS); do \
		name=$${f#test/fuzz/fuzz_}; mkdir -p test/fuzz/corpus/$$name; \
		work=$$(mktemp -d); cp -r test/fuzz/corpus/$$name/. $$work/ 2>/dev/null || true; \
		echo "fuzz $$name: $(FUZZ_SECONDS)s"; \
		./$$f -seed=$(FUZZ_SEED) -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 $$work >$$work.log 2>&1 \
			|| { tail -50 $$work.log; rm -rf $$work; exit 1; }; \
		grep -E 'stat::number_of_executed_units' $$work.log; rm -rf $$work $$work.log; \
	done
