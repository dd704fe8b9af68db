#!/usr/bin/python3
"""Generate the small reference vectors in tests/fixtures/prove/.

Run with Debian's interpreter after `apt-get install -y python3-torch
python3-sentencepiece`:  /usr/bin/python3 experiments/prove/gen_fixtures.py

The vectors pin down what our C code must reproduce bit for bit: PyTorch's
CPU generator and randperm (the green lists of every reference detector),
the Kirchenbauer seeding schemes, and SentencePiece tokenization.  The
Kirchenbauer schemes are re-derived here from the published description
(additive PRF for lefthash; anchored min-hash with self-salting for
selfhash) using torch itself for the arithmetic, so the int64 wrap-around
and the permutation come from the real library.
"""
import json, os, sys
import torch
import sentencepiece as spm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "prove")
SHARED = os.environ.get("DW_SHARED", os.path.join(ROOT, "..", "shared"))
os.makedirs(OUT, exist_ok=True)

def fnv(ids):
    h = 0xcbf29ce484222325
    for i in ids:
        for b in int(i).to_bytes(4, "little"):
            h ^= b
            h = (h * 0x100000001b3) & 0xffffffffffffffff
    return h

# 1. permutations (they pin the generator too: every draw feeds a swap) --
g = torch.Generator()
with open(os.path.join(OUT, "randperm.txt"), "w") as f:
    f.write("# seed n fnv64(all) first-16  -- torch.randperm(n, generator=manual_seed(seed))\n")
    cases = [(0, 1), (0, 2), (1, 3), (3, 17), (42, 1000), (2**32 + 7, 1000), (2**64 - 2, 1000),
             (12345, 32000), (3, 32000), (987654321987, 32000), (5, 50257), (2971215073, 1000003)]
    for seed, n in cases:
        g.manual_seed(seed)
        p = torch.randperm(n, generator=g).tolist()
        f.write("%d %d %016x %s\n" % (seed, n, fnv(p), " ".join(str(x) for x in p[:16])))

# 2. green lists of the three seeding schemes ------------------------------
V = 32000
def perm_for(seed):
    g.manual_seed(seed % (2**64 - 1))
    return torch.randperm(V, generator=g)

g2 = torch.Generator(); g2.manual_seed(2971215073)
table = torch.randperm(1_000_003, generator=g2)
def hashint(t):
    return table[t % 1_000_003] + 1

def seed_hash(window, key, salt):
    s = key
    for i in window:
        s = (s * salt + i) % (2**64 - 1)
    return s

def seed_lefthash(window, salt):
    return salt * torch.as_tensor(window).sum().item()

def seed_selfhash(window, salt):
    t = torch.as_tensor(window)
    return (salt * hashint(t) * hashint(t[-1])).min().item()

import random
rnd = random.Random(7)
with open(os.path.join(OUT, "greenlists.txt"), "w") as f:
    f.write("# scheme salt key gamma window... : green mask of 12 probe tokens (1 green) and fnv64 of the sorted green list\n")
    probes = [0, 1, 2, 13, 29871, 31999, 100, 2000, 8000, 15000, 24000, 30000]
    for scheme in ("hash", "lefthash", "selfhash"):
        for trial in range(8):
            gamma = [0.25, 0.5, 0.1][trial % 3]
            if scheme == "hash":
                h = 1 + trial % 3; salt = 35317; key = [0, 3, 12345][trial % 3]
            elif scheme == "lefthash":
                h = 1; salt = 15485863; key = 0
            else:
                h = 4; salt = 15485863; key = 0
            window = [rnd.randrange(V) for _ in range(h)]
            if trial == 0:
                window = [29871] * h
            if scheme == "hash":
                s = seed_hash(window, key, salt)
            elif scheme == "lefthash":
                s = seed_lefthash(window, salt)
            else:
                s = seed_selfhash(window, salt)
            perm = perm_for(s)
            k = int(gamma * V)
            green = set(perm[:k].tolist())
            mask = "".join("1" if t in green else "0" for t in probes)
            f.write("%s %d %d %r %s : %s %016x\n" % (scheme, salt, key, gamma,
                    " ".join(map(str, window)), mask, fnv(sorted(green))))

# 3. tokenization ----------------------------------------------------------
sp = spm.SentencePieceProcessor(model_file=os.path.join(SHARED, "provenance/llama2-tokenizer/tokenizer.model"))
samples = [
    "", " ", "  ", "Hello world", " Hello world", "Hello  world", "hello\nworld\n\n", "\n\nAs the sun set",
    "\t tab", "naïve café", "日本語のテキスト", "emoji 😀👍🏽 done", "Ünïcödé ÅΩ≈ç√∫", "a" * 40,
    "def f(x):\n    return x**2  # comment", "<s> [INST] hi [/INST]", "</s>", "<unk>", "   leading spaces",
    "trailing spaces   ", "mixed\r\nline endings", "\u0000nul", "\u200bzero width", "ﬁ ligature",
    "Ω", "\U0001F9EC dna", "1234567890", "3.14159", "tab\tinside", "ŉ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
]
with open(os.path.join(OUT, "llama2_tokens.jsonl"), "w") as f:
    for s in samples:
        f.write(json.dumps({"text": s, "ids": sp.encode(s)}) + "\n")

# Per-text hashes over real corpora, so the tests can check thousands of
# texts from ../shared without committing the texts or their ids.
def hash_file(path, field_path, out_name, limit=None):
    n = 0
    with open(os.path.join(OUT, out_name), "w") as f:
        for line in open(path):
            if not line.strip():
                continue
            d = json.loads(line)
            v = d
            for k in field_path:
                v = v[k]
            ids = sp.encode(v)
            f.write("%d %016x\n" % (len(ids), fnv(ids)))
            n += 1
            if limit and n >= limit:
                break

hash_file(os.path.join(SHARED, "provenance/radioactive-watermark/output_closed/results_expected.jsonl"),
          ["result"], "llama2_results_tokhash.txt")
for m in ("gpt-4-0314", "gpt-3.5-turbo-0125"):
    hash_file(os.path.join(SHARED, "corpora/arena-hard-v0.1/model_answer/%s.jsonl" % m),
              ["messages", 1, "content", "answer"], "llama2_arena_%s_tokhash.txt" % m)
print("wrote", OUT)
