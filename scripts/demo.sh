#!/usr/bin/env bash
# `make demo`: the main job on embedded defaults, in two acts.
#  1. scan the hand-made sample log the project ships (samples/demo.jsonl.gz);
#  2. simulate a small labeled traffic mix (built-in text, fixed seed), scan
#     it, and score the scan against the truth.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/distillwatch
rm -rf out/demo out/sim-demo
echo "== 1. scan the sample log"
echo "\$ $BIN scan --out out/demo samples/demo.jsonl.gz"
$BIN scan --out out/demo samples/demo.jsonl.gz
echo
echo "== 2. simulate -> scan -> eval"
echo "\$ $BIN simulate --scenario demo --seed 1 --out out/sim-demo"
$BIN simulate --scenario demo --seed 1 --out out/sim-demo
echo "\$ $BIN scan --accounts out/sim-demo/accounts.jsonl --out out/sim-demo/scan out/sim-demo/requests.jsonl"
$BIN scan --quiet --accounts out/sim-demo/accounts.jsonl --out out/sim-demo/scan out/sim-demo/requests.jsonl
echo "\$ $BIN eval --truth out/sim-demo/truth.jsonl --scan out/sim-demo/scan --out out/sim-demo/eval"
$BIN eval --truth out/sim-demo/truth.jsonl --scan out/sim-demo/scan --out out/sim-demo/eval
echo
echo "outputs: out/demo/ (sample scan), out/sim-demo/scan/ (simulated scan), out/sim-demo/eval/eval.html"
