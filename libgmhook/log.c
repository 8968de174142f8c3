/* SPDX-License-Identifier: MIT */
/*
 * The per-context log handler. The library formats a message only when the
 * context's level lets it through and hands it to the caller's handler; with
 * no handler installed it is silent, and it never writes to stdout/stderr.
 */
#include <stdio.h>

#include "gmhook-private.h"

GMHOOK_API void gmhook_ctx_set_log_fn(struct gmhook_ctx *ctx, gmhook_log_fn fn,
                                      int level, void *userdata)
{
	if (!ctx) {
		return;
	}
	ctx->log_fn = fn;
	ctx->log_level = level;
	ctx->log_userdata = userdata;
}

void gmhook__log(struct gmhook_ctx *ctx, int level, const char *fmt, ...)
{
	char message[1024];
	va_list ap;

	if (!ctx || !ctx->log_fn || level > ctx->log_level) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	ctx->log_fn(level, message, ctx->log_userdata);
}
