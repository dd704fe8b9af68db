# DistillWatch build.
#
# One library (build/libdistillwatch.a) holds every pipeline stage; the CLI in
# src/cli/ is a thin layer over it.  Tests link the same library, built a
# second time with AddressSanitizer + UndefinedBehaviorSanitizer under
# build/san/.  Data packs in data/packs/ are compiled into the binary by
# tools/embed.c so that the tool runs with no files beside it.

CC      ?= cc
PKGS    := libhs libxxhash sqlite3 zlib libzstd libutf8proc inih libmicrohttpd igraph libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CSTD    := -std=c11 -D_GNU_SOURCE
OPT     ?= -O2 -g
CFLAGS_ALL := $(CSTD) $(WARN) $(OPT) -Iinclude -Isrc -Ibuild/gen $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL := $(PKG_LIBS) -lm -lpthread $(LDLIBS)

SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRC := $(sort $(wildcard src/*/*.c src/*.c))
LIB_SRC := $(filter-out src/cli/%,$(LIB_SRC))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
PACKS   := $(sort $(wildcard data/packs/*))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))

LIB_OBJ := $(LIB_SRC:%.c=build/obj/%.o) build/obj/gen/embedded.o
CLI_OBJ := $(CLI_SRC:%.c=build/obj/%.o)
SAN_LIB_OBJ := $(LIB_SRC:%.c=build/san/obj/%.o) build/san/obj/gen/embedded.o
SAN_CLI_OBJ := $(CLI_SRC:%.c=build/san/obj/%.o)
TESTS   := $(TEST_SRC:tests/%.c=build/san/tests/%)
FUZZERS := $(FUZZ_SRC:fuzz/%.c=build/fuzz/%)

.PHONY: all deps demo test test-fast fuzz fuzz-run bench clean
all: build/distillwatch

deps:
	@scripts/install-deps.sh

# --- generated: embedded data packs -------------------------------------
build/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -O1 -Wall -Wextra -Werror -o $@ $<

# The packs' text alone, for the build-time pattern compiler ...
build/gen/packs_text.c: build/tools/embed $(PACKS)
	@mkdir -p $(@D)
	build/tools/embed $@ $(PACKS)

build/tools/packdb: tools/packdb.c src/enrich/patterns.c src/common/embedded.c build/gen/packs_text.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

# ... which precompiles them into a vectorscan database (see tools/packdb.c) ...
build/gen/packs.hsdb: build/tools/packdb
	build/tools/packdb $@

# ... and everything the library embeds: the packs and their database.
build/gen/embedded.c: build/tools/embed $(PACKS) build/gen/packs.hsdb
	@mkdir -p $(@D)
	build/tools/embed $@ $(PACKS) build/gen/packs.hsdb

build/obj/gen/embedded.o: build/gen/embedded.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

build/san/obj/gen/embedded.o: build/gen/embedded.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SAN) -c -o $@ $<

# --- release build ------------------------------------------------------
build/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

build/libdistillwatch.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/distillwatch: $(CLI_OBJ) build/libdistillwatch.a
	$(CC) $(CFLAGS_ALL) -o $@ $(CLI_OBJ) build/libdistillwatch.a $(LDLIBS_ALL)

# --- sanitizer build (tests) ---------------------------------------------
build/san/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SAN) -MMD -MP -c -o $@ $<

build/san/libdistillwatch.a: $(SAN_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/san/distillwatch: $(SAN_CLI_OBJ) build/san/libdistillwatch.a
	$(CC) $(CFLAGS_ALL) $(SAN) -o $@ $(SAN_CLI_OBJ) build/san/libdistillwatch.a $(LDLIBS_ALL)

build/san/tests/%: tests/%.c tests/testutil.h tests/testevent.h tests/testpatterns.h build/san/libdistillwatch.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SAN) -Itests -o $@ $< build/san/libdistillwatch.a $(LDLIBS_ALL) -lcmocka

# `make test`: every tests/test_*.c under ASan+UBSan, plus the CLI end-to-end
# script against the sanitized binary.  tests/run.sh prints the summary line.
test: $(TESTS) build/san/distillwatch build/distillwatch
	@tests/run.sh $(TESTS)

# --- fuzzing (clang + libFuzzer) ----------------------------------------
FUZZ_CC ?= clang
FUZZ_BASE := -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude -Isrc -Ibuild/gen $(PKG_CFLAGS) \
              -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_FLAGS := $(FUZZ_BASE) -fsanitize=fuzzer
# The library is compiled once for all fuzz targets (with -fsanitize=fuzzer-no-link
# so that coverage reaches into it), then each target links against it.
FUZZ_LIB_FLAGS := $(FUZZ_BASE) -fsanitize=fuzzer-no-link
FUZZ_OBJ := $(LIB_SRC:%.c=build/fuzz/obj/%.o) build/fuzz/obj/gen/embedded.o
# -MMD -MP as for the other builds: a header change must rebuild these too,
# or the fuzzers run objects compiled against an old struct layout.
build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_LIB_FLAGS) -MMD -MP -c -o $@ $<
build/fuzz/obj/gen/embedded.o: build/gen/embedded.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_LIB_FLAGS) -c -o $@ $<
build/fuzz/libdistillwatch.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^
build/fuzz/%: fuzz/%.c build/fuzz/libdistillwatch.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -MMD -MP -o $@ $< build/fuzz/libdistillwatch.a $(LDLIBS_ALL)

fuzz: $(FUZZERS)

FUZZ_SECONDS ?= 60
fuzz-run: $(FUZZERS)
	@scripts/fuzz-run.sh $(FUZZ_SECONDS) $(FUZZERS)

# --- demo & bench ---------------------------------------------------------
demo: deps
	@$(MAKE) --no-print-directory build/distillwatch
	@scripts/demo.sh

bench: build/distillwatch
	@bench/run.sh
	@bench/serve.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
