/* SPDX-License-Identifier: MIT */
/*
 * The error table and the error setter. One X-macro list gives the codes'
 * names, their descriptions and their exit statuses, so the three cannot
 * drift apart; docs/errors.md is kept in step with it by a test.
 */
#include <stdio.h>
#include <string.h>

#include "gmhook-private.h"

/* code, name, description, sysexits status */
#define GMHOOK_ERROR_MAP(X)                                                   \
	X(GMHOOK_OK, "GMHOOK_OK", "success", 0)                               \
	X(GMHOOK_EINVAL, "GMHOOK_EINVAL", "invalid argument", 64)             \
	X(GMHOOK_ENOMEM, "GMHOOK_ENOMEM", "out of memory", 75)                \
	X(GMHOOK_EPARSE, "GMHOOK_EPARSE", "payload cannot be decoded", 65)    \
	X(GMHOOK_EVALIDATE, "GMHOOK_EVALIDATE", "payload is invalid", 65)     \
	X(GMHOOK_ETOOBIG, "GMHOOK_ETOOBIG", "payload exceeds a limit", 65)    \
	X(GMHOOK_ESIGNATURE, "GMHOOK_ESIGNATURE", "bad or missing signature", \
	  77)                                                                 \
	X(GMHOOK_EMAP, "GMHOOK_EMAP", "event cannot be mapped", 65)           \
	X(GMHOOK_EDB, "GMHOOK_EDB", "database error", 75)                     \
	X(GMHOOK_EUNAVAIL, "GMHOOK_EUNAVAIL", "database unreachable", 75)     \
	X(GMHOOK_ECONFIG, "GMHOOK_ECONFIG", "bad configuration", 78)          \
	X(GMHOOK_ENOTSUP, "GMHOOK_ENOTSUP", "not supported", 69)              \
	X(GMHOOK_EIO, "GMHOOK_EIO", "input/output error", 74)                 \
	X(GMHOOK_ESOURCE, "GMHOOK_ESOURCE", "unknown source", 65)             \
	X(GMHOOK_EMEDIATYPE, "GMHOOK_EMEDIATYPE", "unsupported content type", \
	  65)

struct error_entry {
	int code;
	const char *name;
	const char *text;
	int exit_status;
};

#define GMHOOK_ERROR_ENTRY(code, name, text, status) \
	{ code, name, text, status },

static const struct error_entry error_table[] = { GMHOOK_ERROR_MAP(
	GMHOOK_ERROR_ENTRY) };

#undef GMHOOK_ERROR_ENTRY

static const struct error_entry *error_lookup(int code)
{
	size_t i;

	for (i = 0; i < sizeof(error_table) / sizeof(error_table[0]); i++) {
		if (error_table[i].code == code) {
			return &error_table[i];
		}
	}
	return NULL;
}

GMHOOK_API const char *gmhook_strerror(int code)
{
	const struct error_entry *e = error_lookup(code);

	return e ? e->text : "unknown error";
}

GMHOOK_API const char *gmhook_code_name(int code)
{
	const struct error_entry *e = error_lookup(code);

	return e ? e->name : "GMHOOK_EUNKNOWN";
}

GMHOOK_API int gmhook_exit_status(int code)
{
	const struct error_entry *e = error_lookup(code);

	return e ? e->exit_status : 70;
}

GMHOOK_API const char *gmhook_stage_name(int stage)
{
	switch (stage) {
	case GMHOOK_STAGE_PARSE:
		return "parse";
	case GMHOOK_STAGE_VALIDATE:
		return "validate";
	case GMHOOK_STAGE_MAP:
		return "map";
	case GMHOOK_STAGE_COMMIT:
		return "commit";
	default:
		return "";
	}
}

static void scrub(char *s)
{
	for (; *s; s++) {
		if ((unsigned char) *s < 0x20 || *s == 0x7f) {
			*s = ' ';
		}
	}
}

int gmhook__error_set(struct gmhook_error *err, int code, int stage,
                      const char *path, const char *fmt, ...)
{
	va_list ap;

	if (!err) {
		return code;
	}
	err->code = code;
	err->stage = stage;
	err->sqlstate[0] = '\0';
	err->native = 0;
	snprintf(err->path, sizeof(err->path), "%s", path ? path : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	/* Messages echo payload and header text; a CR or LF in them could
	 * forge lines in a log. */
	scrub(err->message);
	scrub(err->path);
	return code;
}
