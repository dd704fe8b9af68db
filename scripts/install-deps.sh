#!/usr/bin/env bash
# Install the Debian 12 packages DistillWatch needs, and only those missing.
# Used by `make demo` and .ci/run; safe to rerun.  Needs root (or sudo) only
# when something is actually missing.
set -euo pipefail

# build and runtime libraries
PKGS=(build-essential pkg-config
      libvectorscan-dev libxxhash-dev libsqlite3-dev zlib1g-dev libzstd-dev
      libutf8proc-dev libinih-dev libmicrohttpd-dev libigraph-dev libssl-dev
      libcmocka-dev)
# extra tools for tests, fuzzing and benchmarks (DW_DEPS=minimal skips them)
if [[ ${DW_DEPS:-full} != minimal ]]; then
  PKGS+=(clang libclang-rt-14-dev python3 nginx-light wrk hyperfine zstd gzip bc curl)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
