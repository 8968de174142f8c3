/* SPDX-License-Identifier: MIT */
/*
 * Twilio Programmable Messaging, form-encoded: an incoming SMS, MMS or
 * WhatsApp message becomes a history row on the contact found by the
 * sender's number (created when unknown); a status callback is ignored
 * unless it failed with error 21610 (the recipient had replied STOP),
 * which is recorded as an SMS opt-out on the contact with that number
 * (libgmhook/mappings/twilio.json, over the record this module fills).
 * X-Twilio-Signature is the base64 HMAC-SHA1, keyed with the auth token,
 * of the public URL followed by the sorted POST parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmhook-private.h"

#define MAP GMHOOK_STAGE_MAP

/* Twilio allows ten media items per message. */
#define MAX_MEDIA 10

static const char signature_header[] = "X-Twilio-Signature";

static int detect(const struct gmhook__delivery *d)
{
	json_object *b = d->body;

	if (gmhook__header(d->req, signature_header) ||
	    gmhook__header(d->req, "I-Twilio-Idempotency-Token")) {
		return 100;
	}
	if (d->format != GMHOOK__FORMAT_FORM ||
	    !gmhook__get_str(b, "/MessageSid")) {
		return 0;
	}
	if (gmhook__get_str(b, "/AccountSid") ||
	    gmhook__get_str(b, "/MessageStatus") ||
	    gmhook__get_str(b, "/SmsStatus")) {
		return 90;
	}
	return 0;
}

/* The delivery status of a callback, NULL for an incoming message. */
static const char *callback_status(json_object *data)
{
	const char *s = gmhook__get_str(data, "/MessageStatus");

	if (!s) {
		s = gmhook__get_str(data, "/SmsStatus");
	}
	if (!s || strcmp(s, "received") == 0) {
		return NULL;
	}
	return s;
}

/* A number without the "whatsapp:" channel prefix. */
static const char *bare_number(const char *s)
{
	if (s && strncmp(s, "whatsapp:", 9) == 0) {
		return s + 9;
	}
	return s;
}

static bool is_whatsapp(json_object *data)
{
	const char *from = gmhook__get_str(data, "/From");

	return from && strncmp(from, "whatsapp:", 9) == 0;
}

static long media_count(json_object *data)
{
	const char *n = gmhook__get_str(data, "/NumMedia");
	long count = n ? strtol(n, NULL, 10) : 0;

	return count < 0 ? 0 : count > MAX_MEDIA ? MAX_MEDIA : count;
}

static void incoming_type(char *out, size_t size, json_object *data)
{
	if (is_whatsapp(data)) {
		snprintf(out, size, "whatsapp.received");
	} else if (media_count(data) > 0) {
		snprintf(out, size, "mms.received");
	} else {
		snprintf(out, size, "sms.received");
	}
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *sid = gmhook__get_str(item->data, "/MessageSid");
	const char *status = callback_status(item->data);
	const char *token =
	        gmhook__header(d->req, "I-Twilio-Idempotency-Token");
	char type[64];
	char id[256];
	char iso[32];

	(void) err;
	if (status) {
		snprintf(type, sizeof(type), "message.%.40s", status);
	} else {
		incoming_type(type, sizeof(type), item->data);
	}
	/* Callbacks of one message share its MessageSid: the status tells
	 * them apart. The idempotency token (stable across Twilio's own
	 * retries) stands in only when the MessageSid is missing. */
	if (sid) {
		snprintf(id, sizeof(id), "%s%s%s", sid, status ? ":" : "",
		         status ? status : "");
	} else if (token) {
		snprintf(id, sizeof(id), "token:%s", token);
	}
	json_object_object_add(item->meta, "type",
	                       json_object_new_string(type));
	if (sid || token) {
		json_object_object_add(item->meta, "id",
		                       json_object_new_string(id));
	}
	/* Twilio's payloads carry no time: the delivery's is the event's. */
	gmhook__time_format_utc(d->req->received ? d->req->received
	                                         : gmhook__now(ctx),
	                        iso, sizeof(iso));
	json_object_object_add(item->meta, "time", json_object_new_string(iso));
	return 0;
}

static int require(const struct gmhook__item *item, const char *pointer,
                   struct gmhook_error *err)
{
	const char *s = gmhook__get_str(item->data, pointer);
	char path[256];

	if (s && s[0]) {
		return 0;
	}
	gmhook__path_join(path, sizeof(path), item->pointer, pointer);
	return gmhook__error_set(err, GMHOOK_EVALIDATE, GMHOOK_STAGE_VALIDATE,
	                         path, "required by Twilio messaging webhooks");
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	const char *status = callback_status(item->data);
	int rc;

	(void) ctx;
	rc = require(item, "/MessageSid", err);
	if (rc == 0 && !status) {
		rc = require(item, "/From", err);
	}
	return rc;
}

static void message_notes(struct gmhook__buf *notes, json_object *data)
{
	const char *body = gmhook__get_str(data, "/Body");
	const char *profile = gmhook__get_str(data, "/ProfileName");
	const char *opt_out = gmhook__get_str(data, "/OptOutType");
	char key[32];
	long i;

	if (body && body[0]) {
		gmhook__buf_addf(notes, "%s\r\n", body);
	}
	for (i = 0; i < media_count(data); i++) {
		const char *url;
		const char *type;

		snprintf(key, sizeof(key), "/MediaUrl%ld", i);
		url = gmhook__get_str(data, key);
		snprintf(key, sizeof(key), "/MediaContentType%ld", i);
		type = gmhook__get_str(data, key);
		if (url) {
			gmhook__buf_addf(notes, "Media: %s%s%s%s\r\n", url,
			                 type ? " (" : "", type ? type : "",
			                 type ? ")" : "");
		}
	}
	if (profile) {
		gmhook__buf_addf(notes, "WhatsApp profile: %s\r\n", profile);
	}
	if (opt_out) {
		gmhook__buf_addf(notes, "Opt-out type: %s\r\n", opt_out);
	}
	gmhook__buf_addf(notes, "Message: %s\r\n",
	                 gmhook__get_str(data, "/MessageSid"));
}

/*
 * The record twilio.json maps. Every event: sid, incoming ("true" for a
 * message received, "false" for a status callback), status (a callback's
 * delivery status), error_code, from and to (the numbers without the
 * "whatsapp:" prefix), when (the delivery's time, ISO 8601 UTC) and
 * new_contacts ("true" when an unknown sender gets a contact, per
 * sms_new_contacts). An incoming message adds the sender as a person
 * (contact, lastname, phone, new_only: a contact named by its number),
 * whatsapp ("true" or "false") and notes (the text, media, WhatsApp
 * profile, opt-out type and MessageSid).
 */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	const char *status = callback_status(item->data);
	const char *from = bare_number(gmhook__get_str(item->data, "/From"));
	const char *to = bare_number(gmhook__get_str(item->data, "/To"));
	struct gmhook__person person = { 0 };
	struct gmhook__buf notes = { 0 };
	int64_t when;
	int rc;

	(void) pb;
	if (!gmhook__time_parse(gmhook__get_str(item->meta, "/time"), &when)) {
		when = gmhook__now(ctx);
	}
	rc = gmhook__record_set(item, "sid",
	                        gmhook__get_str(item->data, "/MessageSid"),
	                        "/MessageSid");
	rc = rc ? rc
	        : gmhook__record_set(item, "incoming",
	                             status ? "false" : "true", NULL);
	rc = rc ? rc : gmhook__record_set(item, "status", status, NULL);
	rc = rc ? rc
	        : gmhook__record_set(item, "error_code",
	                             gmhook__get_str(item->data, "/ErrorCode"),
	                             "/ErrorCode");
	/* The bare numbers are not the payload's text: no "_from". */
	rc = rc ? rc
	        : gmhook__record_set(item, "from",
	                             from && from[0] ? from : NULL, NULL);
	rc = rc ? rc
	        : gmhook__record_set(item, "to", to && to[0] ? to : NULL, NULL);
	rc = rc ? rc : gmhook__record_set_time(item, "when", when);
	rc = rc ? rc
	        : gmhook__record_set(item, "new_contacts",
	                             ctx->sms_new_contacts ? "true" : "false",
	                             NULL);
	if (rc == 0 && !status) {
		/* A contact created for an unknown number gets the number
		 * as its name and PHONE1 (contact1_new); a contact found
		 * keeps its name and phones. */
		person.phone = from;
		person.phone_path = "/From";
		person.name = from;
		person.name_path = "/From";
		person.new_only = true;
		rc = gmhook__record_person(item, &person);
		rc = rc ? rc
		        : gmhook__record_set(item, "whatsapp",
		                             is_whatsapp(item->data) ? "true"
		                                                     : "false",
		                             NULL);
		message_notes(&notes, item->data);
		rc = rc || notes.failed ? -1
		                        : gmhook__record_set(item, "notes",
		                                             notes.data, NULL);
		gmhook__buf_free(&notes);
	}
	return rc ? gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
	                              "out of memory")
	          : 0;
}

/* ==== X-Twilio-Signature ==== */

struct param {
	char *name;
	char *value;
};

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/* Percent-decode @p n bytes of @p s ('+' is a space); a bad escape is
 * kept as it is. Caller frees. */
static char *form_unescape(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t w = 0;
	size_t i;

	if (!out) {
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[w++] = ' ';
		} else if (s[i] == '%' && i + 2 < n &&
		           hex_digit((unsigned char) s[i + 1]) >= 0 &&
		           hex_digit((unsigned char) s[i + 2]) >= 0) {
			out[w++] = (char) (hex_digit((unsigned char) s[i + 1])
			                           << 4 |
			                   hex_digit((unsigned char) s[i + 2]));
			i += 2;
		} else {
			out[w++] = s[i];
		}
	}
	out[w] = '\0';
	return out;
}

static int param_cmp(const void *a, const void *b)
{
	const struct param *x = a;
	const struct param *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

static void params_free(struct param *p, size_t n)
{
	size_t i;

	for (i = 0; p && i < n; i++) {
		free(p[i].name);
		free(p[i].value);
	}
	free(p);
}

/* The body's name=value pairs, decoded, sorted by name then value. */
static bool params_decode(struct param **out, size_t *n_out, const char *raw,
                          size_t len)
{
	struct param *p = NULL;
	size_t n = 0;
	size_t i = 0;

	for (i = 0; i < len; i++) {
		n += raw[i] == '&';
	}
	p = calloc(n + 1, sizeof(*p));
	if (!p) {
		return false;
	}
	for (n = 0, i = 0; i < len;) {
		const char *pair = raw + i;
		const char *amp = memchr(pair, '&', len - i);
		size_t pair_len = amp ? (size_t) (amp - pair) : len - i;
		const char *eq = memchr(pair, '=', pair_len);
		size_t name_len = eq ? (size_t) (eq - pair) : pair_len;

		i += pair_len + 1;
		if (pair_len == 0) {
			continue;
		}
		p[n].name = form_unescape(pair, name_len);
		p[n].value = eq ? form_unescape(eq + 1, pair_len - name_len - 1)
		                : form_unescape("", 0);
		n++;
		if (!p[n - 1].name || !p[n - 1].value) {
			params_free(p, n);
			return false;
		}
	}
	qsort(p, n, sizeof(*p), param_cmp);
	*out = p;
	*n_out = n;
	return true;
}

/* name + value of every parameter in order; exact duplicates once, as
 * Twilio's validators collapse them. */
static void params_string(struct gmhook__buf *out, const struct param *p,
                          size_t n)
{
	size_t i;

	gmhook__buf_add(out, "", 0);
	for (i = 0; i < n; i++) {
		if (i > 0 && param_cmp(&p[i - 1], &p[i]) == 0) {
			continue;
		}
		gmhook__buf_adds(out, p[i].name);
		gmhook__buf_adds(out, p[i].value);
	}
}

/*
 * The URL with its default port toggled (Twilio's validators accept the
 * URL with and without ":443"/":80"); false when not http(s).
 */
static bool url_port_variant(char *out, size_t size, const char *url)
{
	bool https = strncmp(url, "https://", 8) == 0;
	const char *port = https ? ":443" : ":80";
	const char *host;
	size_t host_len;
	size_t port_len = strlen(port);

	if (!https && strncmp(url, "http://", 7) != 0) {
		return false;
	}
	host = url + (https ? 8 : 7);
	host_len = strcspn(host, "/?#");
	if (host_len > port_len &&
	    strncmp(host + host_len - port_len, port, port_len) == 0) {
		snprintf(out, size, "%.*s%s",
		         (int) (host - url + host_len - port_len), url,
		         host + host_len);
	} else {
		snprintf(out, size, "%.*s%s%s", (int) (host - url + host_len),
		         url, port, host + host_len);
	}
	return strlen(out) + 1 < size;
}

static bool mac_matches(const struct gmhook__source_config *cfg,
                        const char *url, const struct gmhook__buf *params,
                        const char *sig)
{
	const void *parts[2] = { url, params->data };
	size_t lens[2] = { strlen(url), params->len };
	unsigned char mac[64];
	size_t mac_len;
	size_t i;

	for (i = 0; i < cfg->n_secrets; i++) {
		mac_len =
		        gmhook__hmac(GMHOOK__SHA1, cfg->secrets[i].key,
		                     cfg->secrets[i].len, parts, lens, 2, mac);
		if (gmhook__mac_equal_base64(mac, mac_len, sig, strlen(sig))) {
			return true;
		}
	}
	return false;
}

/* A JSON body is not in the signed string; its SHA-256 is, as the
 * bodySHA256 query parameter of the URL. */
static bool body_hash_matches(const char *url, const struct gmhook_event *e)
{
	const char *q = strstr(url, "bodySHA256=");
	char hex[65];

	if (!q) {
		return false;
	}
	q += strlen("bodySHA256=");
	gmhook__sha256_hex(e->raw, e->raw_len, hex);
	return strncmp(q, hex, 64) == 0 && strcspn(q, "&#") == 64;
}

/* The string signed after the URL: the sorted form parameters, or
 * nothing for a JSON body. */
static int signed_params(struct gmhook__buf *out, const char *url,
                         const struct gmhook_event *event,
                         struct gmhook_error *err)
{
	const char *format = gmhook__get_str(event->doc, "/format");
	struct param *p = NULL;
	size_t n = 0;

	gmhook__buf_add(out, "", 0);
	if (!format || strcmp(format, "form") != 0) {
		if (!body_hash_matches(url, event)) {
			return gmhook__signature_fail(
			        err, signature_header,
			        "a non-form body needs a matching bodySHA256 in the URL");
		}
		return 0;
	}
	if (!params_decode(&p, &n, (const char *) event->raw, event->raw_len)) {
		return gmhook__error_set(err, GMHOOK_ENOMEM,
		                         GMHOOK_STAGE_VALIDATE, "",
		                         "out of memory");
	}
	params_string(out, p, n);
	params_free(p, n);
	return out->failed ? gmhook__error_set(err, GMHOOK_ENOMEM,
	                                       GMHOOK_STAGE_VALIDATE, "",
	                                       "out of memory")
	                   : 0;
}

static int verify(struct gmhook_ctx *ctx, const struct gmhook_event *event,
                  const struct gmhook__source_config *cfg,
                  struct gmhook_error *err)
{
	const char *sig = gmhook__event_header(event, signature_header);
	const char *url = cfg->public_url;
	struct gmhook__buf params = { 0 };
	char other[2048];
	bool match;
	int rc;

	(void) ctx;
	if (!sig) {
		return gmhook__signature_fail(err, signature_header, "missing");
	}
	if (!url) {
		url = gmhook__event_header(event, "X-Gmhook-Url");
	}
	if (!url) {
		return gmhook__signature_fail(
		        err, signature_header,
		        "the public URL Twilio posts to is unknown; set sources.twilio.public_url");
	}
	rc = signed_params(&params, url, event, err);
	if (rc < 0) {
		gmhook__buf_free(&params);
		return rc;
	}
	match = mac_matches(cfg, url, &params, sig) ||
	        (url_port_variant(other, sizeof(other), url) &&
	         mac_matches(cfg, other, &params, sig));
	gmhook__buf_free(&params);
	if (!match) {
		return gmhook__signature_fail(
		        err, signature_header,
		        "does not match the URL and parameters");
	}
	return 0;
}

const struct gmhook__source gmhook__source_twilio = {
	.name = "twilio",
	.signature =
	        "X-Twilio-Signature base64 HMAC-SHA1 of URL + sorted parameters",
	.actions =
	        "incoming SMS/MMS/WhatsApp -> contact by phone, history SMS/IN; failed 21610 -> history opt-out",
	.description =
	        "Twilio messaging: incoming SMS/MMS/WhatsApp, STOP opt-outs",
	.label = "Twilio SMS",
	.detect = detect,
	.extract = extract,
	.verify = verify,
	.validate = validate,
	.record = record,
	.mapping = "twilio.json",
};
