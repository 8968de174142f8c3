/* SPDX-License-Identifier: MIT */
/*
 * Small text, time and encoding helpers used by every stage: UTF-8 checks
 * and character-safe cuts, e-mail syntax, RFC 3339 time parsing, SHA-256
 * and base64 through OpenSSL's libcrypto (never hand-written).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "gmhook-private.h"

/* Length of the UTF-8 sequence at @p s (at most @p avail bytes), or 0 when
 * it is not a valid, shortest-form encoding of a scalar value. */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
	uint32_t cp;
	size_t n;
	size_t i;

	if (s[0] < 0x80) {
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > avail) {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		return 0;
	}
	return n;
}

long gmhook__utf8_invalid_at(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t i = 0;
	size_t n;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_seq_len(p + i, len - i);
		if (n == 0) {
			return (long) i;
		}
		i += n;
	}
	return -1;
}

size_t gmhook__utf8_prefix(const char *s, size_t max_chars)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t len = strlen(s);
	size_t i = 0;
	size_t chars = 0;
	size_t n;

	while (i < len && chars < max_chars) {
		n = utf8_seq_len(p + i, len - i);
		i += n ? n : 1;
		chars++;
	}
	return i;
}

size_t gmhook__utf8_chars(const char *s)
{
	size_t chars = 0;

	for (; *s; s++) {
		if (((unsigned char) *s & 0xc0) != 0x80) {
			chars++;
		}
	}
	return chars;
}

bool gmhook__email_valid(const char *s)
{
	const char *at = strchr(s, '@');
	const char *p;
	size_t local_len;
	size_t len = strlen(s);

	if (!at || at == s || strchr(at + 1, '@') || len > 254) {
		return false;
	}
	local_len = (size_t) (at - s);
	if (local_len > 64 || s[0] == '.' || at[-1] == '.') {
		return false;
	}
	for (p = s; *p; p++) {
		if ((unsigned char) *p <= ' ' || *p == 0x7f || *p == '<' ||
		    *p == '>' || *p == ',' || *p == ';' || *p == '"' ||
		    *p == '\\' || *p == '(' || *p == ')') {
			return false;
		}
	}
	/* The domain needs a dot that is neither first nor last, and no
	 * empty labels. */
	p = at + 1;
	if (!*p || *p == '.' || s[len - 1] == '.' || !strchr(p, '.') ||
	    strstr(p, "..")) {
		return false;
	}
	return true;
}

static bool parse_digits(const char **p, int n, int *out)
{
	int v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char) (*p)[i])) {
			return false;
		}
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static int days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
		                    31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era;
	int64_t yoe;
	int64_t doy;
	int64_t doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool parse_zone(const char *p, int *offset)
{
	int hh;
	int mm;
	int sign;

	if (*p == 'Z' || *p == 'z') {
		*offset = 0;
		return p[1] == '\0';
	}
	if (*p == '\0') {
		*offset = 0;
		return true;
	}
	if (*p != '+' && *p != '-') {
		return false;
	}
	sign = *p == '-' ? -1 : 1;
	p++;
	if (!parse_digits(&p, 2, &hh)) {
		return false;
	}
	if (*p == ':') {
		p++;
	}
	if (!parse_digits(&p, 2, &mm) || *p != '\0' || hh > 23 || mm > 59) {
		return false;
	}
	*offset = sign * (hh * 3600 + mm * 60);
	return true;
}

bool gmhook__time_parse(const char *s, int64_t *out)
{
	const char *p = s;
	int year, month, day, hour, minute, second = 0, offset;

	if (!s) {
		return false;
	}
	if (!parse_digits(&p, 4, &year) || *p++ != '-' ||
	    !parse_digits(&p, 2, &month) || *p++ != '-' ||
	    !parse_digits(&p, 2, &day) ||
	    (*p != 'T' && *p != 't' && *p != ' ')) {
		return false;
	}
	p++;
	if (!parse_digits(&p, 2, &hour) || *p++ != ':' ||
	    !parse_digits(&p, 2, &minute)) {
		return false;
	}
	if (*p == ':') {
		p++;
		if (!parse_digits(&p, 2, &second)) {
			return false;
		}
		if (*p == '.' || *p == ',') {
			p++;
			if (!isdigit((unsigned char) *p)) {
				return false;
			}
			while (isdigit((unsigned char) *p)) {
				p++;
			}
		}
	}
	if (year < 1 || month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, month) || hour > 23 || minute > 59 ||
	    second > 60 || !parse_zone(p, &offset)) {
		return false;
	}
	*out = days_from_civil(year, month, day) * 86400 + hour * 3600 +
	       minute * 60 + second - offset;
	return true;
}

/* Years 1..9999 only: RFC 3339 has four-digit years, and a payload's
 * absurd timestamp must not reach gmtime's undefined corners. */
#define TIME_MIN (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define TIME_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */

/* @p value as exactly @p width decimal digits. */
static void put_digits(char *out, int value, int width)
{
	while (width-- > 0) {
		out[width] = (char) ('0' + value % 10);
		value /= 10;
	}
}

void gmhook__time_format_utc(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t) t;
	char text[20];
	struct tm tm;
	size_t n;

	if (size == 0) {
		return;
	}
	buf[0] = '\0';
	if (t < TIME_MIN || t > TIME_MAX || !gmtime_r(&tt, &tm)) {
		return;
	}
	/* "YYYY-MM-DDTHH:MM:SSZ" by hand: this runs a few times per event,
	 * and snprintf was most of its cost. */
	put_digits(text, tm.tm_year + 1900, 4);
	text[4] = '-';
	put_digits(text + 5, tm.tm_mon + 1, 2);
	text[7] = '-';
	put_digits(text + 8, tm.tm_mday, 2);
	text[10] = 'T';
	put_digits(text + 11, tm.tm_hour, 2);
	text[13] = ':';
	put_digits(text + 14, tm.tm_min, 2);
	text[16] = ':';
	put_digits(text + 17, tm.tm_sec, 2);
	text[19] = 'Z';
	n = size - 1 < sizeof(text) ? size - 1 : sizeof(text);
	memcpy(buf, text, n);
	buf[n] = '\0';
}

void gmhook__time_local(int64_t t, struct tm *out)
{
	time_t tt = (time_t) (t < TIME_MIN   ? TIME_MIN
	                      : t > TIME_MAX ? TIME_MAX
	                                     : t);

	if (!localtime_r(&tt, out)) {
		memset(out, 0, sizeof(*out));
		out->tm_year = 70;
		out->tm_mday = 1;
	}
}

char *gmhook__strdup(const char *s)
{
	size_t n;
	char *copy;

	if (!s) {
		return NULL;
	}
	n = strlen(s) + 1;
	copy = malloc(n);
	if (copy) {
		memcpy(copy, s, n);
	}
	return copy;
}

bool gmhook__str_ieq(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

void gmhook__str_upper(char *s)
{
	unsigned char *p = (unsigned char *) s;

	for (; *p; p++) {
		if (*p >= 'a' && *p <= 'z') {
			*p = (unsigned char) (*p - 'a' + 'A');
		} else if (p[0] == 0xc3 && p[1] >= 0xa0 && p[1] <= 0xbe &&
		           p[1] != 0xb7) {
			/* Latin-1 letters a-grave .. thorn (U+00E0..U+00FE,
			 * but not the division sign) as SQL Server's UPPER
			 * maps them; same length in UTF-8. */
			p[1] = (unsigned char) (p[1] - 0x20);
			p++;
		}
	}
}

/*
 * OpenSSL 3 looks an algorithm up by name (under a lock) each time a
 * digest starts from EVP_sha256(); fetching it once makes a short digest
 * several times cheaper. The fetched method lives until exit.
 */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void gmhook__sha256_hex(const void *data, size_t len, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	unsigned int i;

	hex[0] = '\0';
	pthread_once(&sha256_once, fetch_sha256);
	if (!EVP_Digest(data, len, md, &md_len,
	                sha256_md ? sha256_md : EVP_sha256(), NULL)) {
		return;
	}
	for (i = 0; i < md_len && i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0x0f];
	}
	hex[2 * i] = '\0';
}

char *gmhook__base64_encode(const void *data, size_t len)
{
	size_t out_len;
	char *out;

	if (len > (SIZE_MAX / 4) * 3 - 3 || len > INT32_MAX) {
		return NULL;
	}
	out_len = 4 * ((len + 2) / 3) + 1;
	out = malloc(out_len);
	if (!out) {
		return NULL;
	}
	EVP_EncodeBlock((unsigned char *) out, data, (int) len);
	return out;
}

bool gmhook__base64_decode(const char *s, unsigned char **out, size_t *out_len)
{
	size_t len = strlen(s);
	unsigned char *buf;
	int n;
	size_t pad = 0;

	if (len % 4 != 0 || len > INT32_MAX) {
		return false;
	}
	buf = malloc(len / 4 * 3 + 1);
	if (!buf) {
		return false;
	}
	n = EVP_DecodeBlock(buf, (const unsigned char *) s, (int) len);
	if (n < 0) {
		free(buf);
		return false;
	}
	/* EVP_DecodeBlock counts the padding as data; take it back off. */
	if (len >= 1 && s[len - 1] == '=') {
		pad++;
	}
	if (len >= 2 && s[len - 2] == '=') {
		pad++;
	}
	*out = buf;
	*out_len = (size_t) n - pad;
	return true;
}
