# rendergate - one non-recursive Makefile.
#
#   make                 build ./rendergate (in build/)
#   make check           unit tests, golden cases, end-to-end pushes, fuzz corpus replay
#   make asan            the same test suite under AddressSanitizer and UBSan
#   make valgrind        the unit tests under valgrind (memcheck, leaks are errors)
#   make demo            throw-away bare repository, a good push and a bad push
#   make conformance     compare rendering with ../shared/corpus (needs that folder)
#   make fuzz            libFuzzer builds of every harness (clang)
#   make install PREFIX=/usr/local
#   make deps            apt-get the Debian -dev packages that are missing
#   DEVELOPER=1          adds -Werror
#
# Sources are found by directory: lib/ render/ policy/ hooks/ hold the
# modules, hooks/main.c holds main(). tests/unit/test-*.c are unit test
# programs, tests/fuzz/fuzz-*.c fuzz harnesses.

PREFIX ?= /usr/local
BUILD ?= build
CC ?= cc
PKGS = libgit2 yaml-0.1 libcurl jansson libpcre2-8 zlib
# chromium: tests/e2e/t0702 opens the HTML report in it (headless)
DEB_PKGS = build-essential pkg-config git libgit2-dev libyaml-dev \
	libcurl4-openssl-dev libjansson-dev libpcre2-dev zlib1g-dev python3 time \
	python3-yaml chromium

# On a fresh machine, install what is missing before the compiler needs
# it: `make demo` and `make check` then work from a clean Debian install.
ifeq ($(filter deps clean help,$(MAKECMDGOALS)),)
ifneq ($(shell pkg-config --exists $(PKGS) 2>/dev/null && command -v git >/dev/null && command -v chromium >/dev/null && echo ok),ok)
$(info rendergate: build dependencies are missing; running 'make deps' first (apt-get, as root or through sudo))
DEPS_STATUS := $(shell $(MAKE) --no-print-directory deps 1>&2; echo $$?)
ifneq ($(DEPS_STATUS),0)
$(error 'make deps' failed: install the packages it names (see README.md) and run make again)
endif
endif
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libgit2 and libcurl are not linked: hooks/dynload.c opens them by soname
# when first called, so commands that need neither (template, kustomize)
# start without mapping their 30-odd dependencies.
DYN_PKGS = libgit2 libcurl
PKG_LIBS := $(shell pkg-config --libs $(filter-out $(DYN_PKGS),$(PKGS)) 2>/dev/null)
soname = $(shell objdump -p "$$(pkg-config --variable=libdir $(1))/$(2)" 2>/dev/null | \
	sed -n 's/^ *SONAME *//p')
LIBGIT2_SONAME := $(call soname,libgit2,libgit2.so)
LIBCURL_SONAME := $(call soname,libcurl,libcurl.so)
ifeq ($(filter deps clean help,$(MAKECMDGOALS)),)
ifeq ($(LIBGIT2_SONAME),)
$(error cannot read the soname of libgit2.so (objdump -p); is libgit2-dev installed?)
endif
ifeq ($(LIBCURL_SONAME),)
$(error cannot read the soname of libcurl.so (objdump -p); is libcurl4-openssl-dev installed?)
endif
endif

WARN = -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
	-Wpointer-arith -Wcast-qual -Wsign-compare -Wno-unused-parameter \
	-Wformat=2 -Wno-format-truncation -Wno-format-nonliteral -Wvla
OPT ?= -O2 -g
CFLAGS ?=
ifdef DEVELOPER
WARN += -Werror
endif
ALL_CFLAGS = -std=c11 $(OPT) $(WARN) -Iinclude $(PKG_CFLAGS) $(SAN_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_CFLAGS) $(LDFLAGS)
# The small libraries go in statically when their archives are installed
# (Debian's -dev packages ship them): every shared library costs a process
# its mapping and relocation, about 0.15 ms each, and `rendergate template`
# and the hooks are short processes. Set STATIC_LIBS= to link them all
# dynamically.
STATIC_LIBS ?= yaml jansson pcre2-8 z
STATIC_HAVE := $(foreach l,$(STATIC_LIBS),$(if $(wildcard $(shell $(CC) \
	-print-file-name=lib$(l).a)),$(l)))
STATIC_LINK = -Wl,-Bstatic $(addprefix -l,$(STATIC_HAVE)) -Wl,-Bdynamic
LIBS = $(if $(STATIC_HAVE),$(STATIC_LINK)) \
	$(filter-out $(addprefix -l,$(STATIC_HAVE)),$(PKG_LIBS)) -lm -ldl -pthread

LIB_SRCS := $(wildcard lib/*.c render/*.c policy/*.c) \
	$(filter-out hooks/main.c,$(wildcard hooks/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/hooks/main.o
TEST_SRCS := $(wildcard tests/unit/test-*.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_REPLAY := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz-replay/%)
HEADERS := $(wildcard include/rendergate/*.h)

all: $(BUILD)/rendergate rendergate

rendergate: $(BUILD)/rendergate
	@ln -sf $(BUILD)/rendergate rendergate

$(BUILD)/librendergate.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/rendergate: $(MAIN_OBJ) $(BUILD)/librendergate.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/hooks/dynload.o: ALL_CFLAGS += -DRG_LIBGIT2_SONAME='"$(LIBGIT2_SONAME)"' \
	-DRG_LIBCURL_SONAME='"$(LIBCURL_SONAME)"'

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test.h $(BUILD)/librendergate.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/librendergate.a $(ALL_LDFLAGS) $(LIBS)

# Fuzz harnesses built as plain programs that replay their corpus.
$(BUILD)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/librendergate.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< tests/fuzz/replay.c $(BUILD)/librendergate.a $(ALL_LDFLAGS) $(LIBS)

build-tests: $(BUILD)/rendergate $(TEST_BINS) $(FUZZ_REPLAY)

check: build-tests check-layers
	@RG_BUILD=$(BUILD) ./tests/run.sh

# Sanitizers: separate build directory, arena in malloc mode so ASan sees
# every object's bounds.
asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -DRG_ARENA_MALLOC" \
		check

valgrind:
	$(MAKE) BUILD=build-vg OPT="-O1 -g" SAN_CFLAGS="-DRG_ARENA_MALLOC" build-tests
	@RG_BUILD=build-vg RG_VALGRIND=1 ./tests/run.sh unit

# Layering: lib <- render <- policy <- hooks. Only hooks/ may include git2.h or curl.
check-layers:
	@bad=$$(grep -lE '#include <(git2|curl/)' lib/*.c render/*.c policy/*.c 2>/dev/null; \
		grep -lE '#include "rendergate/(policy|hooks|gittree|forge|spool|report)' lib/*.c render/*.c 2>/dev/null; \
		grep -lE '#include <(stdio|unistd|fcntl|dirent)\.h>' render/*.c policy/*.c 2>/dev/null | \
			xargs -r grep -LE 'NEEDSWORK: stdio' ); \
	if [ -n "$$bad" ]; then echo "layering violation in: $$bad"; exit 1; fi

check-headers:
	@for h in $(HEADERS); do \
		echo "#include \"$${h#include/}\"" | $(CC) -std=c11 -Iinclude $(PKG_CFLAGS) -fsyntax-only -x c - || exit 1; \
	done; echo "headers ok"

demo: $(BUILD)/rendergate
	@./contrib/demo.sh $(BUILD)/rendergate

conformance: $(BUILD)/rendergate
	@./tests/conformance.sh $(BUILD)/rendergate

fuzz:
	@./tests/fuzz/build.sh

style:
	@clang-format --dry-run --Werror $(LIB_SRCS) hooks/main.c $(HEADERS)

install: $(BUILD)/rendergate
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 0755 $(BUILD)/rendergate $(DESTDIR)$(PREFIX)/bin/rendergate
	for m in doc/*.1; do [ -f "$$m" ] && install -m 0644 "$$m" $(DESTDIR)$(PREFIX)/share/man/man1/; done; true
	for m in doc/*.5; do [ -f "$$m" ] && install -m 0644 "$$m" $(DESTDIR)$(PREFIX)/share/man/man5/; done; true

deps:
	@missing=""; for p in $(DEB_PKGS); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else echo "all build dependencies are installed"; fi

clean:
	rm -rf build build-asan build-vg build-fuzz rendergate

.PHONY: all check asan valgrind check-layers check-headers demo conformance fuzz style install deps clean build-tests
