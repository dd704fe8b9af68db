#!/usr/bin/env bash
# `make demo`: scan the sample log the project ships and show what was found.
set -euo pipefail
cd "$(dirname "$0")/.."
out=out/demo
rm -rf "$out"
echo "\$ build/distillwatch scan --out $out samples/demo.jsonl.gz"
build/distillwatch scan --out "$out" samples/demo.jsonl.gz
echo
echo "outputs in $out/: $(cd "$out" && ls | tr '\n' ' ')"
echo "first alert:"
head -1 "$out/alerts.jsonl"
