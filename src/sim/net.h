/*
 * net.h -- where requests come from: countries, networks, addresses, SDKs.
 *
 * What a gateway sees about the sender is an address, the network (ASN) it
 * belongs to, a user agent and the SDK's x-stainless-* headers.  None of
 * these is a label: benign batch jobs and evaluation harnesses run in the
 * same clouds as proxy farms, a residential proxy is a real home address on
 * a real ISP, carrier NAT puts unrelated phones behind one address, and the
 * most popular SDK version is shared by attackers and customers alike.  This
 * module only knows the shapes (which ISP prefixes a country has, which
 * hosting networks exist, what a given SDK sends); who uses what is decided
 * by the traffic classes.
 */
#ifndef DW_SIM_NET_H
#define DW_SIM_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "sim/rng.h"

typedef struct dws_ip {
    uint32_t asn;
    uint8_t v6;
    uint8_t b[16];
} dws_ip;

/* Text form into out (>= 46 bytes). */
void dws_ip_format(const dws_ip *ip, char *out);

/* Countries: index into a fixed table. */
int dws_country_pick(dws_rng *r);                 /* weighted like a global user base */
int dws_country_by_code(const char *code);       /* -1 if absent */
const char *dws_country_code(int c);
int dws_country_tz(int c, dws_rng *r);           /* UTC offset in minutes (a zone of that country) */
int dws_country_lang(int c);                     /* DWS_L_* of its usual language */
int dws_country_count(void);

/* Address kinds. */
typedef enum { DWS_NET_HOME = 0, DWS_NET_MOBILE, DWS_NET_BUSINESS, DWS_NET_CLOUD, DWS_NET_HOSTING,
               DWS_NET_EDU } dws_netkind;

/* A fresh address of the given kind in country c (cloud/hosting ignore c
 * mostly).  `v6` asks for IPv6 where that network has it.  Mobile
 * addresses are carrier-NAT: they come from a small shared pool per carrier. */
void dws_ip_new(dws_rng *r, int country, int kind, bool v6, dws_ip *out);
/* An address in the same /24 (IPv4) or /48 (IPv6) network as `base`. */
void dws_ip_sibling(dws_rng *r, const dws_ip *base, dws_ip *out);
/* Edu network of campus `campus` (stable per campus id). */
void dws_ip_campus(uint64_t campus, int idx, bool v6, dws_ip *out);

/* SDK/user-agent profile of a client installation. */
typedef struct dws_sdk {
    uint8_t family;     /* index into the SDK table */
    uint8_t ver;        /* version index */
    uint8_t os, arch;
    uint8_t rtver;      /* runtime version index */
    uint8_t async_;     /* python async client */
} dws_sdk;

enum { DWS_SDK_PY = 0, DWS_SDK_JS, DWS_SDK_REQUESTS, DWS_SDK_CURL, DWS_SDK_AXIOS, DWS_SDK_GO,
       DWS_SDK_HTTPX, DWS_SDK_AGENT, DWS_SDK_COUNT };

/* A client installation as an ordinary developer population would have it. */
void dws_sdk_pick(dws_rng *r, dws_sdk *out);
/* A client of a given family, version drawn from that family's usage. */
void dws_sdk_family(dws_rng *r, int family, dws_sdk *out);
/* User agent string into out (>= 128 bytes). */
void dws_sdk_ua(const dws_sdk *s, char *out, size_t cap);
/* Write the headers object members (x-stainless-* etc.) with the writer. */
void dws_sdk_headers(const dws_sdk *s, int retry, dw_jw *w);

/* Email domains. */
const char *dws_email_consumer(dws_rng *r, int country);
/* A company-looking domain made from word lists, into out. */
void dws_email_company(dws_rng *r, char *out, size_t cap);
/* A university domain for campus id. */
void dws_email_campus(uint64_t campus, char *out, size_t cap);

#endif
