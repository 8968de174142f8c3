/* SPDX-License-Identifier: MIT */
/*
 * SendGrid Event Webhook: a JSON array of events, each its own event with
 * its sg_event_id as the de-duplication key. Hard bounces (and drops of
 * known bounced addresses) remove the address's e-mail rows, unsubscribes
 * and spam reports strip the campaign merge code; each leaves a history
 * row. Signed deliveries carry an ECDSA P-256 signature over the
 * timestamp header and the raw body, checked with the configured public
 * key; delivery, open and click events are ignored.
 *
 * The module reads an event into a record; the built-in mapping file
 * mappings/campaigns.json turns it into GoldMine actions.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "gmhook-private.h"

#define MAP      GMHOOK_STAGE_MAP
#define VALIDATE GMHOOK_STAGE_VALIDATE

#define SIGNATURE_HEADER "X-Twilio-Email-Event-Webhook-Signature"
#define TIMESTAMP_HEADER "X-Twilio-Email-Event-Webhook-Timestamp"

enum outcome {
	OUTCOME_NONE = -1,
	OUTCOME_UNSUBSCRIBE,
	OUTCOME_BOUNCE,
	OUTCOME_COMPLAINT,
};

static bool str_is(const char *s, const char *value)
{
	return s && strcmp(s, value) == 0;
}

/* What an event means for GoldMine (OUTCOME_NONE: nothing). */
static int outcome_of(json_object *data)
{
	const char *event = gmhook__get_str(data, "/event");
	const char *type = gmhook__get_str(data, "/type");
	const char *reason = gmhook__get_str(data, "/reason");

	/* "blocked" bounces are temporary; old bounces carry no type. */
	if (str_is(event, "bounce")) {
		return !type || str_is(type, "bounce") ? OUTCOME_BOUNCE
		                                       : OUTCOME_NONE;
	}
	if (str_is(event, "dropped")) {
		if (str_is(reason, "Bounced Address")) {
			return OUTCOME_BOUNCE;
		}
		if (str_is(reason, "Unsubscribed Address")) {
			return OUTCOME_UNSUBSCRIBE;
		}
		if (str_is(reason, "Spam Reporting Address")) {
			return OUTCOME_COMPLAINT;
		}
		return OUTCOME_NONE;
	}
	if (str_is(event, "unsubscribe") ||
	    str_is(event, "group_unsubscribe")) {
		return OUTCOME_UNSUBSCRIBE;
	}
	if (str_is(event, "spamreport")) {
		return OUTCOME_COMPLAINT;
	}
	return OUTCOME_NONE;
}

static bool looks_like_event(json_object *v)
{
	return json_object_is_type(v, json_type_object) &&
	       gmhook__get_str(v, "/event") &&
	       (gmhook__get_str(v, "/sg_event_id") ||
	        gmhook__get_str(v, "/sg_message_id"));
}

static int detect(const struct gmhook__delivery *d)
{
	const char *ua = gmhook__header(d->req, "User-Agent");

	if (gmhook__header(d->req, SIGNATURE_HEADER) ||
	    (ua && strstr(ua, "SendGrid"))) {
		return 100;
	}
	if (d->format != GMHOOK__FORMAT_JSON) {
		return 0;
	}
	if (json_object_is_type(d->body, json_type_array)) {
		return looks_like_event(json_object_array_get_idx(d->body, 0))
		               ? 90
		               : 0;
	}
	return looks_like_event(d->body) ? 70 : 0;
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *type = gmhook__get_str(item->data, "/event");
	const char *id = gmhook__get_str(item->data, "/sg_event_id");
	json_object *ts = gmhook__get(item->data, "/timestamp");
	char iso[32];

	(void) ctx;
	(void) d;
	(void) err;
	json_object_object_add(item->meta, "type",
	                       json_object_new_string(type ? type : "unknown"));
	if (id) {
		json_object_object_add(item->meta, "id",
		                       json_object_new_string(id));
	}
	if (json_object_is_type(ts, json_type_int)) {
		gmhook__time_format_utc(json_object_get_int64(ts), iso,
		                        sizeof(iso));
		json_object_object_add(item->meta, "time",
		                       json_object_new_string(iso));
	}
	return 0;
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	(void) ctx;
	if (outcome_of(item->data) == OUTCOME_NONE) {
		return 0;
	}
	return gmhook__validate_email(item, "/email", true, err);
}

/* The event's notes: provider, address, reason and SendGrid's details. */
static void event_notes(struct gmhook__buf *notes, json_object *data)
{
	static const char *const keys[] = {
		"event",        "type",          "reason", "status",
		"asm_group_id", "sg_message_id", NULL
	};
	size_t i;

	gmhook__buf_adds(notes, "Provider: SendGrid\r\n");
	gmhook__buf_addf(notes, "Address: %s\r\n",
	                 gmhook__get_str(data, "/email"));
	for (i = 0; keys[i]; i++) {
		json_object *v = NULL;

		if (!json_object_object_get_ex(data, keys[i], &v) || !v ||
		    json_object_is_type(v, json_type_null)) {
			continue;
		}
		gmhook__buf_addf(notes, "%s: %s\r\n", keys[i],
		                 json_object_get_string(v));
	}
}

/* The record campaigns.json maps: outcome, address, when and notes
 * (gmhook__record_suppress); other events leave it empty. */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	int outcome = outcome_of(item->data);
	json_object *ts = gmhook__get(item->data, "/timestamp");
	struct gmhook__buf notes = { 0 };
	int64_t when;
	int rc;

	(void) pb;
	if (outcome == OUTCOME_NONE) {
		return 0;
	}
	when = json_object_is_type(ts, json_type_int)
	               ? json_object_get_int64(ts)
	               : gmhook__now(ctx);
	event_notes(&notes, item->data);
	if (notes.failed) {
		gmhook__buf_free(&notes);
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	rc = gmhook__record_suppress(item, outcome,
	                             gmhook__get_str(item->data, "/email"),
	                             "/email", when, notes.data, err);
	gmhook__buf_free(&notes);
	return rc;
}

/* The public key shown in SendGrid's settings: base64 DER
 * SubjectPublicKeyInfo, or the same key in PEM. */
static EVP_PKEY *load_public_key(const char *text)
{
	const unsigned char *p;
	unsigned char *der = NULL;
	size_t der_len = 0;
	EVP_PKEY *key = NULL;
	BIO *bio;

	if (strstr(text, "-----BEGIN")) {
		bio = BIO_new_mem_buf(text, -1);
		key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
		return key;
	}
	if (!gmhook__base64_decode(text, &der, &der_len) ||
	    der_len > INT32_MAX) {
		free(der);
		return NULL;
	}
	p = der;
	key = d2i_PUBKEY(NULL, &p, (long) der_len);
	free(der);
	return key;
}

/* ECDSA-SHA256 over timestamp + raw body; @p sig is DER. */
static bool signature_matches(EVP_PKEY *key, const char *timestamp,
                              const struct gmhook_event *event,
                              const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok;

	ok = md &&
	     EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	     EVP_DigestVerifyUpdate(md, timestamp, strlen(timestamp)) == 1 &&
	     EVP_DigestVerifyUpdate(md, event->raw, event->raw_len) == 1 &&
	     EVP_DigestVerifyFinal(md, sig, sig_len) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

#define DEFAULT_TOLERANCE 300

/*
 * The signed message is the X-Twilio-Email-Event-Webhook-Timestamp value
 * followed by the raw body (which ends in CRLF); the signature is base64
 * DER (r, s) and the key is public, so nothing secret is configured.
 */
static int verify(struct gmhook_ctx *ctx, const struct gmhook_event *event,
                  const struct gmhook__source_config *cfg,
                  struct gmhook_error *err)
{
	const char *sig_b64 = gmhook__event_header(event, SIGNATURE_HEADER);
	const char *ts_text = gmhook__event_header(event, TIMESTAMP_HEADER);
	int64_t tolerance = cfg->tolerance ? cfg->tolerance : DEFAULT_TOLERANCE;
	unsigned char *sig = NULL;
	size_t sig_len = 0;
	EVP_PKEY *key = NULL;
	bool match;
	int64_t ts;
	int rc = 0;

	(void) ctx;
	if (!cfg->public_key) {
		return gmhook__error_set(
		        err, GMHOOK_ECONFIG, VALIDATE, "",
		        "sendgrid verifies with the public key from SendGrid's Mail Settings: set \"public_key\", not \"secret\"");
	}
	if (!sig_b64) {
		return gmhook__signature_fail(err, SIGNATURE_HEADER, "missing");
	}
	if (!ts_text || sscanf(ts_text, "%" SCNd64, &ts) != 1) {
		return gmhook__signature_fail(err, TIMESTAMP_HEADER,
		                              "missing or not a number");
	}
	key = load_public_key(cfg->public_key);
	if (!key) {
		return gmhook__error_set(
		        err, GMHOOK_ECONFIG, VALIDATE, "",
		        "sendgrid: public_key is neither base64 DER nor PEM");
	}
	if (!gmhook__base64_decode(sig_b64, &sig, &sig_len)) {
		rc = gmhook__signature_fail(err, SIGNATURE_HEADER,
		                            "not base64");
		goto out;
	}
	match = signature_matches(key, ts_text, event, sig, sig_len);
	if (!match) {
		rc = gmhook__signature_fail(err, SIGNATURE_HEADER,
		                            "does not match the body");
	} else if (llabs((long long) (gmhook__event_received(event) - ts)) >
	           tolerance) {
		rc = gmhook__signature_fail(
		        err, TIMESTAMP_HEADER,
		        "timestamp is outside the allowed window");
	}
out:
	free(sig);
	EVP_PKEY_free(key);
	return rc;
}

const struct gmhook__source gmhook__source_sendgrid = {
	.name = "sendgrid",
	.signature =
	        "X-Twilio-Email-Event-Webhook-Signature ECDSA P-256 over timestamp+body (public_key), 300 s window",
	.actions =
	        "bounce, dropped (bounced) -> email.remove; unsubscribe, group_unsubscribe, spamreport, dropped (unsubscribed) -> email.optout; others ignored",
	.description =
	        "SendGrid Event Webhook (bounces, drops, unsubscribes, spam reports)",
	.label = "SendGrid",
	.detect = detect,
	.extract = extract,
	.verify = verify,
	.validate = validate,
	.record = record,
	.mapping = "campaigns.json",
};
