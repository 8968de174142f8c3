/* SPDX-License-Identifier: MIT */
/*
 * HTTP for stage 4, commit: one POST with libcurl for the REST backend,
 * one GET for an SNS subscription confirmation, and the translation of
 * every CURLcode and HTTP status into a struct gmhook_error. This is the
 * only file that includes <curl/curl.h>; rest.c and amazon_ses.c decide
 * what to send and what an answer means. TLS is verified unless the
 * configuration says "insecure", redirects are never followed, and
 * answers are bounded in size.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "gmhook-private.h"

#define COMMIT GMHOOK_STAGE_COMMIT

/* libcurl's soname since 7.16; its ABI has not changed since. */
#define LIBCURL_SONAME "libcurl.so.4"

/*
 * libcurl is loaded on the first POST, not linked: with its TLS, SSH,
 * LDAP and Kerberos libraries it was most of the start-up time and of the
 * resident memory of a process that commits one event over ODBC, which
 * never uses it. Only the REST backend pays for it.
 */
static struct curl_api {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode cc);
	struct curl_slist *(*slist_append)(struct curl_slist *list,
	                                   const char *s);
	void (*slist_free_all)(struct curl_slist *list);
	bool loaded;
	char why[160]; /* dlerror() when the library or a symbol is missing */
} curl;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

/* dlsym() returns an object pointer; POSIX guarantees it converts to a
 * function pointer, which ISO C does not say, hence the memcpy. */
static bool bind_symbol(void *lib, const char *name, void *fn, size_t size)
{
	void *sym = dlsym(lib, name);

	if (!sym) {
		return false;
	}
	memcpy(fn, &sym, size);
	return true;
}

#define BIND(lib, name, field) \
	bind_symbol(lib, name, &curl.field, sizeof(curl.field))

static void load_curl(void)
{
	void *lib = dlopen(LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *why;

	curl.loaded = lib && BIND(lib, "curl_global_init", global_init) &&
	              BIND(lib, "curl_global_cleanup", global_cleanup) &&
	              BIND(lib, "curl_easy_init", easy_init) &&
	              BIND(lib, "curl_easy_setopt", easy_setopt) &&
	              BIND(lib, "curl_easy_perform", easy_perform) &&
	              BIND(lib, "curl_easy_getinfo", easy_getinfo) &&
	              BIND(lib, "curl_easy_cleanup", easy_cleanup) &&
	              BIND(lib, "curl_easy_strerror", easy_strerror) &&
	              BIND(lib, "curl_slist_append", slist_append) &&
	              BIND(lib, "curl_slist_free_all", slist_free_all);
	if (!curl.loaded) {
		why = dlerror();
		snprintf(curl.why, sizeof(curl.why), "%s",
		         why ? why : LIBCURL_SONAME);
	}
	/* The library stays loaded until exit, as a linked one would. */
}

#undef BIND

/* Longest piece of a server's message copied into an error, in bytes. */
#define SERVER_TEXT_MAX 160

struct sink {
	struct gmhook__buf buf;
	size_t max;
	bool too_big;
};

static size_t sink_write(char *data, size_t size, size_t n, void *userdata)
{
	struct sink *s = userdata;
	size_t len = size * n; /* libcurl promises size == 1 */

	if (s->buf.len + len > s->max) {
		s->too_big = true;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	gmhook__buf_add(&s->buf, data, len);
	return s->buf.failed ? 0 : len;
}

/* The gmhook code for a transport failure. */
static int curl_code(CURLcode cc, const struct sink *s)
{
	switch (cc) {
	case CURLE_OUT_OF_MEMORY:
		return GMHOOK_ENOMEM;
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (s->buf.failed) {
			return GMHOOK_ENOMEM;
		}
		return s->too_big ? GMHOOK_ETOOBIG : GMHOOK_EUNAVAIL;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_UNKNOWN_OPTION:
	case CURLE_FUNCTION_NOT_FOUND:
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_LOGIN_DENIED:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return GMHOOK_ECONFIG;
	default:
		/* Connect, resolve, timeout, send, receive, TLS handshake and
		 * anything unforeseen: the event may pass later, so it is
		 * retried and spooled rather than dropped. */
		return GMHOOK_EUNAVAIL;
	}
}

static CURLcode set_options(CURL *h, const struct gmhook__http_request *req,
                            bool post, struct curl_slist *headers,
                            struct sink *s, char *errbuf, const char *password)
{
	CURLcode cc = CURLE_OK;

#define SET(opt, val)                                       \
	do {                                                \
		if (cc == CURLE_OK) {                       \
			cc = curl.easy_setopt(h, opt, val); \
		}                                           \
	} while (0)
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_URL, req->url);
	/* Never a signal from a resolver timeout: we live in other
	 * people's processes (CGI, FastCGI, library callers). */
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, req->insecure ? "http,https" : "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, req->insecure ? 0L : 1L);
	SET(CURLOPT_SSL_VERIFYHOST, req->insecure ? 0L : 2L);
	if (req->ca_file) {
		SET(CURLOPT_CAINFO, req->ca_file);
	}
	SET(CURLOPT_CONNECTTIMEOUT, (long) req->connect_timeout);
	SET(CURLOPT_TIMEOUT, (long) req->timeout);
	if (post) {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDS, req->body);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_len);
	} else {
		SET(CURLOPT_HTTPGET, 1L);
	}
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) s->max);
	SET(CURLOPT_WRITEFUNCTION, sink_write);
	SET(CURLOPT_WRITEDATA, s);
	if (post && req->basic_user && password) {
		SET(CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
		SET(CURLOPT_USERNAME, req->basic_user);
		SET(CURLOPT_PASSWORD, password);
	}
#undef SET
	return cc;
}

static struct curl_slist *header_list(const struct gmhook__http_request *req)
{
	struct curl_slist *list = NULL;
	struct curl_slist *next;
	size_t i;

	for (i = 0; i < req->n_headers; i++) {
		next = curl.slist_append(list, req->headers[i]);
		if (!next) {
			curl.slist_free_all(list);
			return NULL;
		}
		list = next;
	}
	/* libcurl would otherwise ask large bodies for 100-continue and
	 * wait a second for servers that never answer it. */
	next = curl.slist_append(list, "Expect:");
	if (!next) {
		curl.slist_free_all(list);
	}
	return next;
}

/* A NUL-terminated copy of the Basic password, wiped by the caller. */
static char *password_copy(const struct gmhook__http_request *req)
{
	const struct gmhook__secret *p = req->basic_password;
	char *copy;

	if (!req->basic_user || !p || !p->key) {
		return NULL;
	}
	copy = malloc(p->len + 1);
	if (copy) {
		memcpy(copy, p->key, p->len);
		copy[p->len] = '\0';
	}
	return copy;
}

static const char *shown_url(const struct gmhook__http_request *req)
{
	return req->shown_url ? req->shown_url : req->url;
}

/*
 * Where to look after a TLS failure; "" for other failures. Short: the
 * URL and libcurl's reason come first in a 256-byte message.
 */
static const char *tls_advice(CURLcode cc,
                              const struct gmhook__http_request *req)
{
	/* Requests with a shown URL are not the REST backend's (an SNS
	 * confirmation, whose URL hides its token). */
	bool rest = !req->shown_url;

	switch (cc) {
	case CURLE_PEER_FAILED_VERIFICATION:
		return rest ? " (TLS verification failed: see rest.ca_file and rest.url)"
		            : " (TLS verification failed)";
	case CURLE_SSL_CACERT_BADFILE:
		return rest ? " (rest.ca_file holds no usable CA certificate)"
		            : " (the CA file holds no usable CA certificate)";
	default:
		return "";
	}
}

static int transport_error(struct gmhook_error *err, CURLcode cc,
                           const struct sink *s, const char *errbuf,
                           const struct gmhook__http_request *req,
                           const char *method)
{
	int code = curl_code(cc, s);

	if (code == GMHOOK_ETOOBIG) {
		gmhook__error_set(err, code, COMMIT, "",
		                  "%s %s: the answer is larger than %zu bytes",
		                  method, shown_url(req), s->max);
	} else {
		/* libcurl's message may quote the URL: only the shown form
		 * is allowed out. */
		gmhook__error_set(err, code, COMMIT, "", "%s %s: %s%s", method,
		                  shown_url(req),
		                  req->shown_url || !errbuf[0]
		                          ? curl.easy_strerror(cc)
		                          : errbuf,
		                  tls_advice(cc, req));
	}
	if (err) {
		err->native = (long) cc;
	}
	return code;
}

static void read_answer(struct gmhook__http_response *out, CURL *h,
                        struct sink *s)
{
	curl_off_t retry_after = -1;

	(void) curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	if (curl.easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) !=
	            CURLE_OK ||
	    retry_after == 0) {
		/* libcurl reports 0 both for "Retry-After: 0" and for no
		 * header; either way there is nothing to wait for. */
		retry_after = -1;
	}
	out->retry_after = (long) retry_after;
	gmhook__buf_add(&s->buf, "", 0);
	out->body_len = s->buf.len;
	out->body = gmhook__buf_steal(&s->buf);
}

static int perform(struct gmhook__http_response *out, struct gmhook_ctx *ctx,
                   const struct gmhook__http_request *req, bool post,
                   struct gmhook_error *err)
{
	const char *method = post ? "POST" : "GET";
	char errbuf[CURL_ERROR_SIZE] = "";
	struct sink s = { { NULL, 0, 0, false }, 0, false };
	struct curl_slist *headers = NULL;
	char *password = NULL;
	CURL *h = NULL;
	CURLcode cc;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->retry_after = -1;
	s.max = req->max_body ? req->max_body : GMHOOK__HTTP_MAX_BODY;
	/* TODO: keep one handle per context; each event now opens its own
	 * connection and TLS session, which costs a round trip or two per
	 * event of a multi-event delivery. */
	/* Global init and cleanup are reference-counted, and thread-safe
	 * from libcurl 7.84 on (CURL_VERSION_THREADSAFE). */
	pthread_once(&curl_once, load_curl);
	if (!curl.loaded) {
		return gmhook__error_set(err, GMHOOK_EUNAVAIL, COMMIT, "",
		                         "libcurl cannot be loaded: %s",
		                         curl.why);
	}
	if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		return gmhook__error_set(err, GMHOOK_EUNAVAIL, COMMIT, "",
		                         "libcurl cannot be initialised");
	}
	h = curl.easy_init();
	headers = header_list(req);
	password = post ? password_copy(req) : NULL;
	if (!h || !headers || (post && req->basic_user && !password)) {
		rc = gmhook__error_set(err, GMHOOK_ENOMEM, COMMIT, "",
		                       "out of memory");
		goto out;
	}
	cc = set_options(h, req, post, headers, &s, errbuf, password);
	if (cc == CURLE_OK && req->insecure) {
		/* Never silently: a setting for tests that must not slip
		 * into production unnoticed. */
		log_warn(
		        ctx,
		        "%s %s: rest.insecure is true: the server's TLS certificate and host name are not verified",
		        method, shown_url(req));
	}
	if (cc == CURLE_OK) {
		log_debug(ctx, "%s %s (%zu bytes)", method, shown_url(req),
		          post ? req->body_len : 0);
		cc = curl.easy_perform(h);
	}
	if (cc != CURLE_OK) {
		rc = transport_error(err, cc, &s, errbuf, req, method);
		goto out;
	}
	read_answer(out, h, &s);
	if (!out->body) {
		rc = gmhook__error_set(err, GMHOOK_ENOMEM, COMMIT, "",
		                       "out of memory");
		goto out;
	}
	log_debug(ctx, "%s %s: HTTP %ld", method, shown_url(req), out->status);
out:
	if (password) {
		OPENSSL_cleanse(password, strlen(password));
	}
	free(password);
	gmhook__buf_free(&s.buf);
	curl.slist_free_all(headers);
	curl.easy_cleanup(h);
	curl.global_cleanup();
	if (rc < 0) {
		gmhook__http_response_clear(out);
	}
	return rc;
}

int gmhook__http_post(struct gmhook__http_response *out, struct gmhook_ctx *ctx,
                      const struct gmhook__http_request *req,
                      struct gmhook_error *err)
{
	return perform(out, ctx, req, true, err);
}

int gmhook__http_get(struct gmhook__http_response *out, struct gmhook_ctx *ctx,
                     const struct gmhook__http_request *req,
                     struct gmhook_error *err)
{
	return perform(out, ctx, req, false, err);
}

void gmhook__http_response_clear(struct gmhook__http_response *resp)
{
	if (!resp) {
		return;
	}
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
	resp->status = 0;
	resp->retry_after = -1;
}

/* ==== Statuses ==== */

/* Overwrite every occurrence of @p secret in @p text with '*'. */
static void scrub(char *text, const struct gmhook__secret *secret)
{
	size_t len = strlen(text);
	size_t i;

	if (!secret || !secret->key || secret->len == 0) {
		return;
	}
	for (i = 0; i + secret->len <= len; i++) {
		if (memcmp(text + i, secret->key, secret->len) == 0) {
			memset(text + i, '*', secret->len);
			i += secret->len - 1;
		}
	}
}

/* The server's explanation: "message" or "error" of a JSON object (or
 * "error"."message"), else the body as text. Borrowed from @p doc or
 * @p resp. */
static const char *server_text(json_object **doc,
                               const struct gmhook__http_response *resp)
{
	static const char *const keys[] = { "/message",       "/error",
		                            "/error/message", "/detail",
		                            "/title",         NULL };
	const char *s;
	size_t i;

	*doc = json_tokener_parse(resp->body ? resp->body : "");
	for (i = 0; *doc && keys[i]; i++) {
		s = gmhook__get_str(*doc, keys[i]);
		if (s && s[0]) {
			return s;
		}
	}
	return resp->body ? resp->body : "";
}

/* Copy @p text into @p out (size SERVER_TEXT_MAX + 1): controls become
 * spaces, secrets are scrubbed, and the cut falls on a character. */
static void server_excerpt(char *out, const char *text,
                           const struct gmhook__http_request *req)
{
	char *copy = gmhook__strdup(text);
	size_t cut;
	long bad;
	size_t i;

	out[0] = '\0';
	if (!copy) {
		return;
	}
	for (i = 0; copy[i]; i++) {
		if ((unsigned char) copy[i] < 0x20 || copy[i] == 0x7f) {
			copy[i] = ' ';
		}
	}
	scrub(copy, req->secret);
	scrub(copy, req->basic_password);
	bad = gmhook__utf8_invalid_at(copy, strlen(copy));
	if (bad >= 0) {
		copy[bad] = '\0';
	}
	cut = gmhook__utf8_prefix(copy, SERVER_TEXT_MAX / 4);
	snprintf(out, SERVER_TEXT_MAX + 1, "%.*s", (int) cut, copy);
	OPENSSL_cleanse(copy, strlen(copy));
	free(copy);
}

static int status_code(long status)
{
	if (status == 401 || status == 403) {
		return GMHOOK_ECONFIG;
	}
	if (status == 408 || status == 429 || (status >= 500 && status < 600)) {
		return GMHOOK_EUNAVAIL;
	}
	if (status >= 300 && status < 400) {
		return GMHOOK_ECONFIG;
	}
	return GMHOOK_EMAP;
}

int gmhook__http_status_error(struct gmhook_error *err,
                              const struct gmhook__http_request *req,
                              const struct gmhook__http_response *resp,
                              const char *what)
{
	char excerpt[SERVER_TEXT_MAX + 1];
	json_object *doc = NULL;
	int code = status_code(resp->status);

	if (code == GMHOOK_ECONFIG && resp->status < 400) {
		gmhook__error_set(
		        err, code, COMMIT, "",
		        "%s: the REST API answered with a redirect (HTTP %ld), which gmhook does not follow: check rest.url",
		        what, resp->status);
	} else if (code == GMHOOK_ECONFIG) {
		gmhook__error_set(
		        err, code, COMMIT, "",
		        "%s: the REST API refused gmhook's credentials (HTTP %ld): check rest.auth, rest.user and rest.key",
		        what, resp->status);
	} else if (code == GMHOOK_EUNAVAIL) {
		gmhook__error_set(err, code, COMMIT, "",
		                  "%s: the REST API is unavailable (HTTP %ld)",
		                  what, resp->status);
	} else {
		server_excerpt(excerpt, server_text(&doc, resp), req);
		gmhook__error_set(
		        err, code, COMMIT, "",
		        "%s: the REST API refused the event (HTTP %ld): %s",
		        what, resp->status,
		        excerpt[0] ? excerpt : "no reason given");
	}
	json_object_put(doc);
	if (err) {
		err->native = resp->status;
	}
	return code;
}
