/* SPDX-License-Identifier: MIT */
/*
 * The HTTP front end shared by `gmhook cgi` (cgi.c) and `gmhook fastcgi`
 * (fastcgi.c): a request read from CGI/1.1 variables (RFC 3875) and a
 * body reader, turned into one response (status, headers, short body).
 * Both programs differ only in where the variables, the body and the
 * response travel.
 */
#ifndef GMHOOK_CLI_CGI_H
#define GMHOOK_CLI_CGI_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

/* The header through which the library learns the public URL. */
#define CGI_URL_HEADER "X-Gmhook-Url"

/* What lives across requests: the options and one context. */
struct cgi_server {
	const struct cli_options *o;
	const struct gmhook_options *opts;
	struct gmhook_ctx *ctx; /* NULL until first needed or after a failure */
};

/* The fields of one request. Strings are owned by the request. */
struct cgi_request {
	const char *method;
	char source[33]; /* from the path or ?source=; "" when none */
	const char *content_type;
	unsigned long long content_length;
	char *url; /* the public URL rebuilt from the variables */
	struct gmhook_header *headers;
	char *names; /* storage of the header names */
	size_t n_headers;
	char *body;
	size_t body_len;
};

/* One response: status, the few headers gmhook sends, and the body. */
struct cgi_response {
	int status;
	int code; /* the library's code behind the status, 0 on success */
	const char *content_type;
	unsigned int retry_after; /* seconds; 0: no Retry-After */
	char body[1024];
};

/* Reads up to @p len bytes of the request body; 0 at its end, < 0 on
 * error. */
typedef long (*cgi_read_fn)(void *buf, size_t len, void *userdata);

/* Serve one request whose variables are @p envp ("NAME=value", NULL
 * terminated) and whose body comes from @p read. Always fills @p resp. */
void cgi_serve(struct cgi_response *resp, struct cgi_server *srv, char **envp,
               cgi_read_fn read, void *userdata);

/* Write the CGI response header and body into @p out; returns the
 * length, or 0 when @p size is too small. */
size_t cgi_response_format(char *out, size_t size,
                           const struct cgi_response *resp);

#endif
