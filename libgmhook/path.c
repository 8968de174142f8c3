/* SPDX-License-Identifier: MIT */
/*
 * Building RFC 6901 JSON pointers for error reports. Tokens are escaped as
 * the RFC's section 3 requires ("~" as "~0", "/" as "~1"); a pointer that
 * would overflow its fixed buffer is cut at a token boundary and marked.
 */
#include <stdio.h>
#include <string.h>

#include "gmhook-private.h"

static const char cut_mark[] = "/...";

bool gmhook__path_push(char *buf, size_t size, const char *token)
{
	size_t len = strlen(buf);
	size_t need = 1;
	const char *p;
	char *w;

	for (p = token; *p; p++) {
		need += (*p == '~' || *p == '/') ? 2 : 1;
	}
	if (len + need + sizeof(cut_mark) > size) {
		if (len + sizeof(cut_mark) <= size &&
		    (len < 4 || strcmp(buf + len - 4, cut_mark) != 0)) {
			memcpy(buf + len, cut_mark, sizeof(cut_mark));
		}
		return false;
	}
	w = buf + len;
	*w++ = '/';
	for (p = token; *p; p++) {
		if (*p == '~' || *p == '/') {
			*w++ = '~';
			*w++ = *p == '~' ? '0' : '1';
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
	return true;
}

bool gmhook__path_push_index(char *buf, size_t size, size_t index)
{
	char token[24];

	snprintf(token, sizeof(token), "%zu", index);
	return gmhook__path_push(buf, size, token);
}

void gmhook__path_join(char *buf, size_t size, const char *prefix,
                       const char *suffix)
{
	snprintf(buf, size, "%s%s", prefix ? prefix : "", suffix ? suffix : "");
}
