/* SPDX-License-Identifier: MIT */
/*
 * GoldMine record identifiers. ACCOUNTNO follows GoldMine's documented
 * 20-character layout; RECID's real algorithm is unpublished, so gmhook
 * writes 15 printable characters with a time-ordered head and a random
 * tail (see docs/goldmine.md). Randomness comes from the kernel's
 * generator (getrandom) so that concurrent processes do not collide; it
 * needs no set-up, where OpenSSL's generator cost a process committing
 * one event a seventh of its instructions to seed.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "gmhook-private.h"

/* Printable ASCII without quotes, backslash, backquote and space: safe in
 * any SQL literal a human might type while looking a record up. */
static const char account_chars[] =
        "!#$%&()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_{|}~";

static const char recid_chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

static void random_chars(char *out, size_t n, const char *set, size_t set_len)
{
	unsigned char bytes[16];
	size_t i;

	if (getrandom(bytes, n, 0) != (ssize_t) n) {
		/* Only before the kernel's pool is ready, or on a kernel
		 * without the call; fall back to the clock so the id is still
		 * well-formed. */
		for (i = 0; i < n; i++) {
			bytes[i] = (unsigned char) (clock() + (long) i * 7919);
		}
	}
	for (i = 0; i < n; i++) {
		out[i] = set[bytes[i] % set_len];
	}
}

void gmhook__accountno(char out[21], int64_t t, const char *name)
{
	char head[48];
	struct tm tm;
	int year;
	size_t i;
	size_t n;
	const unsigned char *p = (const unsigned char *) (name ? name : "");

	gmhook__time_local(t, &tm);
	year = tm.tm_year + 1900;
	/* GoldMine writes the decade as a letter: 2000 -> A0, 2010 -> B0. */
	snprintf(head, sizeof(head), "%c%d%02d%02d%05d",
	         (char) ('A' + (year - 2000) / 10 % 26), year % 10,
	         tm.tm_mon + 1, tm.tm_mday,
	         tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
	memcpy(out, head, 11);
	random_chars(out + 11, 6, account_chars, sizeof(account_chars) - 1);
	/* The last three characters are the start of the name; keep them
	 * one byte each so the value stays 20 characters in any column. */
	for (i = 0, n = 17; n < 20 && p[i] != '\0'; i++) {
		if ((p[i] & 0xc0) == 0x80) {
			continue; /* the rest of a multi-byte character */
		}
		out[n++] = p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\'' &&
		                           p[i] != '"'
		                   ? (char) p[i]
		                   : '_';
	}
	for (; n < 20; n++) {
		out[n] = '_';
	}
	out[20] = '\0';
}

void gmhook__recid(char out[16], int64_t t)
{
	uint64_t v = t > 0 ? (uint64_t) t : 0;
	int i;

	for (i = 6; i >= 0; i--) {
		out[i] = recid_chars[v % 36];
		v /= 36;
	}
	random_chars(out + 7, 8, recid_chars, sizeof(recid_chars) - 1);
	out[15] = '\0';
}
