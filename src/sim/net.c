/*
 * net.c -- tables of countries, ISPs, hosting networks and SDKs.
 *
 * Prefixes are the well-known blocks of each network (approximately; the
 * simulator only needs addresses that look like that network's and an ASN
 * that agrees).  Carrier-grade NAT is modelled by drawing mobile addresses
 * from a small pool per carrier, so thousands of unrelated phones share a
 * few dozen addresses, as they do.  SDK versions are weighted towards the
 * recent ones because that is what a real developer population runs.
 */
#include "sim/net.h"

#include <stdio.h>
#include <string.h>

#include "sim/text.h"

typedef struct pfx4 { uint8_t a, b; uint8_t len; } pfx4;   /* a.b.0.0/len (len 8..16) */
typedef struct net {
    uint32_t asn;
    pfx4 v4[3];
    uint16_t v6[3];   /* first three 16-bit groups of a /48 block family; 0 = none */
} net;

/* Residential ISPs (index 0..2), mobile carrier (3) per country. */
typedef struct country {
    const char *code;
    double weight;
    int lang;
    int16_t tz[4];     /* candidate UTC offsets in minutes; 0-terminated after the first */
    net isp[3];
    net mobile;
} country;

#define P(a, b, l) {a, b, l}
static const country countries[] = {
    {"US", 30, DWS_L_EN, {-300, -360, -480, -420},
     {{7922, {P(73, 0, 8), P(98, 192, 10), P(24, 0, 12)}, {0x2601, 0, 0}},
      {7018, {P(99, 0, 10), P(107, 128, 9), P(12, 0, 8)}, {0x2600, 0x1700, 0}},
      {701, {P(71, 160, 11), P(108, 0, 11), P(100, 0, 10)}, {0x2600, 0x4040, 0}}},
     {21928, {P(172, 56, 14), P(0, 0, 0), P(0, 0, 0)}, {0x2607, 0xfb90, 0}}},
    {"GB", 6, DWS_L_EN, {0},
     {{2856, {P(81, 128, 10), P(86, 128, 10), P(0, 0, 0)}, {0x2a00, 0x23c0, 0}},
      {5089, {P(82, 0, 11), P(92, 0, 12), P(0, 0, 0)}, {0x2a02, 0x0c7c, 0}},
      {5607, {P(90, 192, 11), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {25135, {P(148, 252, 16), P(0, 0, 0), P(0, 0, 0)}, {0x2a01, 0x4c8, 0}}},
    {"DE", 6, DWS_L_DE, {60},
     {{3320, {P(79, 192, 10), P(91, 0, 10), P(93, 192, 10)}, {0x2003, 0, 0}},
      {3209, {P(88, 64, 11), P(0, 0, 0), P(0, 0, 0)}, {0x2a02, 0x8100, 0}},
      {8881, {P(89, 244, 14), P(0, 0, 0), P(0, 0, 0)}, {0x2a02, 0x0908, 0}}},
     {6805, {P(176, 0, 12), P(0, 0, 0), P(0, 0, 0)}, {0x2a02, 0x3030, 0}}},
    {"FR", 5, DWS_L_FR, {60},
     {{3215, {P(90, 0, 9), P(86, 192, 10), P(0, 0, 0)}, {0x2a01, 0xcb00, 0}},
      {12322, {P(82, 64, 10), P(88, 160, 11), P(0, 0, 0)}, {0x2a01, 0x0e0a, 0}},
      {5410, {P(89, 80, 12), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {51207, {P(37, 160, 12), P(0, 0, 0), P(0, 0, 0)}, {0x2a0d, 0xe480, 0}}},
    {"IN", 9, DWS_L_EN, {330},
     {{55836, {P(49, 32, 11), P(106, 192, 10), P(0, 0, 0)}, {0x2409, 0x4000, 0}},
      {24560, {P(122, 160, 11), P(0, 0, 0), P(0, 0, 0)}, {0x2401, 0x4900, 0}},
      {9829, {P(117, 192, 10), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {55836, {P(157, 32, 11), P(0, 0, 0), P(0, 0, 0)}, {0x2409, 0x4080, 0}}},
    {"BR", 6, DWS_L_PT, {-180},
     {{28573, {P(177, 0, 11), P(179, 0, 12), P(0, 0, 0)}, {0x2804, 0x014c, 0}},
      {18881, {P(189, 0, 11), P(0, 0, 0), P(0, 0, 0)}, {0x2804, 0x07f0, 0}},
      {26599, {P(191, 32, 11), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {26615, {P(187, 0, 11), P(0, 0, 0), P(0, 0, 0)}, {0x2804, 0x0018, 0}}},
    {"JP", 5, DWS_L_JA, {540},
     {{2516, {P(106, 128, 9), P(0, 0, 0), P(0, 0, 0)}, {0x2001, 0x0268, 0}},
      {4713, {P(153, 128, 9), P(0, 0, 0), P(0, 0, 0)}, {0x2400, 0x4050, 0}},
      {17676, {P(126, 0, 8), P(0, 0, 0), P(0, 0, 0)}, {0x240b, 0x0010, 0}}},
     {9605, {P(1, 66, 16), P(0, 0, 0), P(0, 0, 0)}, {0x2400, 0x2200, 0}}},
    {"KR", 4, DWS_L_KO, {540},
     {{4766, {P(175, 192, 10), P(0, 0, 0), P(0, 0, 0)}, {0x2001, 0x0e60, 0}},
      {9318, {P(1, 224, 11), P(0, 0, 0), P(0, 0, 0)}, {0x2001, 0x0378, 0}},
      {3786, {P(106, 240, 12), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {4766, {P(39, 7, 16), P(0, 0, 0), P(0, 0, 0)}, {0}}},
    {"SG", 2, DWS_L_ZH, {480},
     {{9506, {P(116, 86, 15), P(0, 0, 0), P(0, 0, 0)}, {0x2406, 0x3003, 0}},
      {10091, {P(118, 200, 13), P(0, 0, 0), P(0, 0, 0)}, {0}},
      {4773, {P(101, 127, 16), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {9506, {P(202, 166, 16), P(0, 0, 0), P(0, 0, 0)}, {0}}},
    {"TW", 2, DWS_L_ZH, {480},
     {{3462, {P(114, 32, 11), P(36, 224, 11), P(0, 0, 0)}, {0x2001, 0xb011, 0}},
      {9924, {P(61, 216, 13), P(0, 0, 0), P(0, 0, 0)}, {0}},
      {4780, {P(220, 128, 11), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {24158, {P(223, 136, 13), P(0, 0, 0), P(0, 0, 0)}, {0}}},
    {"ES", 4, DWS_L_ES, {60},
     {{3352, {P(80, 24, 13), P(83, 32, 11), P(0, 0, 0)}, {0x2a0c, 0x5a80, 0}},
      {12479, {P(95, 124, 14), P(0, 0, 0), P(0, 0, 0)}, {0}},
      {12430, {P(88, 0, 12), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {12430, {P(85, 48, 13), P(0, 0, 0), P(0, 0, 0)}, {0}}},
    {"MX", 3, DWS_L_ES, {-360},
     {{8151, {P(187, 128, 10), P(189, 128, 10), P(0, 0, 0)}, {0x2806, 0x02f0, 0}},
      {28548, {P(200, 68, 14), P(0, 0, 0), P(0, 0, 0)}, {0}},
      {13999, {P(201, 160, 12), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {28403, {P(189, 216, 13), P(0, 0, 0), P(0, 0, 0)}, {0}}},
    {"CA", 3, DWS_L_EN, {-300, -480},
     {{812, {P(99, 224, 11), P(0, 0, 0), P(0, 0, 0)}, {0x2607, 0xfea8, 0}},
      {577, {P(70, 24, 13), P(0, 0, 0), P(0, 0, 0)}, {0x2607, 0xfa48, 0}},
      {852, {P(70, 64, 11), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {812, {P(174, 112, 12), P(0, 0, 0), P(0, 0, 0)}, {0}}},
    {"AU", 2, DWS_L_EN, {600},
     {{1221, {P(101, 160, 11), P(0, 0, 0), P(0, 0, 0)}, {0x2001, 0x8003, 0}},
      {4804, {P(110, 140, 14), P(0, 0, 0), P(0, 0, 0)}, {0}},
      {7545, {P(1, 144, 12), P(0, 0, 0), P(0, 0, 0)}, {0x2403, 0x5800, 0}}},
     {1221, {P(49, 176, 12), P(0, 0, 0), P(0, 0, 0)}, {0}}},
    {"NL", 2, DWS_L_EN, {60},
     {{1136, {P(77, 160, 11), P(0, 0, 0), P(0, 0, 0)}, {0x2a02, 0xa440, 0}},
      {33915, {P(83, 80, 12), P(0, 0, 0), P(0, 0, 0)}, {0x2001, 0x1c00, 0}},
      {9143, {P(84, 24, 13), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {1136, {P(62, 140, 14), P(0, 0, 0), P(0, 0, 0)}, {0}}},
    {"RU", 2, DWS_L_RU, {180},
     {{12389, {P(95, 24, 13), P(0, 0, 0), P(0, 0, 0)}, {0x2a03, 0xd000, 0}},
      {8402, {P(95, 24, 14), P(0, 0, 0), P(0, 0, 0)}, {0}},
      {31213, {P(83, 149, 16), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {8359, {P(188, 170, 15), P(0, 0, 0), P(0, 0, 0)}, {0}}},
    {"PL", 2, DWS_L_EN, {60},
     {{5617, {P(83, 0, 11), P(0, 0, 0), P(0, 0, 0)}, {0x2a01, 0x0110, 0}},
      {6830, {P(89, 64, 12), P(0, 0, 0), P(0, 0, 0)}, {0}},
      {12741, {P(89, 64, 13), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {12912, {P(37, 30, 15), P(0, 0, 0), P(0, 0, 0)}, {0}}},
    {"AE", 1, DWS_L_AR, {240},
     {{5384, {P(94, 200, 13), P(0, 0, 0), P(0, 0, 0)}, {0x2001, 0x08f8, 0}},
      {15802, {P(91, 72, 14), P(0, 0, 0), P(0, 0, 0)}, {0}},
      {5384, {P(2, 48, 12), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {5384, {P(86, 96, 14), P(0, 0, 0), P(0, 0, 0)}, {0}}},
    {"EG", 1, DWS_L_AR, {120},
     {{8452, {P(41, 32, 11), P(156, 192, 11), P(0, 0, 0)}, {0}},
      {24863, {P(197, 32, 14), P(0, 0, 0), P(0, 0, 0)}, {0}},
      {36992, {P(41, 232, 13), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {24835, {P(102, 40, 13), P(0, 0, 0), P(0, 0, 0)}, {0}}},
    {"VN", 2, DWS_L_EN, {420},
     {{7552, {P(27, 64, 11), P(0, 0, 0), P(0, 0, 0)}, {0x2402, 0x0800, 0}},
      {45899, {P(113, 160, 11), P(0, 0, 0), P(0, 0, 0)}, {0}},
      {18403, {P(42, 112, 12), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {7552, {P(116, 96, 12), P(0, 0, 0), P(0, 0, 0)}, {0}}},
    {"ID", 2, DWS_L_EN, {420},
     {{7713, {P(36, 64, 10), P(0, 0, 0), P(0, 0, 0)}, {0x2001, 0x0448, 0}},
      {17451, {P(110, 136, 13), P(0, 0, 0), P(0, 0, 0)}, {0}},
      {4761, {P(114, 120, 13), P(0, 0, 0), P(0, 0, 0)}, {0}}},
     {23693, {P(114, 4, 14), P(0, 0, 0), P(0, 0, 0)}, {0}}},
};
#define NCOUNTRY ((int)DWS_COUNT(countries))

/* Cloud providers where companies run jobs (index 0..5) and cheap hosting /
 * VPN / proxy networks (6..). */
static const net clouds[] = {
    {16509, {P(3, 0, 9), P(18, 128, 9), P(52, 0, 10)}, {0x2600, 0x1f00, 0}},
    {14618, {P(54, 144, 12), P(44, 192, 11), P(0, 0, 0)}, {0x2600, 0x1f10, 0}},
    {396982, {P(34, 0, 10), P(35, 184, 13), P(0, 0, 0)}, {0x2600, 0x1900, 0}},
    {8075, {P(20, 0, 11), P(40, 64, 10), P(52, 224, 11)}, {0x2603, 0x1000, 0}},
    {15169, {P(35, 192, 12), P(0, 0, 0), P(0, 0, 0)}, {0x2600, 0x1901, 0}},
    {31898, {P(129, 146, 16), P(150, 136, 16), P(0, 0, 0)}, {0x2603, 0xc020, 0}},
};
static const net hosting[] = {
    {14061, {P(104, 131, 16), P(138, 197, 16), P(167, 99, 16)}, {0x2604, 0xa880, 0}},
    {16276, {P(51, 68, 14), P(145, 239, 16), P(54, 36, 16)}, {0x2001, 0x41d0, 0}},
    {24940, {P(65, 108, 15), P(95, 216, 16), P(135, 181, 16)}, {0x2a01, 0x04f8, 0}},
    {63949, {P(172, 104, 15), P(139, 162, 16), P(0, 0, 0)}, {0x2600, 0x3c00, 0}},
    {20473, {P(45, 32, 14), P(45, 76, 14), P(149, 28, 16)}, {0x2001, 0x19f0, 0}},
    {9009, {P(89, 187, 16), P(185, 153, 16), P(0, 0, 0)}, {0}},
    {60781, {P(5, 79, 16), P(212, 32, 16), P(0, 0, 0)}, {0x2a00, 0x0c98, 0}},
    {51167, {P(161, 97, 16), P(5, 189, 16), P(0, 0, 0)}, {0x2a02, 0xc207, 0}},
    {45102, {P(47, 74, 15), P(8, 208, 12), P(0, 0, 0)}, {0}},
    {212238, {P(185, 246, 16), P(143, 244, 16), P(0, 0, 0)}, {0}},
};
/* Business fiber providers for office egress. */
static const net business[] = {
    {174, {P(38, 0, 10), P(154, 0, 11), P(0, 0, 0)}, {0x2001, 0x0550, 0}},
    {3356, {P(4, 0, 9), P(8, 0, 11), P(0, 0, 0)}, {0x2001, 0x1900, 0}},
    {6461, {P(64, 125, 16), P(208, 185, 16), P(0, 0, 0)}, {0x2001, 0x0438, 0}},
    {1299, {P(62, 115, 16), P(80, 91, 16), P(0, 0, 0)}, {0x2001, 0x2000, 0}},
};
/* University networks (campus id picks one). */
static const net edu[] = {
    {3, {P(18, 0, 9), P(0, 0, 0), P(0, 0, 0)}, {0x2603, 0x4000, 0}},
    {32, {P(171, 64, 14), P(0, 0, 0), P(0, 0, 0)}, {0x2607, 0xf6d0, 0}},
    {25, {P(128, 32, 16), P(169, 229, 16), P(0, 0, 0)}, {0x2607, 0xf140, 0}},
    {786, {P(129, 67, 16), P(163, 1, 16), P(0, 0, 0)}, {0x2001, 0x0630, 0}},
    {680, {P(141, 84, 16), P(134, 96, 16), P(0, 0, 0)}, {0x2001, 0x0638, 0}},
    {1103, {P(145, 97, 16), P(131, 155, 16), P(0, 0, 0)}, {0x2001, 0x0610, 0}},
};

static int npfx(const net *n)
{
    int k = 0;
    while (k < 3 && n->v4[k].len) k++;
    return k;
}

static void v4_in(dws_rng *r, const net *n, dws_ip *out)
{
    int k = npfx(n);
    const pfx4 *p = &n->v4[k ? dws_rng_below(r, (uint64_t)k) : 0];
    uint32_t base = ((uint32_t)p->a << 24) | ((uint32_t)p->b << 16);
    uint32_t hostbits = 32u - (p->len ? p->len : 16);
    uint32_t mask = hostbits >= 32 ? 0xffffffffu : ((1u << hostbits) - 1);
    uint32_t x = (base & ~mask) | ((uint32_t)dws_rng_u64(r) & mask);
    if ((x & 0xff) == 0 || (x & 0xff) == 255) x = (x & ~0xffu) | (uint32_t)dws_rng_range(r, 2, 250);
    memset(out, 0, sizeof *out);
    out->asn = n->asn;
    out->b[0] = (uint8_t)(x >> 24); out->b[1] = (uint8_t)(x >> 16);
    out->b[2] = (uint8_t)(x >> 8); out->b[3] = (uint8_t)x;
}

static void v6_in(dws_rng *r, const net *n, dws_ip *out)
{
    memset(out, 0, sizeof *out);
    out->asn = n->asn;
    out->v6 = 1;
    out->b[0] = (uint8_t)(n->v6[0] >> 8); out->b[1] = (uint8_t)n->v6[0];
    out->b[2] = (uint8_t)(n->v6[1] >> 8); out->b[3] = (uint8_t)n->v6[1];
    uint64_t x = dws_rng_u64(r), y = dws_rng_u64(r);
    for (int i = 4; i < 8; i++) out->b[i] = (uint8_t)(x >> (8 * i));
    for (int i = 8; i < 16; i++) out->b[i] = (uint8_t)(y >> (8 * (i - 8)));
}

static void addr_in(dws_rng *r, const net *n, bool v6, dws_ip *out)
{
    if (v6 && n->v6[0]) v6_in(r, n, out);
    else v4_in(r, n, out);
}

void dws_ip_format(const dws_ip *ip, char *out)
{
    if (!ip->v6) {
        snprintf(out, 46, "%u.%u.%u.%u", ip->b[0], ip->b[1], ip->b[2], ip->b[3]);
        return;
    }
    /* RFC 5952 canonical text: lower-case, longest zero run compressed. */
    uint16_t g[8];
    for (int i = 0; i < 8; i++) g[i] = (uint16_t)(ip->b[2 * i] << 8 | ip->b[2 * i + 1]);
    int best = -1, bestlen = 0;
    for (int i = 0; i < 8;) {
        if (g[i]) { i++; continue; }
        int j = i;
        while (j < 8 && !g[j]) j++;
        if (j - i > bestlen && j - i >= 2) { best = i; bestlen = j - i; }
        i = j;
    }
    char *p = out;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            *p++ = ':';
            if (i == 0) *p++ = ':';
            i += bestlen - 1;
            continue;
        }
        p += sprintf(p, "%x", g[i]);
        if (i < 7) *p++ = ':';
    }
    *p = 0;
}

int dws_country_count(void) { return NCOUNTRY; }

int dws_country_pick(dws_rng *r)
{
    double w[64];
    for (int i = 0; i < NCOUNTRY; i++) w[i] = countries[i].weight;
    return (int)dws_rng_weighted(r, w, (size_t)NCOUNTRY);
}

int dws_country_by_code(const char *code)
{
    for (int i = 0; i < NCOUNTRY; i++)
        if (strcmp(countries[i].code, code) == 0) return i;
    return -1;
}

const char *dws_country_code(int c) { return countries[c].code; }
int dws_country_lang(int c) { return countries[c].lang; }

int dws_country_tz(int c, dws_rng *r)
{
    int n = 1;
    while (n < 4 && countries[c].tz[n]) n++;
    return countries[c].tz[dws_rng_below(r, (uint64_t)n)];
}

void dws_ip_new(dws_rng *r, int c, int kind, bool v6, dws_ip *out)
{
    const country *co = &countries[c < 0 || c >= NCOUNTRY ? 0 : c];
    switch (kind) {
    case DWS_NET_HOME: {
        static const double w[3] = {0.5, 0.32, 0.18};
        addr_in(r, &co->isp[dws_rng_weighted(r, w, 3)], v6, out);
        break;
    }
    case DWS_NET_MOBILE: {
        /* Carrier NAT: 48 public addresses per carrier serve everyone. */
        dws_rng pool;
        dws_rng_derive(&pool, co->mobile.asn, 0xC6A7, dws_rng_below(r, 48));
        addr_in(&pool, &co->mobile, v6, out);
        break;
    }
    case DWS_NET_BUSINESS: addr_in(r, &DWS_PICK(r, business), v6, out); break;
    case DWS_NET_CLOUD: addr_in(r, &DWS_PICK(r, clouds), v6, out); break;
    case DWS_NET_HOSTING: addr_in(r, &DWS_PICK(r, hosting), v6, out); break;
    default: addr_in(r, &DWS_PICK(r, edu), v6, out);
    }
}

void dws_ip_sibling(dws_rng *r, const dws_ip *base, dws_ip *out)
{
    *out = *base;
    if (base->v6) {
        uint64_t x = dws_rng_u64(r);
        for (int i = 6; i < 16; i++) out->b[i] = (uint8_t)(x >> (8 * ((i - 6) & 7)) ^ (uint8_t)(i * 37));
    } else {
        out->b[3] = (uint8_t)dws_rng_range(r, 2, 250);
    }
}

void dws_ip_campus(uint64_t campus, int idx, bool v6, dws_ip *out)
{
    dws_rng r;
    dws_rng_derive(&r, campus, 0xED0, 0);
    const net *n = &edu[dws_rng_below(&r, DWS_COUNT(edu))];
    dws_ip base;
    addr_in(&r, n, v6, &base);
    dws_rng ri;
    dws_rng_derive(&ri, campus, 0xED1, (uint64_t)idx);
    dws_ip_sibling(&ri, &base, out);
    if (v6) { memset(out->b + 8, 0, 7); out->b[15] = (uint8_t)(idx + 1); }
}

/* ---- SDKs ----------------------------------------------------------------- */

typedef struct sdkfam {
    const char *ua;          /* printf format with one %s for the version */
    const char *lang;        /* x-stainless-lang, NULL if the client sends none */
    const char *runtime;
    const char *const *ver;
    const double *verw;
    int nver;
    const char *const *rt;
    int nrt;
    double weight;           /* share among ordinary developers */
} sdkfam;

static const char *const py_ver[] = {"1.12.0", "1.30.5", "1.40.8", "1.51.2", "1.54.3", "1.54.4", "1.55.0", "1.57.1"};
static const double py_w[] = {0.02, 0.05, 0.08, 0.1, 0.25, 0.2, 0.18, 0.12};
static const char *const py_rt[] = {"3.9.18", "3.10.12", "3.11.9", "3.12.4", "3.12.7"};
static const char *const js_ver[] = {"4.28.4", "4.52.7", "4.67.3", "4.71.1", "4.73.0"};
static const double js_w[] = {0.05, 0.15, 0.35, 0.3, 0.15};
static const char *const js_rt[] = {"v18.19.0", "v20.11.1", "v20.17.0", "v22.3.0"};
static const char *const rq_ver[] = {"2.31.0", "2.32.3"};
static const double rq_w[] = {0.4, 0.6};
static const char *const curl_ver[] = {"7.81.0", "8.5.0", "8.7.1"};
static const double curl_w[] = {0.3, 0.4, 0.3};
static const char *const ax_ver[] = {"1.6.8", "1.7.2", "1.7.7"};
static const double ax_w[] = {0.3, 0.4, 0.3};
static const char *const go_ver[] = {"1.1", "2.0"};
static const double go_w[] = {0.5, 0.5};
static const char *const hx_ver[] = {"0.25.2", "0.27.0", "0.27.2"};
static const double hx_w[] = {0.2, 0.4, 0.4};
static const char *const ag_ver[] = {"2.3.4", "2.4.0", "2.4.1"};
static const double ag_w[] = {0.15, 0.35, 0.5};

static const sdkfam fams[DWS_SDK_COUNT] = {
    [DWS_SDK_PY] = {"OpenAI/Python %s", "python", "CPython", py_ver, py_w, 8, py_rt, 5, 0.55},
    [DWS_SDK_JS] = {"OpenAI/JS %s", "js", "node", js_ver, js_w, 5, js_rt, 4, 0.25},
    [DWS_SDK_REQUESTS] = {"python-requests/%s", NULL, NULL, rq_ver, rq_w, 2, NULL, 0, 0.07},
    [DWS_SDK_CURL] = {"curl/%s", NULL, NULL, curl_ver, curl_w, 3, NULL, 0, 0.03},
    [DWS_SDK_AXIOS] = {"axios/%s", NULL, NULL, ax_ver, ax_w, 3, NULL, 0, 0.03},
    [DWS_SDK_GO] = {"Go-http-client/%s", NULL, NULL, go_ver, go_w, 2, NULL, 0, 0.03},
    [DWS_SDK_HTTPX] = {"python-httpx/%s", NULL, NULL, hx_ver, hx_w, 3, NULL, 0, 0.04},
    [DWS_SDK_AGENT] = {"kodo-cli/%s", "js", "node", ag_ver, ag_w, 3, js_rt, 4, 0},
};

void dws_sdk_family(dws_rng *r, int family, dws_sdk *out)
{
    const sdkfam *f = &fams[family];
    memset(out, 0, sizeof *out);
    out->family = (uint8_t)family;
    out->ver = (uint8_t)dws_rng_weighted(r, f->verw, (size_t)f->nver);
    static const double osw[3] = {0.5, 0.35, 0.15};  /* Linux, MacOS, Windows */
    out->os = (uint8_t)dws_rng_weighted(r, osw, 3);
    out->arch = (uint8_t)(out->os == 1 ? (dws_rng_chance(r, 0.8) ? 1 : 0) : (dws_rng_chance(r, 0.1) ? 1 : 0));
    out->rtver = (uint8_t)(f->nrt ? dws_rng_below(r, (uint64_t)f->nrt) : 0);
    out->async_ = (uint8_t)(family == DWS_SDK_PY && dws_rng_chance(r, 0.3));
}

void dws_sdk_pick(dws_rng *r, dws_sdk *out)
{
    double w[DWS_SDK_COUNT];
    for (int i = 0; i < DWS_SDK_COUNT; i++) w[i] = fams[i].weight;
    dws_sdk_family(r, (int)dws_rng_weighted(r, w, DWS_SDK_COUNT), out);
}

static const char *const os_names[3] = {"Linux", "MacOS", "Windows"};
static const char *const arch_names[2] = {"x64", "arm64"};

void dws_sdk_ua(const dws_sdk *s, char *out, size_t cap)
{
    const sdkfam *f = &fams[s->family];
    char ver[32];
    snprintf(ver, sizeof ver, "%s", f->ver[s->ver]);
    if (s->family == DWS_SDK_AGENT) {
        snprintf(out, cap, "kodo-cli/%s (node %s; %s %s)", ver, f->rt[s->rtver],
                 s->os == 1 ? "darwin" : s->os == 2 ? "win32" : "linux", arch_names[s->arch]);
        return;
    }
    if (s->family == DWS_SDK_PY && s->async_) {
        snprintf(out, cap, "AsyncOpenAI/Python %s", ver);
        return;
    }
    snprintf(out, cap, f->ua, ver);
}

void dws_sdk_headers(const dws_sdk *s, int retry, dw_jw *w)
{
    const sdkfam *f = &fams[s->family];
    if (!f->lang) return;
    dw_jw_key(w, "x-stainless-lang");
    dw_jw_str(w, f->lang);
    dw_jw_key(w, "x-stainless-package-version");
    dw_jw_str(w, s->family == DWS_SDK_AGENT ? js_ver[3] : f->ver[s->ver]);
    dw_jw_key(w, "x-stainless-os");
    dw_jw_str(w, os_names[s->os]);
    dw_jw_key(w, "x-stainless-arch");
    dw_jw_str(w, arch_names[s->arch]);
    dw_jw_key(w, "x-stainless-runtime");
    dw_jw_str(w, f->runtime);
    dw_jw_key(w, "x-stainless-runtime-version");
    dw_jw_str(w, f->rt[s->rtver]);
    if (s->family == DWS_SDK_PY) {
        dw_jw_key(w, "x-stainless-async");
        dw_jw_str(w, s->async_ ? "async:asyncio" : "false");
    }
    dw_jw_key(w, "x-stainless-retry-count");
    char rc[8];
    snprintf(rc, sizeof rc, "%d", retry);
    dw_jw_str(w, rc);
}

/* ---- email domains -------------------------------------------------------- */

const char *dws_email_consumer(dws_rng *r, int c)
{
    static const char *const global[] = {"gmail.com", "gmail.com", "gmail.com", "gmail.com", "outlook.com",
                                         "hotmail.com", "yahoo.com", "icloud.com", "proton.me"};
    const char *code = countries[c < 0 || c >= NCOUNTRY ? 0 : c].code;
    if (dws_rng_chance(r, 0.3)) {
        if (!strcmp(code, "DE")) return dws_rng_chance(r, 0.5) ? "gmx.de" : "web.de";
        if (!strcmp(code, "FR")) return dws_rng_chance(r, 0.5) ? "orange.fr" : "free.fr";
        if (!strcmp(code, "JP")) return "yahoo.co.jp";
        if (!strcmp(code, "KR")) return "naver.com";
        if (!strcmp(code, "RU")) return dws_rng_chance(r, 0.5) ? "yandex.ru" : "mail.ru";
        if (!strcmp(code, "BR")) return "uol.com.br";
        if (!strcmp(code, "SG") || !strcmp(code, "TW")) return "qq.com";
        if (!strcmp(code, "GB")) return "btinternet.com";
    }
    return DWS_PICK(r, global);
}

void dws_email_company(dws_rng *r, char *out, size_t cap)
{
    static const char *const a[] = {"bright", "north", "blue", "quant", "data", "cloud", "green", "iron",
                                    "nova", "apex", "clear", "swift", "deep", "open", "silver", "terra"};
    static const char *const b[] = {"labs", "wind", "logic", "works", "metrics", "forge", "stack", "sight",
                                    "path", "analytics", "systems", "ai", "soft", "bridge"};
    static const char *const t[] = {".com", ".com", ".io", ".ai", ".co", ".de", ".co.uk", ".net"};
    snprintf(out, cap, "%s%s%s%s", DWS_PICK(r, a), dws_rng_chance(r, 0.2) ? "-" : "", DWS_PICK(r, b),
             DWS_PICK(r, t));
}

void dws_email_campus(uint64_t campus, char *out, size_t cap)
{
    static const char *const u[] = {"stateu.edu", "northlake.edu", "riverside-univ.edu", "tu-nord.de",
                                    "uni-ost.de", "kingsbridge.ac.uk", "hillcrest.edu", "univ-sud.fr"};
    snprintf(out, cap, "%s", u[campus % DWS_COUNT(u)]);
}
