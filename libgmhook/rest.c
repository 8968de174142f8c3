/* SPDX-License-Identifier: MIT */
/*
 * The REST backend of stage 4, commit: when the configuration has a
 * "rest" object, each event of a plan is POSTed to <rest.url>/events
 * instead of being written through ODBC, and the answers become the same
 * result document gmhook_commit() builds. The event's ledger key travels
 * as an Idempotency-Key header, so a retry or a redelivery is applied
 * once by the server. http.c does the HTTP and translates its failures;
 * this file decides what is sent, retries and reads the answers. The
 * request format is documented in docs/rest-backend.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "gmhook-private.h"

#define COMMIT GMHOOK_STAGE_COMMIT

#define EVENTS_PATH        "/events"
#define DEFAULT_KEY_HEADER "X-API-Key"
/* Retries wait 0.5 s, 1 s, 2 s ... up to 30 s; a Retry-After longer
 * than that ends the attempts at once (the spool retries later). */
#define FIRST_DELAY_MS     500L
#define MAX_DELAY_MS       30000L
/* As the ledger (commit.c): longer event ids are sent as their digest. */
#define KEY_ID_MAX         200
#define SOURCE_MAX         64
#define MAX_HEADERS        6

struct rest {
	struct gmhook_ctx *ctx;
	const struct gmhook__rest_config *cfg;
	const char *auth; /* "apikey", "basic" or NULL (none) */
	char *url;        /* <rest.url>/events */
	char *key_line;   /* "<api_key_header>: <key>"; wiped when freed */
	const char *key_header;
	char user_agent[64];
	bool dry_run;
	bool signature_verified; /* the plan's, see struct gmhook_plan */
};

/* One event's request: the headers and the body. */
struct rest_request {
	char idempotency[320];
	const char *headers[MAX_HEADERS];
	json_object *body;
	struct gmhook__http_request http;
};

void gmhook__rest_config_free(struct gmhook__rest_config *rest)
{
	if (!rest) {
		return;
	}
	if (rest->key.key) {
		OPENSSL_cleanse(rest->key.key, rest->key.len);
	}
	free(rest->key.key);
	free(rest->url);
	free(rest->auth);
	free(rest->api_key_header);
	free(rest->user);
	free(rest->ca_file);
	free(rest);
}

/* ==== Settings ==== */

static bool is_token(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		            "0123456789-_.",
		            s[i])) {
			return false;
		}
	}
	return i > 0;
}

static bool is_printable(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e) {
			return false;
		}
	}
	return true;
}

/* Credentials in the URL would reach logs and error messages. */
static bool url_has_userinfo(const char *url)
{
	const char *host = strstr(url, "://");
	size_t len;

	host = host ? host + 3 : url;
	len = strcspn(host, "/?#");
	return memchr(host, '@', len) != NULL;
}

static int check_auth(struct rest *r, struct gmhook_error *err)
{
	const struct gmhook__rest_config *c = r->cfg;

	r->auth = c->auth ? c->auth : (c->key.key ? "apikey" : NULL);
	if (r->auth && !c->key.key) {
		return gmhook__error_set(
		        err, GMHOOK_ECONFIG, COMMIT, "/rest/key",
		        "is required with \"auth\": \"%s\"", r->auth);
	}
	if (r->auth && strcmp(r->auth, "basic") == 0) {
		if (!c->user || !c->user[0] || strchr(c->user, ':')) {
			return gmhook__error_set(
			        err, GMHOOK_ECONFIG, COMMIT, "/rest/user",
			        "is required with \"auth\": \"basic\" and must not contain ':'");
		}
		return 0;
	}
	r->key_header =
	        c->api_key_header ? c->api_key_header : DEFAULT_KEY_HEADER;
	if (!is_token(r->key_header)) {
		return gmhook__error_set(
		        err, GMHOOK_ECONFIG, COMMIT, "/rest/api_key_header",
		        "must be a header name (letters, digits, '-', '_', '.')");
	}
	if (r->auth && !is_printable(c->key.key, c->key.len)) {
		return gmhook__error_set(
		        err, GMHOOK_ECONFIG, COMMIT, "/rest/key",
		        "must be printable ASCII to travel in a header");
	}
	return 0;
}

static int rest_open(struct rest *r, struct gmhook_ctx *ctx,
                     struct gmhook_error *err)
{
	struct gmhook__buf b = { NULL, 0, 0, false };
	const char *url = ctx->rest->url;
	size_t len = strlen(url);
	int rc;

	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	r->cfg = ctx->rest;
	r->dry_run = ctx->opts.dry_run != 0;
	snprintf(r->user_agent, sizeof(r->user_agent), "User-Agent: gmhook/%s",
	         GMHOOK_VERSION_STRING);
	if (url_has_userinfo(url)) {
		return gmhook__error_set(
		        err, GMHOOK_ECONFIG, COMMIT, "/rest/url",
		        "must not contain credentials; use rest.user and rest.key");
	}
	rc = check_auth(r, err);
	if (rc < 0) {
		return rc;
	}
	while (len > 0 && url[len - 1] == '/') {
		len--;
	}
	gmhook__buf_add(&b, url, len);
	gmhook__buf_adds(&b, EVENTS_PATH);
	r->url = gmhook__buf_steal(&b);
	if (r->auth && strcmp(r->auth, "apikey") == 0) {
		gmhook__buf_addf(&b, "%s: ", r->key_header);
		gmhook__buf_add(&b, (const char *) r->cfg->key.key,
		                r->cfg->key.len);
		r->key_line = gmhook__buf_steal(&b);
	}
	if (!r->url ||
	    (r->auth && strcmp(r->auth, "apikey") == 0 && !r->key_line)) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, COMMIT, "",
		                         "out of memory");
	}
	return 0;
}

static void rest_close(struct rest *r)
{
	if (r->key_line) {
		OPENSSL_cleanse(r->key_line, strlen(r->key_line));
	}
	free(r->key_line);
	free(r->url);
}

/* ==== Requests ==== */

static bool id_printable(const char *id)
{
	size_t i;

	for (i = 0; id[i]; i++) {
		if ((unsigned char) id[i] <= 0x20 ||
		    (unsigned char) id[i] > 0x7e) {
			return false;
		}
	}
	return true;
}

/* "Idempotency-Key: <source>:<ledger key>". The ledger key is the event
 * id, or "sha256:<hex>" of it when it is longer than the ledger column
 * (as commit.c stores it) or holds characters a header cannot carry. */
static void idempotency_header(char *out, size_t size, const char *source,
                               const char *id)
{
	char hex[65];

	if (strlen(id) <= KEY_ID_MAX && id_printable(id)) {
		snprintf(out, size, "Idempotency-Key: %s:%s", source, id);
		return;
	}
	gmhook__sha256_hex(id, strlen(id), hex);
	snprintf(out, size, "Idempotency-Key: %s:sha256:%s", source, hex);
}

/* {"source", "event": {"type", "id", "time", "actions"}} */
static json_object *request_body(const char *source, json_object *ev)
{
	static const char *const keys[] = { "type", "id", "time", "actions",
		                            NULL };
	json_object *doc = json_object_new_object();
	json_object *event = json_object_new_object();
	json_object *v = NULL;
	size_t i;

	if (!doc || !event) {
		json_object_put(doc);
		json_object_put(event);
		return NULL;
	}
	json_object_object_add(doc, "source", json_object_new_string(source));
	for (i = 0; keys[i]; i++) {
		if (json_object_object_get_ex(ev, keys[i], &v)) {
			/* The plan keeps its reference; the body takes one. */
			json_object_object_add(event, keys[i],
			                       json_object_get(v));
		}
	}
	json_object_object_add(doc, "event", event); /* steals event */
	return doc;
}

static int request_init(struct rest_request *q, const struct rest *r,
                        const char *source, json_object *ev, const char *id)
{
	size_t n = 0;

	memset(q, 0, sizeof(*q));
	idempotency_header(q->idempotency, sizeof(q->idempotency), source, id);
	q->body = request_body(source, ev);
	if (!q->body) {
		return GMHOOK_ENOMEM;
	}
	q->headers[n++] = "Content-Type: application/json";
	q->headers[n++] = "Accept: application/json";
	q->headers[n++] = r->user_agent;
	q->headers[n++] = q->idempotency;
	if (r->key_line) {
		q->headers[n++] = r->key_line;
	}
	q->http.url = r->url;
	q->http.body = json_object_to_json_string_ext(
	        q->body,
	        JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	q->http.body_len = strlen(q->http.body);
	q->http.headers = q->headers;
	q->http.n_headers = n;
	if (r->auth && strcmp(r->auth, "basic") == 0) {
		q->http.basic_user = r->cfg->user;
		q->http.basic_password = &r->cfg->key;
	}
	q->http.secret = &r->cfg->key;
	q->http.ca_file = r->cfg->ca_file;
	q->http.insecure = r->cfg->insecure;
	q->http.connect_timeout = r->cfg->connect_timeout;
	q->http.timeout = r->cfg->timeout;
	return 0;
}

/* ==== Sending, with retries ==== */

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

/* How long to wait before retry @p attempt (0 for the first), or -1 when
 * the server asks for longer than we wait in one call. */
static long retry_delay(const struct gmhook__http_response *resp,
                        uint32_t attempt)
{
	long ms = FIRST_DELAY_MS;
	uint32_t i;

	if (resp->retry_after > 0) {
		return resp->retry_after > MAX_DELAY_MS / 1000
		               ? -1
		               : resp->retry_after * 1000;
	}
	for (i = 0; i < attempt && ms < MAX_DELAY_MS; i++) {
		ms *= 2;
	}
	return ms < MAX_DELAY_MS ? ms : MAX_DELAY_MS;
}

/* An answer that settles the event: 2xx (committed) or 409 (duplicate). */
static bool settled(long status)
{
	return (status >= 200 && status < 300) || status == 409;
}

static void note_attempts(struct gmhook_error *e, uint32_t attempts)
{
	size_t len = strlen(e->message);

	if (attempts > 1) {
		snprintf(e->message + len, sizeof(e->message) - len,
		         " (gave up after %u attempts)", attempts);
	}
}

/*
 * POST until the event is settled, retrying GMHOOK_EUNAVAIL (connection
 * errors, timeouts, 408, 429, 5xx) up to rest.retries times. @p resp
 * holds the settling answer on success.
 */
static int send_event(struct gmhook__http_response *resp, struct rest *r,
                      const struct rest_request *q, struct gmhook_error *e)
{
	char what[160];
	uint32_t attempt;
	long delay;
	int rc;

	snprintf(what, sizeof(what), "POST %s", r->url);
	for (attempt = 0;; attempt++) {
		rc = gmhook__http_post(resp, r->ctx, &q->http, e);
		if (rc == 0 && settled(resp->status)) {
			return 0;
		}
		if (rc == 0) {
			rc = gmhook__http_status_error(e, &q->http, resp, what);
		}
		delay = retry_delay(resp, attempt);
		gmhook__http_response_clear(resp);
		if (rc != GMHOOK_EUNAVAIL || attempt >= r->cfg->retries ||
		    delay < 0) {
			break;
		}
		log_warn(r->ctx, "%s; retry %u of %u in %ld ms", e->message,
		         attempt + 1, r->cfg->retries, delay);
		sleep_ms(delay);
	}
	note_attempts(e, attempt + 1);
	return rc;
}

/* ==== Result entries ==== */

static json_object *entry_new(json_object *ev)
{
	json_object *entry = json_object_new_object();
	json_object *v = NULL;

	if (!entry) {
		return NULL;
	}
	if (json_object_object_get_ex(ev, "type", &v)) {
		json_object_object_add(entry, "type", json_object_get(v));
	}
	if (json_object_object_get_ex(ev, "id", &v)) {
		json_object_object_add(entry, "id", json_object_get(v));
	}
	if (json_object_object_get_ex(ev, "warnings", &v) &&
	    json_object_is_type(v, json_type_array)) {
		json_object_object_add(entry, "warnings", json_object_get(v));
	} else {
		json_object_object_add(entry, "warnings",
		                       json_object_new_array());
	}
	return entry;
}

/* Copy the server's "accountno" and "records" when it sent them. */
static void entry_settle(json_object *entry,
                         const struct gmhook__http_response *resp)
{
	json_object *answer = json_tokener_parse(resp->body);
	json_object *records = gmhook__get(answer, "/records");
	const char *accountno = gmhook__get_str(answer, "/accountno");
	const char *status = gmhook__get_str(answer, "/status");
	bool duplicate = resp->status == 409 ||
	                 (status && strcmp(status, "duplicate") == 0);

	json_object_object_add(
	        entry, "status",
	        json_object_new_string(duplicate ? "duplicate" : "committed"));
	json_object_object_add(
	        entry, "accountno",
	        json_object_new_string(accountno ? accountno : ""));
	if (json_object_is_type(records, json_type_array)) {
		json_object_object_add(entry, "records",
		                       json_object_get(records));
	} else {
		json_object_object_add(entry, "records",
		                       json_object_new_array());
	}
	json_object_put(answer);
}

/* Dry run: what would be sent, with the credentials left out. */
static int entry_dry_run(json_object *entry, const struct rest *r,
                         const struct rest_request *q)
{
	json_object *requests = json_object_new_array();
	json_object *request = json_object_new_object();
	json_object *headers = json_object_new_object();
	char name[64];
	size_t len;
	size_t i;

	if (!requests || !request || !headers) {
		json_object_put(requests);
		json_object_put(request);
		json_object_put(headers);
		return GMHOOK_ENOMEM;
	}
	for (i = 0; i < q->http.n_headers; i++) {
		len = strcspn(q->headers[i], ":");
		snprintf(name, sizeof(name), "%.*s", (int) len, q->headers[i]);
		json_object_object_add(
		        headers, name,
		        json_object_new_string(q->headers[i] == r->key_line
		                                       ? "(secret)"
		                                       : q->headers[i] + len +
		                                                 2));
	}
	if (q->http.basic_user) {
		json_object_object_add(
		        headers, "Authorization",
		        json_object_new_string("Basic (secret)"));
	}
	json_object_object_add(request, "method",
	                       json_object_new_string("POST"));
	json_object_object_add(request, "url", json_object_new_string(r->url));
	json_object_object_add(request, "headers", headers); /* steals */
	json_object_object_add(request, "body", json_object_get(q->body));
	json_object_array_add(requests, request); /* steals request */
	json_object_object_add(entry, "requests", requests); /* steals */
	json_object_object_add(entry, "status",
	                       json_object_new_string("dry-run"));
	json_object_object_add(entry, "accountno", json_object_new_string(""));
	json_object_object_add(entry, "records", json_object_new_array());
	return 0;
}

/* An event the mapping ignores is not sent. */
static void entry_ignored(json_object *entry, json_object *ev)
{
	json_object *reason = NULL;

	json_object_object_add(entry, "status",
	                       json_object_new_string("ignored"));
	json_object_object_add(entry, "records", json_object_new_array());
	if (json_object_object_get_ex(ev, "reason", &reason)) {
		json_object_object_add(entry, "reason",
		                       json_object_get(reason));
	}
}

/* ==== Events ==== */

static int event_error(struct gmhook_error *err, int code, size_t index,
                       const char *suffix, const char *message)
{
	char path[64];

	snprintf(path, sizeof(path), "/events/%zu%s", index, suffix);
	return gmhook__error_set(err, code, COMMIT, path, "%s", message);
}

/* Send one event (or describe it, in a dry run) and fill @p entry. */
static int send_entry(json_object *entry, struct rest *r, const char *source,
                      json_object *ev, size_t index, struct gmhook_error *err)
{
	struct gmhook_error e = GMHOOK_ERROR_INIT;
	struct gmhook__http_response resp = { 0, NULL, 0, -1 };
	struct rest_request q;
	const char *id = gmhook__get_str(ev, "/id");
	int rc;

	if (!id) {
		return event_error(err, GMHOOK_EMAP, index, "/id",
		                   "the event has no id");
	}
	rc = request_init(&q, r, source, ev, id);
	if (rc < 0) {
		return event_error(err, rc, index, "", "out of memory");
	}
	if (r->dry_run) {
		rc = entry_dry_run(entry, r, &q);
		json_object_put(q.body);
		return rc < 0 ? event_error(err, rc, index, "", "out of memory")
		              : 0;
	}
	rc = send_event(&resp, r, &q, &e);
	json_object_put(q.body);
	if (rc < 0) {
		snprintf(e.path, sizeof(e.path), "/events/%zu", index);
		if (err) {
			*err = e;
		}
		return rc;
	}
	entry_settle(entry, &resp);
	gmhook__http_response_clear(&resp);
	return 0;
}

static int commit_event(json_object **out, struct rest *r, const char *source,
                        json_object *ev, size_t index, struct gmhook_error *err)
{
	const char *status = gmhook__get_str(ev, "/status");
	json_object *entry = entry_new(ev);
	int rc = 0;

	if (!entry) {
		return event_error(err, GMHOOK_ENOMEM, index, "",
		                   "out of memory");
	}
	if (status && strcmp(status, "ignored") == 0) {
		entry_ignored(entry, ev);
	} else if (status && strcmp(status, "confirm") == 0) {
		/* A GET to SNS; the REST API has nothing to store. */
		json_object_object_add(entry, "records",
		                       json_object_new_array());
		rc = gmhook__sns_confirm(entry, r->ctx, ev,
		                         r->signature_verified, r->dry_run,
		                         err);
	} else {
		rc = send_entry(entry, r, source, ev, index, err);
	}
	if (rc < 0) {
		json_object_put(entry);
		return rc;
	}
	*out = entry;
	return 0;
}

static int commit_all(struct rest *r, const struct gmhook_plan *plan,
                      json_object *out_events, struct gmhook_error *err)
{
	json_object *events = gmhook__get(plan->doc, "/events");
	const char *source = gmhook__get_str(plan->doc, "/source");
	json_object *entry;
	size_t i;
	int rc;

	if (!source || strlen(source) > SOURCE_MAX || !is_token(source)) {
		return gmhook__error_set(err, GMHOOK_EMAP, COMMIT, "/source",
		                         "the plan names no valid source");
	}
	r->signature_verified = plan->signature_verified;
	if (!json_object_is_type(events, json_type_array)) {
		return gmhook__error_set(err, GMHOOK_EMAP, COMMIT, "/events",
		                         "must be an array");
	}
	for (i = 0; i < json_object_array_length(events); i++) {
		entry = NULL;
		rc = commit_event(&entry, r, source,
		                  json_object_array_get_idx(events, i), i, err);
		if (rc < 0) {
			return rc;
		}
		json_object_array_add(out_events, entry); /* steals entry */
	}
	return 0;
}

/* As commit.c: one status for the whole delivery, or "mixed". */
static const char *overall_status(json_object *events)
{
	const char *first = NULL;
	size_t i;

	for (i = 0; i < json_object_array_length(events); i++) {
		const char *s = gmhook__get_str(
		        json_object_array_get_idx(events, i), "/status");

		if (!first) {
			first = s;
		} else if (s && strcmp(s, first) != 0) {
			return "mixed";
		}
	}
	return first ? first : "ignored";
}

int gmhook__rest_commit(struct gmhook_result **out, struct gmhook_ctx *ctx,
                        const struct gmhook_plan *plan,
                        struct gmhook_error *err)
{
	struct gmhook_result *result = NULL;
	json_object *doc = NULL;
	json_object *events = NULL;
	struct rest r;
	int rc;

	rc = rest_open(&r, ctx, err);
	if (rc < 0) {
		goto out;
	}
	doc = json_object_new_object();
	events = json_object_new_array();
	result = calloc(1, sizeof(*result));
	if (!doc || !events || !result) {
		json_object_put(events);
		rc = gmhook__error_set(err, GMHOOK_ENOMEM, COMMIT, "",
		                       "out of memory");
		goto out;
	}
	json_object_object_add(doc, "gmhook", json_object_new_string("result"));
	json_object_object_add(doc, "version", json_object_new_int(1));
	json_object_object_add(doc, "events", events); /* steals events */
	rc = commit_all(&r, plan, events, err);
	if (rc < 0) {
		goto out;
	}
	json_object_object_add(doc, "status",
	                       json_object_new_string(overall_status(events)));
	json_object_object_add(
	        doc, "accountno",
	        json_object_get(gmhook__get(doc, "/events/0/accountno")));
	result->doc = doc;
	doc = NULL;
	*out = result;
	result = NULL;
out:
	rest_close(&r);
	json_object_put(doc);
	free(result);
	return rc;
}
