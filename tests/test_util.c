/* test_util.c -- timestamps, IP prefixes, HyperLogLog, the JSON writer. */
#include "testutil.h"
#include <math.h>
#include <arpa/inet.h>
#include "common/util.h"
#include "common/buf.h"
#include "state/population.h"

static void test_rfc3339(void **state)
{
    (void)state;
    int64_t ms;
    assert_true(dw_parse_rfc3339("1970-01-01T00:00:00Z", 20, &ms));
    assert_int_equal(ms, 0);
    assert_true(dw_parse_rfc3339("2026-06-01T12:00:00.123Z", 24, &ms));
    assert_int_equal(ms, 1780315200123LL);
    /* offsets move the instant, fractions beyond ms are truncated */
    assert_true(dw_parse_rfc3339("2026-06-01T14:00:00.1239+02:00", 30, &ms));
    assert_int_equal(ms, 1780315200123LL);
    assert_true(dw_parse_rfc3339("2026-02-27T20:08:29.149978+00:00", 32, &ms));
    assert_int_equal(ms % 1000, 149);
    assert_true(dw_parse_rfc3339("2024-02-29 00:00:00z", 20, &ms));
    assert_false(dw_parse_rfc3339("2023-02-29T00:00:00Z", 20, &ms));  /* not a leap year */
    assert_false(dw_parse_rfc3339("2026-06-01T12:00:00", 19, &ms));   /* no offset */
    assert_false(dw_parse_rfc3339("2026-13-01T12:00:00Z", 20, &ms));
    assert_false(dw_parse_rfc3339("2026-06-01T12:00:00.Z", 21, &ms));
    assert_false(dw_parse_rfc3339("2026-06-01T12:00:00Zjunk", 24, &ms));
    assert_false(dw_parse_rfc3339("2026-06-01", 10, &ms));
}

/* The memo must change nothing: the same answer as the plain parse on runs
 * of times that share their date and hour, then on the same runs with one
 * byte changed anywhere (a bad tail behind a remembered head, a new head
 * that is invalid, a truncation), in one long sequence so the memo is always
 * primed with whatever came before. */
static void test_rfc3339_memo_agrees(void **state)
{
    (void)state;
    static const char alphabet[] = "0123456789-:T tZz+.x";
    dw_ts_memo memo = {0};
    uint64_t r = 0x9e3779b97f4a7c15ull;
    char buf[64], base[40];
    int remembered = 0, checked = 0;
    for (int i = 0; i < 200000; i++) {
        dw_test_xorshift(&r);
        /* mostly the same hour, sometimes the next day or a leap day */
        int64_t t = 1780315200000LL + (int64_t)(i / 500) * 3600000LL + (int64_t)(r % 3600000);
        if (r % 97 == 0) t = 1709164800000LL + (int64_t)(r % 86400000); /* 2024-02-29 */
        dw_format_ts(t, base, sizeof base);
        size_t n = strlen(base);
        memcpy(buf, base, n + 1);
        switch ((r >> 20) % 6) {
        case 0: case 1: break;                                     /* as formatted */
        case 2: buf[(r >> 28) % n] = alphabet[(r >> 36) % (sizeof alphabet - 1)]; break;
        case 3: n = (r >> 28) % (n + 1); break;                    /* truncated */
        case 4: memcpy(buf + n - 1, "+05:30", 7); n += 5; break;   /* an offset */
        case 5: memcpy(buf + 19, ".123456-00:00", 14); n = 32; break;
        }
        int64_t want = 0, got = 0;
        bool ok_plain = dw_parse_rfc3339(buf, n, &want);
        bool was_valid = memo.valid && n >= 13 && memcmp(buf, memo.head, 13) == 0;
        bool ok_memo = dw_parse_rfc3339_memo(buf, n, &got, &memo);
        assert_int_equal(ok_plain, ok_memo);
        if (ok_plain) assert_int_equal(want, got);
        remembered += was_valid;
        checked++;
    }
    /* the memo was actually used, and not for everything */
    assert_true(remembered > checked / 2 && remembered < checked);
}

static void test_epoch_units(void **state)
{
    (void)state;
    assert_int_equal(dw_epoch_to_ms(1780315200.5), 1780315200500LL);
    assert_int_equal(dw_epoch_to_ms(1780315200123.0), 1780315200123LL);
    assert_int_equal(dw_epoch_to_ms(1780315200123456.0), 1780315200123LL);
    assert_int_equal(dw_epoch_to_ms(1780315200123456789.0) / 1000, 1780315200LL);
}

static void test_format_roundtrip(void **state)
{
    (void)state;
    char buf[40];
    dw_format_ts(1780315200123LL, buf, sizeof buf);
    assert_string_equal(buf, "2026-06-01T12:00:00.123Z");
    int64_t ms;
    for (int64_t t = -86400000LL * 400; t < 86400000LL * 40000; t += 86400000LL * 37 + 12345) {
        dw_format_ts(t, buf, sizeof buf);
        assert_true(dw_parse_rfc3339(buf, strlen(buf), &ms));
        assert_int_equal(ms, t);
    }
    /* the hand-written digits against snprintf, field by field */
    for (int64_t t = 0; t < 86400000LL * 3650 * 8; t += 86400000LL * 3 + 3600000LL * 7 + 60000 * 13 + 1000 * 29 + 7) {
        char want[40];
        int64_t secs = t / 1000, days = secs / 86400, rem = secs % 86400;
        int64_t y;
        unsigned mo, d;
        dw_civil_from_days(days, &y, &mo, &d);
        snprintf(want, sizeof want, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, mo, d, (int)(rem / 3600),
                 (int)(rem % 3600 / 60), (int)(rem % 60), (int)(t % 1000));
        dw_format_ts(t, buf, sizeof buf);
        assert_string_equal(buf, want);
    }
    dw_format_ts(-62167219200000LL - 86400000LL, buf, sizeof buf);   /* year -1: the slow path */
    assert_true(buf[0] == '-');
}

static void test_ip_prefix(void **state)
{
    (void)state;
    uint64_t a = dw_ip_prefix_hash("203.0.113.5", 11), b = dw_ip_prefix_hash("203.0.113.200", 13);
    uint64_t c = dw_ip_prefix_hash("203.0.114.5", 11);
    assert_true(a != 0);
    assert_true(a == b);
    assert_true(a != c);
    uint64_t m = dw_ip_prefix_hash("::ffff:203.0.113.9", 18);
    assert_true(m == a); /* IPv4-mapped IPv6 is the same network */
    uint64_t v6a = dw_ip_prefix_hash("2001:db8:1:2::1", 15), v6b = dw_ip_prefix_hash("2001:db8:1:ffff::9", 18);
    uint64_t v6c = dw_ip_prefix_hash("2001:db8:2::1", 13);
    assert_true(v6a == v6b && v6a != v6c);
    assert_true(dw_ip_prefix_hash("not-an-ip", 9) == 0);
    assert_true(dw_ip_prefix_hash("", 0) == 0);
}

/* dw_ip_parse reads dotted quads itself; it must take exactly what
 * inet_pton(AF_INET) takes and give the same bytes.  The strings are runs
 * of digits joined mostly by dots, with strays from a small alphabet. */
static void test_ip_parse_matches_inet_pton(void **state)
{
    (void)state;
    static const char alphabet[] = "0123456789012345678901234567890123456789....:xa ";
    const char *fixed[] = {"0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1.2.3",
                           "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.4.5", "1000.1.1.1", "00.0.0.0",
                           "10.0.0.255", "1.2.3.-4", "1.2.3.4 ", "1.2.3.4%eth0", "::1", "::ffff:1.2.3.4"};
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    int agreed = 0, accepted = 0;
    for (int i = 0; i < 200000 + (int)(sizeof fixed / sizeof *fixed); i++) {
        char s[32];
        size_t n;
        if (i < (int)(sizeof fixed / sizeof *fixed)) {
            n = strlen(fixed[i]);
            memcpy(s, fixed[i], n + 1);
        } else {
            /* mostly four runs of 1-3 characters, mostly digits, mostly joined by
             * dots; now and then 3 or 5 runs, runs of 0 or 4, other characters */
            rng = dw_mix64(rng);
            int parts = rng % 4 ? 4 : 3 + (int)((rng >> 4) % 3);
            n = 0;
            for (int part = 0; part < parts; part++) {
                rng = dw_mix64(rng);
                if (part) s[n++] = rng % 16 ? '.' : alphabet[(rng >> 8) % (sizeof alphabet - 1)];
                int len = (rng >> 12) % 8 ? 1 + (int)((rng >> 16) % 3) : (int)((rng >> 16) % 2) * 4;
                for (int k = 0; k < len; k++) {
                    rng = dw_mix64(rng);
                    s[n++] = rng % 32 ? (char)('0' + (rng >> 8) % 10) : alphabet[(rng >> 16) % (sizeof alphabet - 1)];
                }
            }
            s[n] = 0;
        }
        uint8_t got[16], want[4];
        memset(got, 0xaa, sizeof got);
        int ok = dw_ip_parse(s, n, got);
        int ref = strchr(s, ':') || strchr(s, '%') ? ok : inet_pton(AF_INET, s, want) == 1;
        assert_int_equal(ok, ref);
        if (ok && !strchr(s, ':') && !strchr(s, '%')) {
            accepted++;
            static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
            assert_memory_equal(got, mapped, 12);
            assert_memory_equal(got + 12, want, 4);
        }
        agreed++;
    }
    assert_int_equal(agreed, 200000 + (int)(sizeof fixed / sizeof *fixed));
    assert_true(accepted > 10000); /* the generator does produce valid quads */
}

/* dw_bytes_eq against memcmp: every length to 40, equal, and differing at
 * each single position (the word loads overlap; a wrong overlap misses one). */
static void test_bytes_eq(void **state)
{
    (void)state;
    char a[48], b[48];
    for (size_t n = 0; n <= 40; n++) {
        for (size_t i = 0; i < n; i++) a[i] = b[i] = (char)('a' + (i * 7) % 26);
        assert_true(dw_bytes_eq(a, b, n));
        for (size_t i = 0; i < n; i++) {
            b[i] ^= 0x20;
            assert_false(dw_bytes_eq(a, b, n));
            assert_true(dw_bytes_eq(a, b, i)); /* the prefix before the change */
            b[i] ^= 0x20;
        }
    }
}

/* The word-at-a-time lowering against the byte loop: every length up to
 * 40 at every alignment, random bytes (so the letters' neighbours '@', '[',
 * '`', '{' and every byte >= 0x80 come up), and in place. */
static void test_ascii_lower(void **state)
{
    (void)state;
    uint64_t rng = 0x10e3c45eull;
    char src[64], dst[64], ref[64];
    for (int round = 0; round < 20000; round++) {
        size_t n = dw_test_xorshift(&rng) % 41, off = dw_test_xorshift(&rng) % 8;
        for (size_t i = 0; i < n; i++) {
            uint64_t r = dw_test_xorshift(&rng);
            /* half the bytes near the letters' range edges */
            src[off + i] = (char)(r & 1 ? "@AZ[`az{\x80\xc1\xda"[(r >> 1) % 11] : (int)(r >> 8));
        }
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)src[off + i];
            ref[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        dw_ascii_lower(dst, src + off, n);
        assert_memory_equal(dst, ref, n);
        dw_ascii_lower(src + off, src + off, n);
        assert_memory_equal(src + off, ref, n);
    }
}

static void test_hll(void **state)
{
    (void)state;
    dw_hll h;
    memset(&h, 0, sizeof h);
    assert_true(dw_hll_count(&h) == 0);
    for (int i = 0; i < 50; i++) dw_hll_add(&h, dw_mix64((uint64_t)i + 1));
    for (int i = 0; i < 50; i++) dw_hll_add(&h, dw_mix64((uint64_t)i + 1)); /* duplicates change nothing */
    double c = dw_hll_count(&h);
    assert_true(c > 35 && c < 65);
    for (int i = 50; i < 5000; i++) dw_hll_add(&h, dw_mix64((uint64_t)i + 1));
    c = dw_hll_count(&h);
    assert_true(c > 3000 && c < 7000);
    dw_hll one;
    memset(&one, 0, sizeof one);
    dw_hll_add(&one, 12345);
    assert_true(fabs(dw_hll_count(&one) - 1.0) < 0.1);
}

static void test_json_writer(void **state)
{
    (void)state;
    dw_buf b = {0};
    dw_jw w;
    dw_jw_init(&w, &b);
    dw_jw_obj_begin(&w);
    dw_jw_key(&w, "s"); dw_jw_str(&w, "a\"b\\c\n\x01<");
    dw_jw_key(&w, "bad"); dw_jw_strn(&w, "x\xff" "y", 3);
    dw_jw_key(&w, "arr"); dw_jw_arr_begin(&w); dw_jw_int(&w, -3); dw_jw_num(&w, 0.1); dw_jw_null(&w); dw_jw_bool(&w, true); dw_jw_arr_end(&w);
    dw_jw_key(&w, "f"); dw_jw_fixed(&w, 0.5, 4);
    dw_jw_key(&w, "nan"); dw_jw_num(&w, NAN);
    dw_jw_obj_end(&w);
    assert_string_equal(dw_buf_cstr(&b),
                        "{\"s\":\"a\\\"b\\\\c\\n\\u0001<\",\"bad\":\"x\xEF\xBF\xBDy\",\"arr\":[-3,0.1,null,true],\"f\":0.5,\"nan\":null}");
    dw_buf_reset(&b);
    dw_buf_html_escaped(&b, "<script>&'\"", 11);
    assert_string_equal(dw_buf_cstr(&b), "&lt;script&gt;&amp;&#39;&quot;");
    dw_buf_free(&b);
}

static void test_population_buckets(void **state)
{
    (void)state;
    /* buckets are monotone and every value lies at or above its bucket's floor */
    unsigned prev = 0;
    for (uint64_t v = 1; v < 100000; v += 1 + v / 50) {
        unsigned b = dw_pop_bucket(v);
        assert_true(b >= prev);
        assert_true(dw_pop_bucket_floor(b) <= (double)v);
        assert_true(dw_pop_bucket_floor(b) * 1.25 + 1 > (double)v);
        prev = b;
    }
    uint32_t h[DW_POP_BUCKETS] = {0};
    dw_pop_move(h, 0, 1);
    dw_pop_move(h, 1, 2);
    dw_pop_move(h, 2, 3);
    uint64_t total = 0;
    for (int i = 0; i < DW_POP_BUCKETS; i++) total += h[i];
    assert_int_equal(total, 1);
    assert_int_equal(h[dw_pop_bucket(3)], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339),        cmocka_unit_test(test_epoch_units),
        cmocka_unit_test(test_rfc3339_memo_agrees),
        cmocka_unit_test(test_format_roundtrip), cmocka_unit_test(test_ip_prefix),
        cmocka_unit_test(test_ip_parse_matches_inet_pton),
        cmocka_unit_test(test_bytes_eq),        cmocka_unit_test(test_ascii_lower),
        cmocka_unit_test(test_hll),            cmocka_unit_test(test_json_writer),
        cmocka_unit_test(test_population_buckets),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
