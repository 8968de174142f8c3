/* SPDX-License-Identifier: MIT */
/*
 * Stage 1, parse: a delivery's bytes, content type and headers become an
 * event. The body is held to the size limit, converted from a declared
 * non-UTF-8 charset, decoded as JSON, urlencoded or multipart form data,
 * and split into events (a JSON array carries several). The source is the
 * caller's or the best detector's; it names each event's type, id and
 * time. The raw bytes are kept unchanged for the signature check.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gmhook-private.h"

#define PARSE GMHOOK_STAGE_PARSE

struct media {
	char type[64];     /* "application/json", lower case */
	char boundary[72]; /* RFC 2046 allows 70 characters */
	char charset[32];
	bool json_body; /* the body starts with '{' or '[' */
};

/* Copy a Content-Type parameter value, unquoting it. */
static void copy_param(char *dst, size_t size, const char *v)
{
	size_t n = 0;
	bool quoted = *v == '"';

	if (quoted) {
		v++;
	}
	while (*v && n + 1 < size) {
		if (quoted ? *v == '"' : (*v == ';' || *v == ' ')) {
			break;
		}
		dst[n++] = *v++;
	}
	dst[n] = '\0';
}

static void parse_media(struct media *m, const char *content_type)
{
	const char *p = content_type;
	size_t n = 0;

	memset(m, 0, sizeof(*m));
	while (*p == ' ' || *p == '\t') {
		p++;
	}
	while (*p && *p != ';' && *p != ' ' && n + 1 < sizeof(m->type)) {
		m->type[n++] = (char) (*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		p++;
	}
	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ' || *p == '\t') {
			p++;
		}
		if (strncasecmp(p, "boundary=", 9) == 0) {
			copy_param(m->boundary, sizeof(m->boundary), p + 9);
		} else if (strncasecmp(p, "charset=", 8) == 0) {
			copy_param(m->charset, sizeof(m->charset), p + 8);
		}
	}
}

static bool starts_like_json(const char *body, size_t len)
{
	size_t i = 0;

	while (i < len && (body[i] == ' ' || body[i] == '\t' ||
	                   body[i] == '\r' || body[i] == '\n')) {
		i++;
	}
	return i < len && (body[i] == '{' || body[i] == '[');
}

/* Guess the media type of a body sent without one. */
static bool guess_media(struct media *m, const char *body, size_t len)
{
	size_t i = 0;

	while (i < len && body[i] != '\0' && strchr(" \t\r\n", body[i])) {
		i++;
	}
	if (i < len && (body[i] == '{' || body[i] == '[')) {
		snprintf(m->type, sizeof(m->type), "application/json");
		return true;
	}
	if (memchr(body, '=', len)) {
		snprintf(m->type, sizeof(m->type),
		         "application/x-www-form-urlencoded");
		return true;
	}
	return false;
}

static int media_format(const struct media *m)
{
	const char *t = m->type;
	size_t n = strlen(t);

	if (strcmp(t, "application/json") == 0 || strcmp(t, "text/json") == 0 ||
	    (n > 5 && strcmp(t + n - 5, "+json") == 0)) {
		return GMHOOK__FORMAT_JSON;
	}
	if (strcmp(t, "application/x-www-form-urlencoded") == 0) {
		return GMHOOK__FORMAT_FORM;
	}
	/* Amazon SNS posts its JSON as text/plain; other text is refused. */
	if (strcmp(t, "text/plain") == 0 && m->json_body) {
		return GMHOOK__FORMAT_JSON;
	}
	if (strcmp(t, "multipart/form-data") == 0) {
		return GMHOOK__FORMAT_MULTIPART;
	}
	return 0;
}

/*
 * Convert a body in a declared charset to UTF-8 with iconv. Returns the
 * new body in *out (caller frees) or leaves *out NULL for UTF-8 bodies.
 */
static int convert_charset(char **out, size_t *out_len, const char *charset,
                           const char *body, size_t len,
                           struct gmhook_error *err)
{
	iconv_t cd;
	char *in = (char *) body;
	size_t in_left = len;
	size_t cap;
	char *buf;
	char *w;
	size_t w_left;
	int rc = 0;

	*out = NULL;
	if (!charset[0] || gmhook__str_ieq(charset, "utf-8") ||
	    gmhook__str_ieq(charset, "utf8") ||
	    gmhook__str_ieq(charset, "us-ascii")) {
		return 0;
	}
	cd = iconv_open("UTF-8", charset);
	if (cd == (iconv_t) -1) {
		return gmhook__error_set(err, GMHOOK_EMEDIATYPE, PARSE, "",
		                         "unsupported charset '%s'", charset);
	}
	cap = len * 4 + 1;
	buf = malloc(cap);
	if (!buf) {
		iconv_close(cd);
		return gmhook__error_set(err, GMHOOK_ENOMEM, PARSE, "",
		                         "out of memory");
	}
	w = buf;
	w_left = cap - 1;
	if (iconv(cd, &in, &in_left, &w, &w_left) == (size_t) -1) {
		rc = gmhook__error_set(err, GMHOOK_EPARSE, PARSE, "",
		                       "byte %zu is not valid %s",
		                       len - in_left, charset);
		free(buf);
	} else {
		*w = '\0';
		*out = buf;
		*out_len = (size_t) (w - buf);
	}
	iconv_close(cd);
	return rc;
}

/* Is @p s (exactly @p n bytes, not NUL-terminated) only white space? */
static bool only_space(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strchr(" \t\r\n", s[i]) || s[i] == '\0') {
			return false;
		}
	}
	return true;
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * A form body in another charset: its non-ASCII bytes may be raw or
 * percent-escaped (%F6). Unescape those, convert the body to UTF-8, and
 * escape every non-ASCII byte again, so the form decoder sees a UTF-8
 * form with '&', '=', '+' and ASCII escapes exactly as sent.
 */
static int transcode_form(char **out, size_t *out_len, const char *charset,
                          const char *body, size_t len,
                          struct gmhook_error *err)
{
	struct gmhook__buf raw = { 0 };
	struct gmhook__buf esc = { 0 };
	char *utf8 = NULL;
	size_t utf8_len = 0;
	size_t i;
	int hi, lo;
	int rc;

	*out = NULL;
	if (!charset[0] || gmhook__str_ieq(charset, "utf-8") ||
	    gmhook__str_ieq(charset, "utf8") ||
	    gmhook__str_ieq(charset, "us-ascii")) {
		return 0;
	}
	for (i = 0; i < len; i++) {
		hi = body[i] == '%' && i + 2 < len
		             ? hex_digit((unsigned char) body[i + 1])
		             : -1;
		lo = hi >= 8 ? hex_digit((unsigned char) body[i + 2]) : -1;
		if (lo >= 0) {
			gmhook__buf_addc(&raw, (char) (hi << 4 | lo));
			i += 2;
		} else {
			gmhook__buf_addc(&raw, body[i]);
		}
	}
	rc = raw.failed
	             ? gmhook__error_set(err, GMHOOK_ENOMEM, PARSE, "",
	                                 "out of memory")
	             : convert_charset(&utf8, &utf8_len, charset,
	                               raw.data ? raw.data : "", raw.len, err);
	for (i = 0; rc == 0 && utf8 && i < utf8_len; i++) {
		if ((unsigned char) utf8[i] >= 0x80) {
			gmhook__buf_addf(&esc, "%%%02X",
			                 (unsigned char) utf8[i]);
		} else {
			gmhook__buf_addc(&esc, utf8[i]);
		}
	}
	if (rc == 0 && utf8) {
		*out_len = esc.len;
		*out = gmhook__buf_steal(&esc);
		rc = *out ? 0
		          : gmhook__error_set(err, GMHOOK_ENOMEM, PARSE, "",
		                              "out of memory");
	}
	free(utf8);
	gmhook__buf_free(&raw);
	gmhook__buf_free(&esc);
	return rc;
}

/* Count the scalar values of a JSON tree, stopping past @p limit. */
static size_t count_fields(json_object *v, size_t limit)
{
	size_t n = 0;
	size_t i;

	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach (v, key, child) {
			(void) key;
			n += count_fields(child,
			                  limit - (n < limit ? n : limit));
			if (n > limit) {
				return n;
			}
		}
		return n;
	}
	if (json_object_is_type(v, json_type_array)) {
		for (i = 0; i < json_object_array_length(v) && n <= limit;
		     i++) {
			n += count_fields(json_object_array_get_idx(v, i),
			                  limit);
		}
		return n;
	}
	return 1;
}

static int decode_json(json_object **out, struct gmhook_ctx *ctx,
                       const char *body, size_t len, struct gmhook_error *err)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	json_object *doc;
	size_t end;
	int rc = 0;

	/* One tokener per context, reset per body: making one per body
	 * was 4 % of parse + validate + map. */
	if (!ctx->tok) {
		ctx->tok = json_tokener_new_ex((int) ctx->opts.max_depth);
	}
	tok = ctx->tok;
	if (!tok) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, PARSE, "",
		                         "out of memory");
	}
	json_tokener_reset(tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	                                    JSON_TOKENER_VALIDATE_UTF8);
	doc = json_tokener_parse_ex(tok, body, (int) len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_reset(tok); /* drops what a failed parse still holds */
	if (!doc && jerr == json_tokener_continue) {
		rc = gmhook__error_set(
		        err, GMHOOK_EPARSE, PARSE, "",
		        "JSON ends early at byte %zu (truncated body?)", len);
	} else if (!doc && jerr == json_tokener_error_depth) {
		rc = gmhook__error_set(
		        err, GMHOOK_ETOOBIG, PARSE, "",
		        "JSON nests deeper than %u levels at byte %zu",
		        ctx->opts.max_depth, end);
	} else if (!doc) {
		rc = gmhook__error_set(err, GMHOOK_EPARSE, PARSE, "",
		                       "invalid JSON at byte %zu: %s", end,
		                       json_tokener_error_desc(jerr));
	} else if (!only_space(body + end, len - end)) {
		rc = gmhook__error_set(
		        err, GMHOOK_EPARSE, PARSE, "",
		        "unexpected data after the JSON value at byte %zu",
		        end);
	} else if (count_fields(doc, ctx->opts.max_fields) >
	           ctx->opts.max_fields) {
		rc = gmhook__error_set(err, GMHOOK_ETOOBIG, PARSE, "",
		                       "more than %u fields",
		                       ctx->opts.max_fields);
	}
	if (rc < 0) {
		json_object_put(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

static int decode_body(json_object **out, struct gmhook_ctx *ctx, int format,
                       const struct media *m, const char *body, size_t len,
                       struct gmhook_error *err)
{
	struct gmhook__limits limits = { ctx->opts.max_depth,
		                         ctx->opts.max_fields };

	switch (format) {
	case GMHOOK__FORMAT_JSON:
		return decode_json(out, ctx, body, len, err);
	case GMHOOK__FORMAT_FORM:
		return gmhook__form_decode(out, body, len, &limits, err);
	default:
		if (!m->boundary[0]) {
			return gmhook__error_set(
			        err, GMHOOK_EPARSE, PARSE, "",
			        "multipart/form-data without a boundary parameter");
		}
		return gmhook__multipart_decode(out, body, len, m->boundary,
		                                &limits, err);
	}
}

/* Does every string and field name of @p v pass check_strings()? The
 * common case, answered without building a path per value. */
static bool strings_valid(json_object *v)
{
	const char *s;
	size_t len;
	size_t i;

	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		len = (size_t) json_object_get_string_len(v);
		return !memchr(s, '\0', len) &&
		       gmhook__utf8_invalid_at(s, len) < 0;
	}
	if (json_object_is_type(v, json_type_array)) {
		for (i = 0; i < json_object_array_length(v); i++) {
			if (!strings_valid(json_object_array_get_idx(v, i))) {
				return false;
			}
		}
		return true;
	}
	if (!json_object_is_type(v, json_type_object)) {
		return true;
	}
	json_object_object_foreach (v, key, child) {
		if (gmhook__utf8_invalid_at(key, strlen(key)) >= 0 ||
		    !strings_valid(child)) {
			return false;
		}
	}
	return true;
}

/*
 * Every decoded string must be valid, shortest-form UTF-8 without NUL
 * bytes: json-c lets overlong forms, surrogates and code points past
 * U+10FFFF through, and a NUL would silently cut the value in every
 * C-string column it reaches.
 */
static int check_strings(json_object *v, char *path, size_t size,
                         struct gmhook_error *err)
{
	size_t mark = strlen(path);
	const char *s;
	size_t len;
	size_t i;
	int rc = 0;

	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		len = (size_t) json_object_get_string_len(v);
		if (memchr(s, '\0', len)) {
			return gmhook__error_set(err, GMHOOK_EPARSE, PARSE,
			                         path,
			                         "a value holds a NUL byte");
		}
		if (gmhook__utf8_invalid_at(s, len) >= 0) {
			return gmhook__error_set(
			        err, GMHOOK_EPARSE, PARSE, path,
			        "invalid UTF-8 at byte %ld of the value",
			        gmhook__utf8_invalid_at(s, len));
		}
		return 0;
	}
	if (json_object_is_type(v, json_type_array)) {
		for (i = 0; rc == 0 && i < json_object_array_length(v); i++) {
			gmhook__path_push_index(path, size, i);
			rc = check_strings(json_object_array_get_idx(v, i),
			                   path, size, err);
			path[mark] = '\0';
		}
		return rc;
	}
	if (!json_object_is_type(v, json_type_object)) {
		return 0;
	}
	json_object_object_foreach (v, key, child) {
		gmhook__path_push(path, size, key);
		if (gmhook__utf8_invalid_at(key, strlen(key)) >= 0) {
			return gmhook__error_set(
			        err, GMHOOK_EPARSE, PARSE, path,
			        "invalid UTF-8 in a field name");
		}
		rc = check_strings(child, path, size, err);
		path[mark] = '\0';
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

static int pick_source(const struct gmhook__source **out,
                       const struct gmhook__delivery *d,
                       struct gmhook_error *err)
{
	const char *name = d->req->source;

	if (name && name[0]) {
		*out = gmhook__source_find(name);
		if (!*out) {
			return gmhook__error_set(
			        err, GMHOOK_ESOURCE, PARSE, "",
			        "unknown source '%s' (see gmhook sources)",
			        name);
		}
		return 0;
	}
	*out = gmhook__source_detect(d);
	if (!*out) {
		return gmhook__error_set(
		        err, GMHOOK_ESOURCE, PARSE, "",
		        "cannot tell which service sent this payload; name it with --source");
	}
	return 0;
}

static json_object *headers_json(const struct gmhook_request *req)
{
	json_object *headers = json_object_new_array();
	size_t i;

	for (i = 0; headers && i < req->n_headers; i++) {
		json_object *pair = json_object_new_array();
		const char *value = req->headers[i].value;

		if (!pair || !req->headers[i].name) {
			json_object_put(pair);
			continue;
		}
		json_object_array_add(
		        pair, json_object_new_string(req->headers[i].name));
		json_object_array_add(
		        pair, json_object_new_string(value ? value : ""));
		json_object_array_add(headers, pair); /* steals pair */
	}
	return headers;
}

/* An event's time must be a real RFC 3339 time; a source that found
 * none, or an absurd one, gets the time the delivery was received. */
static void fix_time(json_object *meta, const struct gmhook__delivery *d,
                     struct gmhook_ctx *ctx)
{
	char iso[32];
	int64_t t;

	if (gmhook__time_parse(gmhook__get_str(meta, "/time"), &t)) {
		return;
	}
	gmhook__time_format_utc(d->req->received ? d->req->received
	                                         : gmhook__now(ctx),
	                        iso, sizeof(iso));
	json_object_object_add(meta, "time", json_object_new_string(iso));
}

/* Run the source's extractor over each event; fill in a body digest for
 * sources whose events carry no id of their own. */
static int extract_events(json_object *events, struct gmhook_ctx *ctx,
                          const struct gmhook__source *src,
                          const struct gmhook__delivery *d,
                          struct gmhook_error *err)
{
	json_object *body = d->body;
	bool many = json_object_is_type(body, json_type_array);
	size_t n = many ? json_object_array_length(body) : 1;
	char pointer[32] = "";
	char digest[65];
	size_t i;
	int rc;

	if (many && n > ctx->opts.max_events) {
		return gmhook__error_set(
		        err, GMHOOK_ETOOBIG, PARSE, "",
		        "%zu events in one delivery; the limit is %u", n,
		        ctx->opts.max_events);
	}
	if (many && n == 0) {
		return gmhook__error_set(err, GMHOOK_EPARSE, PARSE, "",
		                         "the array holds no events");
	}
	digest[0] = '\0';
	for (i = 0; i < n; i++) {
		struct gmhook__item item;
		json_object *meta = json_object_new_object();

		if (!meta) {
			return gmhook__error_set(err, GMHOOK_ENOMEM, PARSE, "",
			                         "out of memory");
		}
		json_object_array_add(events, meta); /* steals meta */
		if (many) {
			snprintf(pointer, sizeof(pointer), "/%zu", i);
		}
		item.data = gmhook__get(body, pointer);
		item.pointer = pointer;
		item.meta = meta;
		if (!json_object_is_type(item.data, json_type_object)) {
			return gmhook__error_set(
			        err, GMHOOK_EPARSE, PARSE, pointer,
			        "an event must be a JSON object");
		}
		json_object_object_add(meta, "pointer",
		                       json_object_new_string(pointer));
		rc = src->extract(ctx, d, &item, err);
		if (rc < 0) {
			return rc;
		}
		fix_time(meta, d, ctx);
		if (!gmhook__get_str(meta, "/id")) {
			char id[128];

			if (!digest[0]) {
				gmhook__sha256_hex(d->req->body,
				                   d->req->body_len, digest);
			}
			snprintf(id, sizeof(id), "sha256:%s%s", digest,
			         pointer);
			json_object_object_add(meta, "id",
			                       json_object_new_string(id));
		}
	}
	return 0;
}

static int build_doc(json_object **out, struct gmhook_ctx *ctx,
                     const struct gmhook__source *src,
                     const struct gmhook__delivery *d, const char *format_name,
                     struct gmhook_error *err)
{
	const struct gmhook_request *req = d->req;
	json_object *doc = json_object_new_object();
	json_object *events = json_object_new_array();
	char received[32];
	int rc = 0;

	if (!doc || !events) {
		rc = gmhook__error_set(err, GMHOOK_ENOMEM, PARSE, "",
		                       "out of memory");
		goto out;
	}
	gmhook__time_format_utc(req->received ? req->received
	                                      : gmhook__now(ctx),
	                        received, sizeof(received));
	json_object_object_add(doc, "gmhook", json_object_new_string("event"));
	json_object_object_add(doc, "version", json_object_new_int(1));
	json_object_object_add(doc, "source",
	                       json_object_new_string(src->name));
	json_object_object_add(doc, "format",
	                       json_object_new_string(format_name));
	json_object_object_add(doc, "content_type",
	                       json_object_new_string(d->media_type));
	json_object_object_add(doc, "received",
	                       json_object_new_string(received));
	json_object_object_add(doc, "headers", headers_json(req));
	/* The base64 form of the body is written by gmhook_event_to_json();
	 * the stages read the bytes from the event itself. */
	json_object_object_add(doc, "raw", NULL);
	/* The doc takes its own reference to the body. */
	json_object_object_add(doc, "body", json_object_get(d->body));
	json_object_object_add(doc, "events", events); /* steals events */
	rc = extract_events(events, ctx, src, d, err);
	events = NULL;
	if (rc < 0) {
		goto out;
	}
	*out = doc;
	doc = NULL;
out:
	json_object_put(events);
	json_object_put(doc);
	return rc;
}

static int check_request(struct gmhook_ctx *ctx,
                         const struct gmhook_request *req,
                         struct gmhook_error *err)
{
	if (!ctx || !req || (!req->body && req->body_len)) {
		return gmhook__error_set(err, GMHOOK_EINVAL, PARSE, "",
		                         "ctx and req must not be NULL");
	}
	if (req->version != GMHOOK_REQUEST_VERSION) {
		return gmhook__error_set(err, GMHOOK_EINVAL, PARSE, "",
		                         "request version %u is not %u",
		                         req->version, GMHOOK_REQUEST_VERSION);
	}
	if (req->body_len > ctx->opts.max_body || req->body_len > INT32_MAX) {
		return gmhook__error_set(
		        err, GMHOOK_ETOOBIG, PARSE, "",
		        "body is %zu bytes; the limit is %llu", req->body_len,
		        (unsigned long long) ctx->opts.max_body);
	}
	if (req->body_len == 0 || only_space(req->body, req->body_len)) {
		return gmhook__error_set(err, GMHOOK_EPARSE, PARSE, "",
		                         "body is empty");
	}
	return 0;
}

static const char *format_name(int format)
{
	switch (format) {
	case GMHOOK__FORMAT_JSON:
		return "json";
	case GMHOOK__FORMAT_FORM:
		return "form";
	default:
		return "multipart";
	}
}

GMHOOK_API int gmhook_parse(struct gmhook_event **out, struct gmhook_ctx *ctx,
                            const struct gmhook_request *req,
                            struct gmhook_error *err)
{
	struct gmhook__delivery d = { 0 };
	const struct gmhook__source *src;
	struct gmhook_event *event = NULL;
	json_object *body = NULL;
	json_object *doc = NULL;
	char *converted = NULL;
	size_t converted_len = 0;
	struct media m;
	int format;
	int rc;

	if (!out) {
		return gmhook__error_set(err, GMHOOK_EINVAL, PARSE, "",
		                         "out is NULL");
	}
	rc = check_request(ctx, req, err);
	if (rc < 0) {
		return rc;
	}
	parse_media(&m, req->content_type ? req->content_type : "");
	if (!m.type[0] && !guess_media(&m, req->body, req->body_len)) {
		return gmhook__error_set(
		        err, GMHOOK_EMEDIATYPE, PARSE, "",
		        "no content type given and the body is neither JSON nor a form; use --content-type");
	}
	m.json_body = starts_like_json(req->body, req->body_len);
	format = media_format(&m);
	if (!format) {
		return gmhook__error_set(
		        err, GMHOOK_EMEDIATYPE, PARSE, "",
		        "unsupported content type '%s' (JSON, urlencoded and multipart/form-data bodies are accepted)",
		        m.type);
	}
	rc = format == GMHOOK__FORMAT_FORM
	             ? transcode_form(&converted, &converted_len, m.charset,
	                              req->body, req->body_len, err)
	             : convert_charset(&converted, &converted_len, m.charset,
	                               req->body, req->body_len, err);
	if (rc < 0) {
		return rc;
	}
	rc = decode_body(&body, ctx, format, &m,
	                 converted ? converted : req->body,
	                 converted ? converted_len : req->body_len, err);
	if (rc == 0 && !strings_valid(body)) {
		char path[256] = "";

		rc = check_strings(body, path, sizeof(path), err);
	}
	if (rc < 0) {
		goto out;
	}
	d.req = req;
	d.format = format;
	d.media_type = m.type;
	d.body = body;
	rc = pick_source(&src, &d, err);
	if (rc < 0) {
		goto out;
	}
	rc = build_doc(&doc, ctx, src, &d, format_name(format), err);
	if (rc < 0) {
		goto out;
	}
	event = calloc(1, sizeof(*event));
	if (event) {
		event->raw = malloc(req->body_len);
	}
	if (!event || !event->raw) {
		rc = gmhook__error_set(err, GMHOOK_ENOMEM, PARSE, "",
		                       "out of memory");
		goto out;
	}
	memcpy(event->raw, req->body, req->body_len);
	event->raw_len = req->body_len;
	event->doc = doc;
	doc = NULL;
	*out = event;
	event = NULL;
	log_debug(ctx, "parsed %zu bytes from %s", req->body_len, src->name);
out:
	gmhook_event_free(event);
	json_object_put(doc);
	json_object_put(body);
	free(converted);
	return rc;
}
