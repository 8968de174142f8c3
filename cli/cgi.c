/* SPDX-License-Identifier: MIT */
/*
 * `gmhook cgi`: one webhook delivery per process as a CGI/1.1 program
 * (RFC 3875), and the request-to-response logic `gmhook fastcgi` shares.
 * The envelope (method, length, source, headers and the public URL that
 * Twilio and Square sign) comes from the CGI variables and the body from
 * the server; the delivery then runs parse -> validate -> map -> commit
 * and its outcome becomes an HTTP status with a short JSON body. Standard
 * output carries the HTTP response only; diagnostics go to standard
 * error, which is the web server's log.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cgi.h"

extern char **environ;

#define DEFAULT_MAX_BODY (1024 * 1024)
#define MAX_HEADERS      256
#define RETRY_AFTER      60

static const char twiml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                            "<Response></Response>";

/* ---- the response ---- */

/* Append @p s to @p out as a JSON string, whole escapes only. */
static void json_append(char *out, size_t size, const char *s)
{
	size_t n = strlen(out);
	char esc[8];
	size_t len;

	if (n + 2 >= size) {
		return;
	}
	out[n++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\') {
			len = (size_t) snprintf(esc, sizeof(esc), "\\%c", c);
		} else if (c < 0x20) {
			len = (size_t) snprintf(esc, sizeof(esc), "\\u%04x", c);
		} else {
			esc[0] = (char) c;
			len = 1;
		}
		if (n + len + 2 > size - 1) {
			break;
		}
		memcpy(out + n, esc, len);
		n += len;
	}
	out[n++] = '"';
	out[n] = '\0';
}

/* Add `"key": "value"` to the JSON object being built in resp->body. */
static void body_member(struct cgi_response *resp, const char *key,
                        const char *value)
{
	size_t n = strlen(resp->body);

	snprintf(resp->body + n, sizeof(resp->body) - n, "%s",
	         resp->body[1] ? ", " : "");
	json_append(resp->body, sizeof(resp->body), key);
	n = strlen(resp->body);
	snprintf(resp->body + n, sizeof(resp->body) - n, ": ");
	json_append(resp->body, sizeof(resp->body), value);
}

static void body_close(struct cgi_response *resp)
{
	size_t n = strlen(resp->body);

	snprintf(resp->body + n, sizeof(resp->body) - n, "}");
}

/* A response gmhook decides before the library sees the delivery. */
static void respond(struct cgi_response *resp, int status, const char *message)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = status;
	resp->content_type = "application/json";
	strcpy(resp->body, "{");
	body_member(resp, "status", "error");
	body_member(resp, "message", message);
	body_close(resp);
	resp->retry_after = status == 503 ? RETRY_AFTER : 0;
	fprintf(stderr, "gmhook: cgi: %d: %s\n", status, message);
}

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 202:
		return "Accepted";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 405:
		return "Method Not Allowed";
	case 411:
		return "Length Required";
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	case 503:
		return "Service Unavailable";
	default:
		return "Internal Server Error";
	}
}

size_t cgi_response_format(char *out, size_t size,
                           const struct cgi_response *resp)
{
	char extra[64] = "";
	int n;

	if (resp->status == 405) {
		snprintf(extra, sizeof(extra), "Allow: POST\r\n");
	} else if (resp->retry_after) {
		snprintf(extra, sizeof(extra), "Retry-After: %u\r\n",
		         resp->retry_after);
	}
	n = snprintf(out, size,
	             "Status: %d %s\r\n"
	             "Content-Type: %s\r\n"
	             "Content-Length: %zu\r\n"
	             "Cache-Control: no-store\r\n"
	             "%s\r\n%s",
	             resp->status, reason_phrase(resp->status),
	             resp->content_type, strlen(resp->body), extra, resp->body);
	return n < 0 || (size_t) n >= size ? 0 : (size_t) n;
}

/* ---- the request envelope from the CGI variables ---- */

static const char *env_get(char **envp, const char *name)
{
	size_t len = strlen(name);

	for (; envp && *envp; envp++) {
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=') {
			return *envp + len + 1;
		}
	}
	return NULL;
}

static bool is_source_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 32) {
		return false;
	}
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char) s[i]) && s[i] != '-' &&
		    s[i] != '_') {
			return false;
		}
	}
	return true;
}

/* The last segment of PATH_INFO ("/hooks/calendly" gives "calendly"),
 * else the value of source= in the query string. */
static int url_source(char *out, size_t size, char **envp)
{
	const char *path = env_get(envp, "PATH_INFO");
	const char *query = env_get(envp, "QUERY_STRING");
	const char *s = NULL;
	size_t len = 0;

	if (path && path[0] && strcmp(path, "/") != 0) {
		s = strrchr(path, '/');
		s = s ? s + 1 : path;
		len = strlen(s);
	}
	for (; !s && query && *query; query += strcspn(query, "&")) {
		query += *query == '&';
		if (strncmp(query, "source=", 7) == 0) {
			s = query + 7;
			len = strcspn(s, "&");
		}
	}
	if (!s) {
		return 0;
	}
	if (!is_source_name(s, len) || len >= size) {
		return -1;
	}
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/* CONTENT_LENGTH per RFC 3875 §4.1.2: decimal digits only. */
static int content_length(unsigned long long *out, const char *s)
{
	unsigned long long n = 0;

	if (!s || !*s) {
		return 411;
	}
	for (; *s; s++) {
		if (!isdigit((unsigned char) *s)) {
			return 400;
		}
		if (n > (~0ULL - 9) / 10) {
			return 413;
		}
		n = n * 10 + (unsigned long long) (*s - '0');
	}
	*out = n;
	return 0;
}

/* "HTTP_CALENDLY_WEBHOOK_SIGNATURE" -> "Calendly-Webhook-Signature" */
static void header_name(char *out, const char *var, size_t len)
{
	bool word_start = true;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = var[i] == '_' ? '-' : var[i];

		out[i] = (char) (word_start ? toupper((unsigned char) c)
		                            : tolower((unsigned char) c));
		word_start = c == '-';
	}
	out[len] = '\0';
}

/* CGI passes these outside HTTP_*; X-Gmhook-Url is ours alone, so a
 * sender's copy is dropped. */
static bool skipped_header(const char *var, size_t len)
{
	static const char *const skip[] = { "CONTENT_TYPE", "CONTENT_LENGTH",
		                            "X_GMHOOK_URL" };
	size_t i;

	for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
		if (strlen(skip[i]) == len && strncmp(var, skip[i], len) == 0) {
			return true;
		}
	}
	return false;
}

static size_t env_header_count(char **envp, size_t *names_size)
{
	size_t n = 0;
	const char *eq;

	*names_size = 0;
	for (; envp && *envp; envp++) {
		eq = strchr(*envp, '=');
		if (strncmp(*envp, "HTTP_", 5) != 0 || !eq ||
		    skipped_header(*envp + 5, (size_t) (eq - *envp - 5))) {
			continue;
		}
		n++;
		*names_size += (size_t) (eq - *envp - 5) + 1;
	}
	return n;
}

/* The request headers from HTTP_* and CONTENT_TYPE, then X-Gmhook-Url.
 * Values are borrowed from @p envp. */
static int env_headers(struct cgi_request *req, char **envp)
{
	size_t names_size;
	size_t n = env_header_count(envp, &names_size);
	char *name;
	const char *eq;

	if (n > MAX_HEADERS) {
		return 400;
	}
	req->headers = calloc(n + 2, sizeof(*req->headers));
	req->names = malloc(names_size + 1);
	if (!req->headers || !req->names) {
		return 503;
	}
	name = req->names;
	for (; envp && *envp; envp++) {
		eq = strchr(*envp, '=');
		if (strncmp(*envp, "HTTP_", 5) != 0 || !eq ||
		    skipped_header(*envp + 5, (size_t) (eq - *envp - 5))) {
			continue;
		}
		header_name(name, *envp + 5, (size_t) (eq - *envp - 5));
		req->headers[req->n_headers].name = name;
		req->headers[req->n_headers++].value = eq + 1;
		name += strlen(name) + 1;
	}
	if (req->content_type) {
		req->headers[req->n_headers].name = "Content-Type";
		req->headers[req->n_headers++].value = req->content_type;
	}
	req->headers[req->n_headers].name = CGI_URL_HEADER;
	req->headers[req->n_headers++].value = req->url;
	return 0;
}

/* The first element of a comma-separated forwarded list, trimmed. */
static size_t first_element(const char **s)
{
	size_t len;

	*s += strspn(*s, " \t");
	len = strcspn(*s, ",");
	while (len > 0 && ((*s)[len - 1] == ' ' || (*s)[len - 1] == '\t')) {
		len--;
	}
	return len;
}

static const char *url_scheme(char **envp, bool trust_proxy)
{
	const char *fwd =
	        trust_proxy ? env_get(envp, "HTTP_X_FORWARDED_PROTO") : NULL;
	const char *scheme = env_get(envp, "REQUEST_SCHEME");
	const char *https = env_get(envp, "HTTPS");
	size_t len;

	if (fwd) {
		len = first_element(&fwd);
		if (len == 5 && strncasecmp(fwd, "https", 5) == 0) {
			return "https";
		}
		if (len == 4 && strncasecmp(fwd, "http", 4) == 0) {
			return "http";
		}
	}
	if (scheme && (strcasecmp(scheme, "https") == 0 ||
	               strcasecmp(scheme, "http") == 0)) {
		return strcasecmp(scheme, "https") == 0 ? "https" : "http";
	}
	return https && https[0] && strcasecmp(https, "off") != 0 ? "https"
	                                                          : "http";
}

static bool is_host(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char) s[i]) && !strchr(".-_:[]", s[i])) {
			return false;
		}
	}
	return len > 0;
}

static bool has_port(const char *host)
{
	const char *colon = strrchr(host, ':');
	const char *bracket = strrchr(host, ']');

	return colon && (!bracket || colon > bracket);
}

/* Host and port as the sender addressed them: X-Forwarded-Host when
 * trusted, else the Host header, else SERVER_NAME. Debian's nginx passes
 * HTTP_HOST without the port ($host), so a missing port is taken from
 * SERVER_PORT unless it is the scheme's default. */
static int url_host(char *out, size_t size, char **envp, bool trust_proxy,
                    const char *scheme)
{
	const char *host =
	        trust_proxy ? env_get(envp, "HTTP_X_FORWARDED_HOST") : NULL;
	const char *port = env_get(envp, "SERVER_PORT");
	const char *dflt = strcmp(scheme, "https") == 0 ? "443" : "80";
	size_t len;

	if (host && *host) {
		port = NULL;
	} else {
		host = env_get(envp, "HTTP_HOST");
	}
	if (!host || !*host) {
		host = env_get(envp, "SERVER_NAME");
	}
	len = host ? first_element(&host) : 0;
	if (!is_host(host, len) || len + 8 >= size) {
		return -1;
	}
	snprintf(out, size, "%.*s", (int) len, host);
	if (port && *port && strcmp(port, dflt) != 0 && !has_port(out) &&
	    strspn(port, "0123456789") == strlen(port) && strlen(port) < 6) {
		snprintf(out + len, size - len, ":%s", port);
	}
	return 0;
}

/* SCRIPT_NAME and PATH_INFO arrive decoded (RFC 3875 §4.1.5); encode
 * again what RFC 3986 §3.3 does not allow in a path. */
static void append_path(char *out, size_t *n, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s && *s; s++) {
		unsigned char c = (unsigned char) *s;

		if (isalnum(c) || strchr("-._~!$&'()*+,;=:@/", c)) {
			out[(*n)++] = (char) c;
		} else {
			out[(*n)++] = '%';
			out[(*n)++] = hex[c >> 4];
			out[(*n)++] = hex[c & 15];
		}
	}
}

static int build_url(struct cgi_request *req, char **envp, bool trust_proxy)
{
	const char *scheme = url_scheme(envp, trust_proxy);
	const char *script = env_get(envp, "SCRIPT_NAME");
	const char *path = env_get(envp, "PATH_INFO");
	const char *query = env_get(envp, "QUERY_STRING");
	char host[256];
	size_t cap;
	size_t n;

	if (url_host(host, sizeof(host), envp, trust_proxy, scheme) < 0) {
		return 400;
	}
	cap = strlen(scheme) + 3 + strlen(host) + 2 +
	      strlen(query ? query : "") +
	      3 * (strlen(script ? script : "") + strlen(path ? path : ""));
	req->url = malloc(cap + 1);
	if (!req->url) {
		return 503;
	}
	n = (size_t) sprintf(req->url, "%s://%s", scheme, host);
	append_path(req->url, &n, script);
	append_path(req->url, &n, path);
	if (query && *query) {
		n += (size_t) sprintf(req->url + n, "?%s", query);
	}
	req->url[n] = '\0';
	return 0;
}

static size_t body_limit(const struct cli_options *o)
{
	return o->max_body ? (size_t) o->max_body : DEFAULT_MAX_BODY;
}

/* Method, length and source: what can be refused before the body. */
static int read_envelope(struct cgi_request *req, struct cgi_response *resp,
                         char **envp, const struct cli_options *o)
{
	int status;

	req->method = env_get(envp, "REQUEST_METHOD");
	if (!req->method) {
		respond(resp, 500, "the server passed no REQUEST_METHOD");
		return -1;
	}
	if (strcmp(req->method, "POST") != 0) {
		respond(resp, 405, "webhooks are delivered with POST");
		return -1;
	}
	status = content_length(&req->content_length,
	                        env_get(envp, "CONTENT_LENGTH"));
	if (status == 0 && req->content_length > body_limit(o)) {
		status = 413;
	}
	if (status) {
		respond(resp, status,
		        status == 411   ? "Content-Length is required"
		        : status == 400 ? "Content-Length is not a number"
		                        : "the body is larger than the limit");
		return -1;
	}
	if (url_source(req->source, sizeof(req->source), envp) < 0 ||
	    (req->source[0] && o->source && strcmp(o->source, req->source))) {
		respond(resp, 400,
		        "the source named in the URL is not valid here");
		return -1;
	}
	return 0;
}

static void log_url(const char *url)
{
	const char *p = url;
	const char *hit;

	fprintf(stderr, "gmhook: info: cgi: %s ", CGI_URL_HEADER);
	while ((hit = strstr(p, "token=")) != NULL) {
		bool param = hit > url && (hit[-1] == '?' || hit[-1] == '&');

		fwrite(p, 1, (size_t) (hit - p) + 6, stderr);
		p = hit + 6;
		if (param) {
			fputs("(hidden)", stderr);
			p += strcspn(p, "&#");
		}
	}
	fprintf(stderr, "%s\n", p);
}

/* --trust-proxy believes every peer; else the configuration's
 * http.trust_proxy decides by the connecting address. */
static bool proxy_trusted(const struct cgi_server *srv, char **envp)
{
	return srv->o->trust_proxy ||
	       gmhook_ctx_trusts_proxy(srv->ctx, env_get(envp, "REMOTE_ADDR"));
}

/* The rest of the request once the envelope passed and the context
 * exists: content type, public URL and headers. */
static int read_request(struct cgi_request *req, struct cgi_response *resp,
                        char **envp, const struct cgi_server *srv)
{
	const struct cli_options *o = srv->o;
	int status;

	req->content_type = env_get(envp, "CONTENT_TYPE");
	if (req->content_type && !*req->content_type) {
		req->content_type = NULL;
	}
	status = build_url(req, envp, proxy_trusted(srv, envp));
	if (status == 0) {
		status = env_headers(req, envp);
	}
	if (status) {
		respond(resp, status,
		        status == 400 ? "bad Host or too many headers"
		                      : "out of memory");
		return -1;
	}
	/* -v shows the URL source modules verify signatures against, with
	 * any token= value hidden: it may be the source's url_token. */
	if (o->verbosity >= 1) {
		log_url(req->url);
	}
	return 0;
}

/* Never more than CONTENT_LENGTH bytes (RFC 3875 §4.2). */
static int read_body(struct cgi_request *req, struct cgi_response *resp,
                     cgi_read_fn read, void *userdata)
{
	size_t want = (size_t) req->content_length;
	long got;

	req->body = malloc(want + 1);
	if (!req->body) {
		respond(resp, 503, "out of memory");
		return -1;
	}
	while (req->body_len < want) {
		got = read(req->body + req->body_len, want - req->body_len,
		           userdata);
		if (got <= 0) {
			respond(resp, 400,
			        "the body is shorter than Content-Length");
			return -1;
		}
		req->body_len += (size_t) got;
	}
	req->body[req->body_len] = '\0';
	return 0;
}

static void request_finish(struct cgi_request *req)
{
	free(req->url);
	free(req->headers);
	free(req->names);
	free(req->body);
}

/* ---- the delivery through the library ---- */

static int server_context(struct cgi_server *srv, struct gmhook_error *err)
{
	int rc;

	if (srv->ctx) {
		return 0;
	}
	rc = gmhook_ctx_new(&srv->ctx, srv->opts, err);
	if (rc < 0) {
		return rc;
	}
	gmhook_ctx_set_log_fn(srv->ctx, cli_log, cli_log_level(srv->o), NULL);
	cli_set_timezone(srv->o->timezone ? srv->o->timezone
	                                  : gmhook_ctx_timezone(srv->ctx));
	return 0;
}

static int run_delivery(struct gmhook_result **out, struct gmhook_ctx *ctx,
                        const struct gmhook_request *lreq,
                        struct gmhook_error *err)
{
	struct gmhook_event *event = NULL;
	struct gmhook_plan *plan = NULL;
	int rc;

	rc = gmhook_parse(&event, ctx, lreq, err);
	if (rc == 0) {
		rc = gmhook_validate(ctx, event, err);
	}
	if (rc == 0) {
		rc = gmhook_map(&plan, ctx, event, err);
	}
	if (rc == 0) {
		rc = gmhook_commit(out, ctx, plan, err);
	}
	gmhook_plan_free(plan);
	gmhook_event_free(event);
	return rc;
}

static bool is_twilio(const struct cgi_request *req,
                      const struct cli_options *o)
{
	const char *source = req->source[0] ? req->source : o->source;

	return source && strcmp(source, "twilio") == 0;
}

/* 2xx: Twilio reads TwiML from the reply; an empty <Response> sends no
 * message back. Everyone else gets a short JSON summary. */
static void respond_success(struct cgi_response *resp, int status,
                            const char *outcome, const char *accountno,
                            bool twilio)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = status;
	if (twilio) {
		resp->content_type = "text/xml";
		snprintf(resp->body, sizeof(resp->body), "%s", twiml);
		return;
	}
	resp->content_type = "application/json";
	strcpy(resp->body, "{");
	body_member(resp, "status", outcome);
	if (accountno && accountno[0]) {
		body_member(resp, "accountno", accountno);
	}
	body_close(resp);
}

static int http_status(int code)
{
	switch (code) {
	case GMHOOK_EPARSE:
	case GMHOOK_EVALIDATE:
	case GMHOOK_EMAP:
	case GMHOOK_ESOURCE:
		return 400;
	case GMHOOK_ESIGNATURE:
		return 401;
	case GMHOOK_ETOOBIG:
		return 413;
	case GMHOOK_EMEDIATYPE:
		return 415;
	case GMHOOK_EUNAVAIL:
	case GMHOOK_EDB:
	case GMHOOK_ENOMEM:
		return 503;
	default:
		return 500;
	}
}

/* The sender learns what was wrong with its payload; server-side
 * failures get a short message only, the details go to the log. */
static void respond_error(struct cgi_response *resp,
                          const struct gmhook_error *err)
{
	int status = http_status(err->code);

	memset(resp, 0, sizeof(*resp));
	resp->status = status;
	resp->code = err->code;
	resp->content_type = "application/json";
	strcpy(resp->body, "{");
	body_member(resp, "status", "error");
	body_member(resp, "code", gmhook_code_name(err->code));
	if (status < 500) {
		body_member(resp, "stage", gmhook_stage_name(err->stage));
		body_member(resp, "path", err->path);
		body_member(resp, "message", err->message);
	} else if (status == 503) {
		resp->retry_after = RETRY_AFTER;
		body_member(resp, "message",
		            "the event cannot be stored now; retry later");
	} else {
		body_member(resp, "message",
		            err->code == GMHOOK_ECONFIG ? "configuration error"
		                                        : "internal error");
	}
	body_close(resp);
	fprintf(stderr, "gmhook: cgi: %d: %s%s%s%s%s (%s)\n", status,
	        gmhook_stage_name(err->stage),
	        gmhook_stage_name(err->stage)[0] ? ": " : "", err->path,
	        err->path[0] ? ": " : "", err->message,
	        gmhook_code_name(err->code));
}

/* Keep a delivery the database could not take, for `gmhook drain`, in
 * the spool `gmhook run` uses: 0 when spooled (resp is then 202), else a
 * GMHOOK_E* code. */
static int cgi_spool(struct cgi_response *resp, struct cgi_server *srv,
                     const struct gmhook_request *lreq,
                     const struct gmhook_error *cause, bool twilio)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	const char *dir = cli_spool_dir(srv->ctx, srv->o);
	char *name = NULL;
	int rc;

	if (!dir) {
		return GMHOOK_ENOTSUP;
	}
	rc = gmhook_spool_write(&name, srv->ctx, dir, lreq, &err);
	if (rc < 0) {
		fprintf(stderr, "gmhook: cgi: spool: %s (%s)\n", err.message,
		        gmhook_code_name(err.code));
		return rc;
	}
	fprintf(stderr, "gmhook: cgi: 202: %s (%s); spooled as %s/%s\n",
	        cause->message, gmhook_code_name(cause->code), dir, name);
	respond_success(resp, 202, "spooled", NULL, twilio);
	resp->code = cause->code;
	gmhook_free(name);
	return 0;
}

/* The request fields in, a status and body out; @p srv->ctx is made when
 * needed and dropped after an unreachable database, so the next request
 * connects afresh. */
static void respond_delivery(struct cgi_response *resp, struct cgi_server *srv,
                             const struct cgi_request *req)
{
	struct gmhook_request lreq = GMHOOK_REQUEST_INIT;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_result *result = NULL;
	bool twilio = is_twilio(req, srv->o);
	int rc;

	lreq.body = req->body;
	lreq.body_len = req->body_len;
	lreq.content_type = req->content_type;
	lreq.headers = req->headers;
	lreq.n_headers = req->n_headers;
	lreq.source = req->source[0] ? req->source : srv->o->source;
	lreq.received = srv->o->received ? (int64_t) srv->o->received
	                                 : (int64_t) time(NULL);
	rc = server_context(srv, &err);
	if (rc == 0) {
		rc = run_delivery(&result, srv->ctx, &lreq, &err);
	}
	if (rc == 0) {
		respond_success(resp, 200, gmhook_result_status(result),
		                gmhook_result_accountno(result), twilio);
	} else if (!srv->ctx || !cli_spoolable(&err) ||
	           cgi_spool(resp, srv, &lreq, &err, twilio) != 0) {
		respond_error(resp, &err);
	}
	if (rc == GMHOOK_EUNAVAIL) {
		gmhook_ctx_free(srv->ctx);
		srv->ctx = NULL;
	}
	gmhook_result_free(result);
}

/* The context is needed before the URL is rebuilt: the configuration
 * names the trusted proxies. */
void cgi_serve(struct cgi_response *resp, struct cgi_server *srv, char **envp,
               cgi_read_fn read, void *userdata)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct cgi_request req;
	bool ok;

	memset(&req, 0, sizeof(req));
	ok = read_envelope(&req, resp, envp, srv->o) == 0;
	if (ok && server_context(srv, &err) < 0) {
		respond_error(resp, &err);
		ok = false;
	}
	if (ok && read_request(&req, resp, envp, srv) == 0 &&
	    read_body(&req, resp, read, userdata) == 0) {
		respond_delivery(resp, srv, &req);
	}
	request_finish(&req);
}

/* ---- gmhook cgi ---- */

#define DRAIN_MAX (16ULL * 1024 * 1024)

static long read_stdin(void *buf, size_t len, void *userdata)
{
	unsigned long long *consumed = userdata;
	size_t got = fread(buf, 1, len, stdin);

	*consumed += got;
	return (long) got;
}

/* Read what is left of the body, up to CONTENT_LENGTH and DRAIN_MAX
 * bytes: fcgiwrap answers 502 instead of our response when its CGI
 * program exits without reading the body it was given. */
static void drain_stdin(unsigned long long consumed)
{
	const char *length = getenv("CONTENT_LENGTH");
	unsigned long long left;
	char buf[8192];
	size_t want;

	if (!length || strspn(length, "0123456789") != strlen(length)) {
		return;
	}
	left = strtoull(length, NULL, 10);
	left = left > DRAIN_MAX ? DRAIN_MAX : left;
	left = left > consumed ? left - consumed : 0;
	while (left > 0) {
		want = left > sizeof(buf) ? sizeof(buf) : (size_t) left;
		if (fread(buf, 1, want, stdin) != want) {
			break;
		}
		left -= want;
	}
}

int cli_cgi(const struct cli_options *o, const struct gmhook_options *opts)
{
	struct cgi_server srv = { o, opts, NULL };
	unsigned long long consumed = 0;
	struct cgi_response resp;
	char out[sizeof(resp.body) + 512];
	size_t len;

	cgi_serve(&resp, &srv, environ, read_stdin, &consumed);
	gmhook_ctx_free(srv.ctx);
	drain_stdin(consumed);
	len = cgi_response_format(out, sizeof(out), &resp);
	if (len == 0 || fwrite(out, 1, len, stdout) != len ||
	    fflush(stdout) != 0) {
		fprintf(stderr, "gmhook: cgi: cannot write the response\n");
		return 74;
	}
	return 0;
}
