/*
 * genlog.c -- benchmark input: a large native-shape log, fast and reproducible.
 *
 * The simulator (`distillwatch simulate`) models populations for detection
 * quality; the benchmark needs bulk: a gigabyte of records that look like a
 * gateway's (~2 KB each: system prompt, a user prompt of a few hundred words,
 * an answer with reasoning, headers, usage) with enough accounts, IPs and
 * text variety that no cache makes the scan unrealistically cheap.  A second
 * shape writes Glasswally-like small flat events (~350 bytes), in two
 * flavours: `small`, where every prompt is new (the worst case for the
 * pattern matcher, whose hits are cached per distinct text), and `bank`,
 * where prompts are drawn from a bank of BANK distinct ones, as gateway
 * traffic repeats itself (the Glasswally sample has 23 distinct prompts in
 * 5,000 events; our bank is 40 times as diverse).
 *
 *   genlog realistic BYTES SEED > file     genlog small|bank COUNT SEED > file
 *   genlog idle ACCOUNTS SEED > file       (one request per account)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t s;
static uint64_t rnd(void)
{
    s += 0x9e3779b97f4a7c15ULL;
    uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }
static uint64_t written; /* bytes out: stdout may be a pipe, so no ftell */
#define BANK 1000
#define P(...) (written += (uint64_t)printf(__VA_ARGS__))

static const char *const words[] = {
    "the", "model", "explain", "how", "data", "system", "function", "value", "return", "error", "network",
    "protein", "market", "history", "theorem", "proof", "energy", "contract", "patient", "design", "query",
    "index", "memory", "process", "thread", "signal", "policy", "river", "language", "answer", "question",
    "because", "therefore", "compute", "estimate", "analysis", "result", "example", "simple", "complex",
    "quickly", "carefully", "under", "between", "without", "within", "against", "during", "about", "which",
    "customer", "invoice", "review", "summary", "article", "paragraph", "code", "python", "compiler", "graph"};
#define NW (sizeof words / sizeof *words)

static void text(int nwords)
{
    for (int i = 0; i < nwords; i++) {
        P("%s", words[rn(NW)]);
        if (i + 1 < nwords) P("%c", i % 17 == 16 ? '.' : ' ');
    }
}

static void ts(int64_t ms)
{
    int64_t sec = ms / 1000;
    int64_t days = sec / 86400, rem = sec % 86400;
    /* 2026-06-01 + days; months of 30 days are fine for a benchmark */
    P("2026-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)(6 + days / 30), (int)(1 + days % 30), (int)(rem / 3600),
           (int)(rem % 3600 / 60), (int)(rem % 60), (int)(ms % 1000));
}

int main(int argc, char **argv)
{
    if (argc != 4) { fprintf(stderr, "usage: genlog realistic|small|bank|idle N SEED\n"); return 2; }
    uint64_t n = strtoull(argv[2], NULL, 10);
    s = strtoull(argv[3], NULL, 10);
    static char obuf[1 << 20];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    int64_t t = 0;
    if (strcmp(argv[1], "realistic") == 0) {
        for (uint64_t i = 0; written < n; i++) {
            t += rn(40);
            unsigned acct = rn(50000);
            P("{\"request_id\":\"req_%" PRIx64 "\",\"timestamp\":\"", i);
            ts(t);
            P("\",\"account_id\":\"acct_%05x\",\"api_key_id\":\"key_%05x\",\"client_ip\":\"%u.%u.%u.%u\","
                   "\"user_agent\":\"OpenAI/Python 1.%u.%u\",\"headers\":{\"x-stainless-lang\":\"python\","
                   "\"x-stainless-package-version\":\"1.%u.0\"},\"endpoint\":\"/v1/chat/completions\","
                   "\"request\":{\"model\":\"m-large-%u\",\"messages\":[{\"role\":\"system\",\"content\":\"",
                   acct, acct, 11 + rn(200), rn(256), rn(256), 1 + rn(254), 40 + rn(20), rn(9), 40 + rn(20), 1 + rn(3));
            text(15 + rn(15));
            P("\"},{\"role\":\"user\",\"content\":\"");
            if (rn(5) == 0) P("Think step by step and show your reasoning. ");
            text(50 + rn(90));
            P("\"}],\"max_tokens\":%u,\"temperature\":0.%u,\"n\":1,\"logprobs\":%s},"
                   "\"response\":{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"",
                   256u << rn(6), rn(10), rn(10) ? "false" : "true");
            text(40 + rn(40));
            P("\",\"reasoning_content\":\"");
            text(15 + rn(20));
            P("\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":%u,\"completion_tokens\":%u}},"
                   "\"status\":200,\"latency_ms\":%u}\n",
                   100 + rn(900), 50 + rn(2000), 300 + rn(20000));
        }
    } else if (strcmp(argv[1], "small") == 0 || strcmp(argv[1], "bank") == 0) {
        int bank = strcmp(argv[1], "bank") == 0;
        static const char *const asns[] = {"4134,\"asn_org\":\"CHINANET\"", "7922,\"asn_org\":\"Comcast Cable\"",
                                           "24940,\"asn_org\":\"Hetzner\"", "15169,\"asn_org\":\"Google Cloud\""};
        for (uint64_t i = 0; i < n; i++) {
            t += rn(3);
            P("{\"account_id\": \"sk-%012x\", \"timestamp\": \"", rn(20000));
            ts(t);
            P("\", \"model\": \"gpt-4o\", \"prompt\": \"");
            if (bank) { /* prompt number k of the bank, always the same words */
                uint64_t saved = s, k = rn(BANK);
                s = 0x5851f42d4c957f2dULL * (k + 1);
                text(5 + rn(10));
                s = saved;
            } else {
                text(5 + rn(10));
            }
            P("\", \"system_prompt\": null, \"token_count\": %u, \"max_tokens\": %u, \"client_ip\": "
                   "\"%u.%u.%u.%u\", \"asn_number\": %s, \"user_agent\": \"python-requests/2.31.0\", "
                   "\"campaign_label\": null}\n",
                   10 + rn(300), 256u << rn(5), 11 + rn(200), rn(256), rn(256), 1 + rn(254), asns[rn(4)]);
        }
    } else if (strcmp(argv[1], "idle") == 0) {
        for (uint64_t i = 0; i < n; i++)
            P("{\"timestamp\":%" PRIu64 ",\"account_id\":\"acct_%08" PRIx64 "\"}\n", (uint64_t)1780315200 + i / 100, i);
    } else {
        fprintf(stderr, "genlog: unknown shape '%s'\n", argv[1]);
        return 2;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
