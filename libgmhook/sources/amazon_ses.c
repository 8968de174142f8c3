/* SPDX-License-Identifier: MIT */
/*
 * Amazon SES notifications delivered by an SNS HTTP(S) subscription. The
 * SNS envelope's Message is a JSON string holding the SES notification:
 * a permanent bounce removes the e-mail rows of every bounced recipient,
 * a complaint strips the campaign merge code; each recipient gets a
 * history row. SNS signs with RSA and a certificate published by AWS;
 * it is checked only against a certificate configured as public_key,
 * since gmhook never fetches SigningCertURL. A SubscriptionConfirmation
 * is reported as ignored, or, with confirm_subscriptions and a verified
 * signature, mapped to a "confirm" event whose SubscribeURL commit GETs
 * (the last section of this file).
 *
 * The module reads an event into a record; the built-in mapping file
 * mappings/campaigns.json turns it into GoldMine actions.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "gmhook-private.h"

#define COMMIT   GMHOOK_STAGE_COMMIT
#define MAP      GMHOOK_STAGE_MAP
#define VALIDATE GMHOOK_STAGE_VALIDATE

/* Longest SubscribeURL gmhook fetches. */
#define SUBSCRIBE_URL_MAX 2048

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

static bool is_sns_type(const char *type)
{
	return str_is(type, "Notification") ||
	       str_is(type, "SubscriptionConfirmation") ||
	       str_is(type, "UnsubscribeConfirmation");
}

static int detect(const struct gmhook__delivery *d)
{
	if (gmhook__header(d->req, "x-amz-sns-message-type")) {
		return 100;
	}
	if (d->format != GMHOOK__FORMAT_JSON ||
	    !is_sns_type(gmhook__get_str(d->body, "/Type")) ||
	    !gmhook__get_str(d->body, "/TopicArn") ||
	    !gmhook__get_str(d->body, "/MessageId")) {
		return 0;
	}
	return 90;
}

/* The SES notification inside a Notification's Message string, or NULL
 * (caller puts). */
static json_object *ses_message(json_object *data)
{
	const char *text = gmhook__get_str(data, "/Message");
	json_object *msg;

	if (!str_is(gmhook__get_str(data, "/Type"), "Notification") || !text) {
		return NULL;
	}
	msg = json_tokener_parse(text);
	if (!json_object_is_type(msg, json_type_object)) {
		json_object_put(msg);
		return NULL;
	}
	return msg;
}

/* SES notifications say notificationType; event publishing (configuration
 * sets) says eventType. */
static const char *ses_type(json_object *msg)
{
	const char *t = gmhook__get_str(msg, "/notificationType");

	return t ? t : gmhook__get_str(msg, "/eventType");
}

static int outcome_of(json_object *msg)
{
	const char *type = ses_type(msg);

	if (str_is(type, "Bounce") &&
	    str_is(gmhook__get_str(msg, "/bounce/bounceType"), "Permanent")) {
		return OUTCOME_BOUNCE;
	}
	if (str_is(type, "Complaint")) {
		return OUTCOME_COMPLAINT;
	}
	return OUTCOME_NONE;
}

/* Where the recipients and their addresses are in the SES message. */
static const char *recipients_pointer(int outcome)
{
	return outcome == OUTCOME_BOUNCE ? "/bounce/bouncedRecipients"
	                                 : "/complaint/complainedRecipients";
}

static bool ses_time(json_object *msg, int outcome, int64_t *out)
{
	const char *s = gmhook__get_str(msg, outcome == OUTCOME_BOUNCE
	                                             ? "/bounce/timestamp"
	                                             : "/complaint/timestamp");

	return s && gmhook__time_parse(s, out);
}

/* The id is the SNS MessageId, SNS's de-duplication key. */
static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *sns_type = gmhook__get_str(item->data, "/Type");
	const char *id = gmhook__get_str(item->data, "/MessageId");
	json_object *msg = ses_message(item->data);
	const char *type = msg ? ses_type(msg) : NULL;
	char iso[32];
	int64_t t;

	(void) ctx;
	(void) d;
	(void) err;
	if (!type) {
		type = sns_type ? sns_type : "unknown";
	}
	json_object_object_add(item->meta, "type",
	                       json_object_new_string(type));
	if (id) {
		json_object_object_add(item->meta, "id",
		                       json_object_new_string(id));
	}
	if (!(msg && ses_time(msg, outcome_of(msg), &t)) &&
	    !gmhook__time_parse(gmhook__get_str(item->data, "/Timestamp"),
	                        &t)) {
		t = 0;
	}
	if (t) {
		gmhook__time_format_utc(t, iso, sizeof(iso));
		json_object_object_add(item->meta, "time",
		                       json_object_new_string(iso));
	}
	json_object_put(msg);
	return 0;
}

/* Every recipient must have a valid address. Paths name the field inside
 * the Message string, as "/Message/bounce/bouncedRecipients/0/..." */
static int validate_recipients(json_object *msg, int outcome,
                               const struct gmhook__item *item,
                               struct gmhook_error *err)
{
	const char *rp = recipients_pointer(outcome);
	json_object *list = gmhook__get(msg, rp);
	struct gmhook__item inner = { msg, "/Message", item->meta, NULL,
		                      item->label };
	char path[256];
	char pointer[128];
	size_t i;
	int rc = 0;

	if (!json_object_is_type(list, json_type_array) ||
	    json_object_array_length(list) == 0) {
		gmhook__path_join(path, sizeof(path), "/Message", rp);
		return gmhook__error_set(
		        err, GMHOOK_EVALIDATE, VALIDATE, path,
		        "the notification names no recipients");
	}
	for (i = 0; rc == 0 && i < json_object_array_length(list); i++) {
		snprintf(pointer, sizeof(pointer), "%s/%zu/emailAddress", rp,
		         i);
		rc = gmhook__validate_email(&inner, pointer, true, err);
	}
	return rc;
}

/* "sns.<region>.amazonaws.com", the region in lower-case letters,
 * digits and '-' (SNS developer guide: the host of SigningCertURL and
 * SubscribeURL). */
static bool is_sns_host(const char *host, size_t len)
{
	static const char prefix[] = "sns.";
	static const char suffix[] = ".amazonaws.com";
	size_t p = sizeof(prefix) - 1;
	size_t q = sizeof(suffix) - 1;
	size_t i;

	if (len <= p + q || strncmp(host, prefix, p) != 0 ||
	    strncmp(host + len - q, suffix, q) != 0) {
		return false;
	}
	for (i = p; i < len - q; i++) {
		if (!islower((unsigned char) host[i]) &&
		    !isdigit((unsigned char) host[i]) && host[i] != '-') {
			return false;
		}
	}
	return true;
}

/* The host admits so few characters that every URL parser, libcurl's
 * included, reads the same one. */
bool gmhook__sns_url_ok(const char *url, const char *test_host)
{
	const char *authority;
	size_t len;
	size_t n;
	size_t i;

	if (!url || strncmp(url, "https://", 8) != 0) {
		return false;
	}
	len = strlen(url);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char) url[i];

		if (c <= 0x20 || c >= 0x7f || c == '\\') {
			return false;
		}
	}
	authority = url + 8;
	n = strcspn(authority, "/?#");
	if (len > SUBSCRIBE_URL_MAX || authority[n] == '#') {
		return false;
	}
	if (test_host && strlen(test_host) == n &&
	    memcmp(authority, test_host, n) == 0) {
		return true;
	}
	return is_sns_host(authority, n);
}

/* With confirmations on, a SubscriptionConfirmation must name a URL
 * gmhook will fetch. */
static int validate_subscribe_url(struct gmhook_ctx *ctx,
                                  const struct gmhook__item *item,
                                  struct gmhook_error *err)
{
	const struct gmhook__source_config *cfg =
	        gmhook__source_config(ctx, "amazon_ses");
	char path[256];

	if (!cfg || !cfg->confirm_subscriptions ||
	    !str_is(gmhook__get_str(item->data, "/Type"),
	            "SubscriptionConfirmation") ||
	    gmhook__sns_url_ok(gmhook__get_str(item->data, "/SubscribeURL"),
	                       cfg->confirm_test_host)) {
		return 0;
	}
	gmhook__path_join(path, sizeof(path), item->pointer, "/SubscribeURL");
	return gmhook__error_set(
	        err, GMHOOK_EVALIDATE, VALIDATE, path,
	        "not an https URL on an sns.<region>.amazonaws.com host; gmhook does not fetch it");
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	json_object *msg;
	int outcome;
	int rc;

	if (!is_sns_type(gmhook__get_str(item->data, "/Type"))) {
		return gmhook__error_set(
		        err, GMHOOK_EVALIDATE, VALIDATE, "/Type",
		        "not an SNS message type (Notification, SubscriptionConfirmation or UnsubscribeConfirmation)");
	}
	rc = validate_subscribe_url(ctx, item, err);
	if (rc < 0) {
		return rc;
	}
	msg = ses_message(item->data);
	if (!msg) {
		return 0;
	}
	outcome = outcome_of(msg);
	rc = outcome == OUTCOME_NONE
	             ? 0
	             : validate_recipients(msg, outcome, item, err);
	json_object_put(msg);
	return rc;
}

static void add_line(struct gmhook__buf *notes, json_object *obj,
                     const char *label, const char *pointer)
{
	json_object *v = gmhook__get(obj, pointer);

	if (v && (json_object_is_type(v, json_type_string) ||
	          json_object_is_type(v, json_type_int))) {
		gmhook__buf_addf(notes, "%s: %s\r\n", label,
		                 json_object_get_string(v));
	}
}

static void recipient_notes(struct gmhook__buf *notes, json_object *msg,
                            int outcome, json_object *rcpt)
{
	gmhook__buf_adds(notes, "Provider: Amazon SES\r\n");
	add_line(notes, rcpt, "Address", "/emailAddress");
	if (outcome == OUTCOME_BOUNCE) {
		add_line(notes, msg, "Bounce type", "/bounce/bounceType");
		add_line(notes, msg, "Bounce subtype", "/bounce/bounceSubType");
		add_line(notes, rcpt, "Status", "/status");
		add_line(notes, rcpt, "Reason", "/diagnosticCode");
		add_line(notes, msg, "Reporting MTA", "/bounce/reportingMTA");
		add_line(notes, msg, "Feedback id", "/bounce/feedbackId");
	} else {
		add_line(notes, msg, "Complaint type",
		         "/complaint/complaintFeedbackType");
		add_line(notes, msg, "Complaint subtype",
		         "/complaint/complaintSubType");
		add_line(notes, msg, "User agent", "/complaint/userAgent");
		add_line(notes, msg, "Feedback id", "/complaint/feedbackId");
	}
	add_line(notes, msg, "Message-Id", "/mail/messageId");
	add_line(notes, msg, "Subject", "/mail/commonHeaders/subject");
}

/* One record per recipient under "recipients" (the mapping runs its
 * actions for each), every one with the outcome, its address (read at
 * "/Message/<recipients>/<i>/emailAddress"), the time and its notes. */
static int record_recipients(struct gmhook_ctx *ctx, struct gmhook__item *item,
                             json_object *msg, int outcome,
                             struct gmhook_error *err)
{
	const char *rp = recipients_pointer(outcome);
	json_object *list = gmhook__get(msg, rp);
	json_object *whole = item->record;
	json_object *records = json_object_new_array();
	char from[160];
	int64_t when;
	size_t i;
	int rc = 0;

	if (!records ||
	    json_object_object_add(whole, "recipients", records) != 0 ||
	    gmhook__record_set(item, "outcome",
	                       outcome == OUTCOME_BOUNCE ? "bounce" : "spam",
	                       NULL) != 0) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	if (!ses_time(msg, outcome, &when)) {
		when = gmhook__now(ctx);
	}
	for (i = 0; rc == 0 && i < json_object_array_length(list); i++) {
		json_object *rcpt = json_object_array_get_idx(list, i);
		struct gmhook__buf notes = { 0 };

		recipient_notes(&notes, msg, outcome, rcpt);
		item->record = json_object_new_object();
		if (notes.failed || !item->record ||
		    json_object_array_add(records, item->record) != 0) {
			json_object_put(item->record);
			item->record = whole;
			gmhook__buf_free(&notes);
			return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
			                         "out of memory");
		}
		snprintf(from, sizeof(from), "/Message%s/%zu/emailAddress", rp,
		         i);
		rc = gmhook__record_suppress(
		        item, outcome, gmhook__get_str(rcpt, "/emailAddress"),
		        from, when, notes.data, err);
		item->record = whole;
		gmhook__buf_free(&notes);
	}
	return rc;
}

/* The host of @p url ("https://host:443/path" gives "host"). */
static void url_host(char *out, size_t size, const char *url)
{
	const char *p = url ? strstr(url, "://") : NULL;
	size_t n;

	p = p ? p + 3 : (url ? url : "");
	n = strcspn(p, "/?#:");
	snprintf(out, size, "%.*s", (int) (n < size ? n : size - 1), p);
}

/* A SubscriptionConfirmation gmhook does not confirm is ignored with a
 * reason naming its topic and the host to confirm it on. */
static int ignore_confirmation(struct gmhook__item *item,
                               struct gmhook_error *err)
{
	char host[128];
	char reason[512];

	url_host(host, sizeof(host),
	         gmhook__get_str(item->data, "/SubscribeURL"));
	snprintf(
	        reason, sizeof(reason),
	        "Amazon SNS subscription confirmation for %s: confirm it by opening its SubscribeURL on %s (gmhook does not fetch it unless confirm_subscriptions is set)",
	        gmhook__get_str(item->data, "/TopicArn"), host);
	return gmhook__record_ignore(item, reason) == 0
	               ? 0
	               : gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
	                                   "out of memory");
}

/* A SubscriptionConfirmation is confirmed only when the configuration
 * asks for it and its signature was verified in this process. */
static bool confirms(struct gmhook_ctx *ctx, struct gmhook__plan_builder *pb,
                     json_object *data)
{
	const struct gmhook__source_config *cfg =
	        gmhook__source_config(ctx, "amazon_ses");

	return cfg && cfg->confirm_subscriptions &&
	       gmhook__plan_signature_verified(pb) &&
	       str_is(gmhook__get_str(data, "/Type"),
	              "SubscriptionConfirmation") &&
	       gmhook__sns_url_ok(gmhook__get_str(data, "/SubscribeURL"),
	                          cfg->confirm_test_host);
}

/*
 * The record campaigns.json maps: outcome ("bounce" or "spam") and
 * recipients, one record per address (gmhook__record_suppress). A
 * SubscriptionConfirmation is either planned here as a "confirm" event
 * (the mapping adds nothing to it) or ignored; other messages leave the
 * record empty.
 */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	json_object *msg = ses_message(item->data);
	int outcome = msg ? outcome_of(msg) : OUTCOME_NONE;
	int rc = 0;

	if (outcome == OUTCOME_NONE && confirms(ctx, pb, item->data)) {
		gmhook__plan_confirm(
		        pb, gmhook__get_str(item->data, "/SubscribeURL"),
		        gmhook__get_str(item->data, "/TopicArn"));
	} else if (outcome == OUTCOME_NONE &&
	           str_is(gmhook__get_str(item->data, "/Type"),
	                  "SubscriptionConfirmation")) {
		rc = ignore_confirmation(item, err);
	} else if (outcome != OUTCOME_NONE) {
		rc = record_recipients(ctx, item, msg, outcome, err);
	}
	json_object_put(msg);
	return rc;
}

/* ==== SNS signature (with a configured certificate) ==== */

/* The fields SNS signs, in order, per message type (SNS developer guide,
 * "Verifying the signatures of Amazon SNS messages"). */
static const char *const notification_fields[] = {
	"Message",  "MessageId", "Subject", "Timestamp",
	"TopicArn", "Type",      NULL,
};

static const char *const confirmation_fields[] = {
	"Message", "MessageId", "SubscribeURL", "Timestamp",
	"Token",   "TopicArn",  "Type",         NULL,
};

/* "Key\nValue\n" for each signed field present. */
static char *canonical_string(json_object *body)
{
	const char *const *fields =
	        str_is(gmhook__get_str(body, "/Type"), "Notification")
	                ? notification_fields
	                : confirmation_fields;
	struct gmhook__buf b = { 0 };
	size_t i;

	for (i = 0; fields[i]; i++) {
		json_object *v = NULL;

		if (!json_object_object_get_ex(body, fields[i], &v) ||
		    !json_object_is_type(v, json_type_string)) {
			continue;
		}
		gmhook__buf_addf(&b, "%s\n%s\n", fields[i],
		                 json_object_get_string(v));
	}
	if (b.failed) {
		gmhook__buf_free(&b);
		return NULL;
	}
	return gmhook__buf_steal(&b);
}

/* The signing certificate (or its public key) in PEM. */
static EVP_PKEY *load_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = NULL;
	X509 *cert;

	if (!bio) {
		return NULL;
	}
	if (strstr(pem, "-----BEGIN CERTIFICATE")) {
		cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		key = cert ? X509_get_pubkey(cert) : NULL;
		X509_free(cert);
	} else {
		key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	}
	BIO_free(bio);
	return key;
}

static bool rsa_matches(EVP_PKEY *key, const EVP_MD *md, const char *text,
                        const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok;

	ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1 &&
	     EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *) text,
	                      strlen(text)) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* SNS retries follow the topic's delivery policy, which may spread them
 * over up to an hour; the signed Timestamp is the publish time. */
#define DEFAULT_TOLERANCE 3600

static int check_signature(EVP_PKEY *key, json_object *body, int64_t received,
                           int64_t tolerance, struct gmhook_error *err)
{
	static const char what[] = "SNS Signature";
	const char *version = gmhook__get_str(body, "/SignatureVersion");
	const char *sig_b64 = gmhook__get_str(body, "/Signature");
	unsigned char *sig = NULL;
	size_t sig_len = 0;
	char *text = NULL;
	const EVP_MD *md;
	int64_t ts;
	int rc = 0;

	md = str_is(version, "1")   ? EVP_sha1()
	     : str_is(version, "2") ? EVP_sha256()
	                            : NULL;
	if (!md || !sig_b64) {
		return gmhook__signature_fail(
		        err, what,
		        "missing, or SignatureVersion is neither 1 nor 2");
	}
	text = canonical_string(body);
	if (!text || !gmhook__base64_decode(sig_b64, &sig, &sig_len)) {
		rc = gmhook__signature_fail(err, what, "not base64");
	} else if (!rsa_matches(key, md, text, sig, sig_len)) {
		rc = gmhook__signature_fail(err, what,
		                            "does not match the message");
	} else if (!gmhook__time_parse(gmhook__get_str(body, "/Timestamp"),
	                               &ts) ||
	           llabs((long long) (received - ts)) > tolerance) {
		rc = gmhook__signature_fail(
		        err, what, "Timestamp is outside the allowed window");
	}
	free(text);
	free(sig);
	return rc;
}

/*
 * SNS signs a canonical string of selected fields with the key of a
 * certificate at SigningCertURL. gmhook never fetches it: the site
 * downloads the certificate once and configures it as public_key.
 */
static int verify(struct gmhook_ctx *ctx, const struct gmhook_event *event,
                  const struct gmhook__source_config *cfg,
                  struct gmhook_error *err)
{
	int64_t tolerance = cfg->tolerance ? cfg->tolerance : DEFAULT_TOLERANCE;
	EVP_PKEY *key;
	int rc;

	(void) ctx;
	if (!cfg->public_key) {
		return gmhook__error_set(
		        err, GMHOOK_ECONFIG, VALIDATE, "",
		        "amazon_ses verifies with the SNS signing certificate: set \"public_key\" to its PEM, or use \"url_token\"");
	}
	key = load_key(cfg->public_key);
	if (!key) {
		return gmhook__error_set(
		        err, GMHOOK_ECONFIG, VALIDATE, "",
		        "amazon_ses: public_key is not a PEM certificate or public key");
	}
	rc = check_signature(key, gmhook__get(event->doc, "/body"),
	                     gmhook__event_received(event), tolerance, err);
	EVP_PKEY_free(key);
	return rc;
}

/* ==== Subscription confirmation (commit) ==== */

/* Seconds to connect and for the whole GET: SNS waits for our answer to
 * its delivery meanwhile. */
#define CONFIRM_CONNECT_TIMEOUT 5
#define CONFIRM_TIMEOUT         15
/* SNS answers with a short XML document. */
#define CONFIRM_MAX_BODY        (64 * 1024)
#define ARN_MAX                 256

/* @p url with every Token parameter's value hidden: whoever holds it
 * can confirm the subscription. */
static void hide_token(char *out, size_t size, const char *url)
{
	const char *query = strchr(url, '?');
	size_t n = query ? (size_t) (query - url) : strlen(url);
	size_t used;

	snprintf(out, size, "%.*s", (int) n, url);
	for (url += n; *url; url += n) {
		n = 1 + strcspn(url + 1, "&#");
		used = strlen(out);
		if (strncmp(url + 1, "Token=", 6) == 0) {
			snprintf(out + used, size - used, "%cToken=(hidden)",
			         *url);
		} else {
			snprintf(out + used, size - used, "%.*s", (int) n, url);
		}
	}
}

/* The SubscriptionArn of SNS's ConfirmSubscriptionResponse, when the
 * answer has one in the expected form. */
static void add_subscription_arn(json_object *entry, const char *body)
{
	static const char open_tag[] = "<SubscriptionArn>";
	static const char close_tag[] = "</SubscriptionArn>";
	const char *start = body ? strstr(body, open_tag) : NULL;
	size_t n;

	if (!start) {
		return;
	}
	start += sizeof(open_tag) - 1;
	n = strspn(start, "abcdefghijklmnopqrstuvwxyz"
	                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:._/-");
	if (n > 0 && n <= ARN_MAX &&
	    strncmp(start + n, close_tag, sizeof(close_tag) - 1) == 0) {
		json_object_object_add(
		        entry, "subscription_arn",
		        json_object_new_string_len(start, (int) n));
	}
}

static void set_outcome(json_object *entry, const char *status,
                        const char *reason)
{
	json_object_object_add(entry, "status", json_object_new_string(status));
	if (reason) {
		json_object_object_add(entry, "reason",
		                       json_object_new_string(reason));
	}
}

static int confirm_get(json_object *entry, struct gmhook_ctx *ctx,
                       const struct gmhook__source_config *cfg, const char *url,
                       const char *shown, const char *path,
                       struct gmhook_error *err)
{
	struct gmhook__http_response resp = { 0, NULL, 0, -1 };
	struct gmhook__http_request req;
	int rc;

	memset(&req, 0, sizeof(req));
	req.url = url;
	req.shown_url = shown;
	req.ca_file = cfg->confirm_ca_file;
	req.connect_timeout = CONFIRM_CONNECT_TIMEOUT;
	req.timeout = CONFIRM_TIMEOUT;
	req.max_body = CONFIRM_MAX_BODY;
	rc = gmhook__http_get(&resp, ctx, &req, err);
	if (rc < 0) {
		if (err) {
			snprintf(err->path, sizeof(err->path), "%s", path);
		}
		return rc;
	}
	if (resp.status < 200 || resp.status >= 300) {
		rc = gmhook__error_set(
		        err, GMHOOK_EUNAVAIL, COMMIT, path,
		        "the subscription confirmation GET %s answered HTTP %ld%s",
		        shown, resp.status,
		        resp.status >= 300 && resp.status < 400
		                ? " (a redirect, which gmhook does not follow)"
		                : "");
		if (err) {
			err->native = resp.status;
		}
	} else {
		set_outcome(entry, "confirmed", NULL);
		add_subscription_arn(entry, resp.body);
	}
	gmhook__http_response_clear(&resp);
	return rc;
}

int gmhook__sns_confirm(json_object *entry, struct gmhook_ctx *ctx,
                        json_object *ev, bool verified, bool dry_run,
                        struct gmhook_error *err)
{
	const struct gmhook__source_config *cfg =
	        gmhook__source_config(ctx, "amazon_ses");
	const char *url = gmhook__get_str(ev, "/subscribe_url");
	const char *topic = gmhook__get_str(ev, "/topic_arn");
	const char *pointer = gmhook__get_str(ev, "/pointer");
	char shown[SUBSCRIBE_URL_MAX + 16];
	char reason[SUBSCRIBE_URL_MAX + 64];
	char path[256];

	if (topic) {
		json_object_object_add(entry, "topic_arn",
		                       json_object_new_string(topic));
	}
	if (!cfg || !cfg->confirm_subscriptions) {
		set_outcome(
		        entry, "ignored",
		        "SNS subscription not confirmed: confirm_subscriptions is off in this configuration");
		return 0;
	}
	if (!verified) {
		set_outcome(
		        entry, "ignored",
		        "SNS subscription not confirmed: the plan was not mapped here from a delivery whose SNS signature was verified (use gmhook run)");
		return 0;
	}
	gmhook__path_join(path, sizeof(path), pointer ? pointer : "",
	                  "/SubscribeURL");
	if (!gmhook__sns_url_ok(url, cfg->confirm_test_host)) {
		return gmhook__error_set(
		        err, GMHOOK_EMAP, COMMIT, path,
		        "not an https URL on an sns.<region>.amazonaws.com host; gmhook does not fetch it");
	}
	hide_token(shown, sizeof(shown), url);
	if (dry_run) {
		snprintf(reason, sizeof(reason),
		         "would confirm the SNS subscription with GET %s",
		         shown);
		set_outcome(entry, "dry-run", reason);
		return 0;
	}
	log_debug(ctx, "amazon_ses: confirming the SNS subscription to %s",
	          topic ? topic : "(no TopicArn)");
	return confirm_get(entry, ctx, cfg, url, shown, path, err);
}

const struct gmhook__source gmhook__source_amazon_ses = {
	.name = "amazon_ses",
	.signature =
	        "SNS RSA signature, checked only with a certificate configured as public_key; else url_token",
	.actions =
	        "bounce (Permanent) -> history BNC + email.remove; complaint -> history SPM + email.optout; subscription confirmation ignored, or confirmed with confirm_subscriptions",
	.description = "Amazon SES bounces and complaints via SNS",
	.label = "Amazon SES",
	.detect = detect,
	.extract = extract,
	.verify = verify,
	.validate = validate,
	.record = record,
	.mapping = "campaigns.json",
};
