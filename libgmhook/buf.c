/* SPDX-License-Identifier: MIT */
/*
 * A growable NUL-terminated string. A failed allocation sets a sticky flag
 * instead of returning an error from every call, so builders can append
 * freely and check once at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmhook-private.h"

static bool buf_reserve(struct gmhook__buf *b, size_t extra)
{
	size_t need;
	size_t cap;
	char *data;

	if (b->failed) {
		return false;
	}
	if (extra > SIZE_MAX - b->len - 1) {
		b->failed = true;
		return false;
	}
	need = b->len + extra + 1;
	if (need <= b->cap) {
		return true;
	}
	cap = b->cap ? b->cap : 64;
	while (cap < need) {
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	}
	data = realloc(b->data, cap);
	if (!data) {
		b->failed = true;
		return false;
	}
	b->data = data;
	b->cap = cap;
	return true;
}

void gmhook__buf_add(struct gmhook__buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n)) {
		return;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void gmhook__buf_adds(struct gmhook__buf *b, const char *s)
{
	gmhook__buf_add(b, s, strlen(s));
}

void gmhook__buf_addc(struct gmhook__buf *b, char c)
{
	gmhook__buf_add(b, &c, 1);
}

/* Formats straight into the spare room and again only when the text did
 * not fit: builders append many short pieces, and measuring each first
 * doubled their cost. */
void gmhook__buf_addf(struct gmhook__buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (!buf_reserve(b, 64)) {
		return;
	}
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t) n < room) {
		b->len += (size_t) n;
		return;
	}
	b->data[b->len] = '\0';
	if (n < 0 || !buf_reserve(b, (size_t) n)) {
		b->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t) n;
}

char *gmhook__buf_steal(struct gmhook__buf *b)
{
	char *data;

	if (b->failed) {
		gmhook__buf_free(b);
		return NULL;
	}
	if (!b->data && !buf_reserve(b, 0)) {
		return NULL;
	}
	data = b->data;
	data[b->len] = '\0';
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return data;
}

void gmhook__buf_free(struct gmhook__buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = false;
}
