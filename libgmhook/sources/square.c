/* SPDX-License-Identifier: MIT */
/*
 * Square: payment.created and payment.updated events. A payment whose
 * status is COMPLETED is a sale; it is keyed "payment:<id>:COMPLETED" so
 * that the created and every later updated event of the same payment are
 * one sale, while other events use Square's event_id. The signature is
 * an HMAC of the notification URL followed by the raw body, base64, with
 * SHA-256 (x-square-hmacsha256-signature) or, from older subscriptions,
 * SHA-1 (x-square-signature). Square sends no customer e-mail with a
 * payment except buyer_email_address; without it the sale is ignored.
 * A sale becomes a record of the buyer and the payment (see order.c),
 * mapped by libgmhook/mappings/orders.json.
 */
#include <stdio.h>
#include <string.h>

#include "order.h"

#define VALIDATE GMHOOK_STAGE_VALIDATE

static const char payment[] = "/data/object/payment";

static bool is_payment_event(const char *type)
{
	return type && (strcmp(type, "payment.created") == 0 ||
	                strcmp(type, "payment.updated") == 0);
}

static bool is_completed(json_object *data)
{
	const char *status =
	        gmhook__get_str(data, "/data/object/payment/status");

	return status && strcmp(status, "COMPLETED") == 0;
}

static int detect(const struct gmhook__delivery *d)
{
	if (gmhook__header(d->req, "x-square-hmacsha256-signature") ||
	    gmhook__header(d->req, "x-square-signature")) {
		return 100;
	}
	if (d->format != GMHOOK__FORMAT_JSON) {
		return 0;
	}
	if (gmhook__get_str(d->body, "/merchant_id") &&
	    gmhook__get_str(d->body, "/event_id") &&
	    gmhook__get_str(d->body, "/type") &&
	    json_object_is_type(gmhook__get(d->body, "/data"),
	                        json_type_object)) {
		return 80;
	}
	return 0;
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *type = gmhook__get_str(item->data, "/type");
	const char *id = gmhook__get_str(item->data, "/event_id");
	const char *pid =
	        gmhook__get_str(item->data, "/data/object/payment/id");
	const char *when = gmhook__get_str(item->data, "/created_at");
	char key[256];
	char iso[32];
	int64_t t;

	(void) ctx;
	(void) d;
	(void) err;
	json_object_object_add(item->meta, "type",
	                       json_object_new_string(type ? type : "unknown"));
	if (is_payment_event(type) && is_completed(item->data) && pid) {
		snprintf(key, sizeof(key), "payment:%s:COMPLETED", pid);
		id = key;
	}
	if (id) {
		json_object_object_add(item->meta, "id",
		                       json_object_new_string(id));
	}
	if (when && gmhook__time_parse(when, &t)) {
		gmhook__time_format_utc(t, iso, sizeof(iso));
		json_object_object_add(item->meta, "time",
		                       json_object_new_string(iso));
	}
	return 0;
}

/*
 * The URL Square signs is the subscription's notification URL, byte for
 * byte. Behind a proxy the request URL differs (http for https, another
 * port), so the configured public_url comes first; the CGI front end's
 * X-Gmhook-Url is the fallback.
 */
static const char *notification_url(const struct gmhook_event *event,
                                    const struct gmhook__source_config *cfg)
{
	if (cfg->public_url && cfg->public_url[0]) {
		return cfg->public_url;
	}
	return gmhook__event_header(event, "X-Gmhook-Url");
}

static bool signature_matches(const struct gmhook__source_config *cfg,
                              const struct gmhook_event *event, int digest,
                              const char *url, const char *value)
{
	const void *parts[2] = { url, event->raw };
	size_t lens[2] = { strlen(url), event->raw_len };
	unsigned char mac[64];
	size_t mac_len;
	size_t i;

	for (i = 0; i < cfg->n_secrets; i++) {
		const struct gmhook__secret *s = &cfg->secrets[i];

		mac_len = gmhook__hmac(digest, s->key, s->len, parts, lens, 2,
		                       mac);
		if (gmhook__mac_equal_base64(mac, mac_len, value,
		                             strlen(value))) {
			return true;
		}
	}
	return false;
}

/*
 * x-square-hmacsha256-signature: base64 HMAC-SHA256(signature key, URL +
 * raw body); the key is used as the text Square shows, not decoded. When
 * only the legacy x-square-signature (HMAC-SHA1, same input) is present,
 * that one is checked. Square signs no timestamp.
 */
static int verify(struct gmhook_ctx *ctx, const struct gmhook_event *event,
                  const struct gmhook__source_config *cfg,
                  struct gmhook_error *err)
{
	static const char sha256_header[] = "x-square-hmacsha256-signature";
	static const char sha1_header[] = "x-square-signature";
	const char *value = gmhook__event_header(event, sha256_header);
	const char *header = sha256_header;
	const char *url = notification_url(event, cfg);
	int digest = GMHOOK__SHA256;

	(void) ctx;
	if (!value) {
		value = gmhook__event_header(event, sha1_header);
		header = sha1_header;
		digest = GMHOOK__SHA1;
	}
	if (!value || !value[0]) {
		return gmhook__signature_fail(err, sha256_header, "missing");
	}
	if (!url) {
		return gmhook__error_set(
		        err, GMHOOK_ECONFIG, VALIDATE, "",
		        "square: the signature covers the notification URL; set sources.square.public_url to the URL registered with Square");
	}
	if (!signature_matches(cfg, event, digest, url, value)) {
		return gmhook__signature_fail(
		        err, header,
		        "does not match the notification URL and body");
	}
	return 0;
}

static int require(const struct gmhook__item *item, const char *pointer,
                   json_type type, const char *what, struct gmhook_error *err)
{
	char path[256];

	if (json_object_is_type(gmhook__get(item->data, pointer), type)) {
		return 0;
	}
	gmhook__path_join(path, sizeof(path), item->pointer, pointer);
	return gmhook__error_set(err, GMHOOK_EVALIDATE, VALIDATE, path,
	                         "%s is required", what);
}

/* The payment's total (tips included), else its amount. */
static const char *money_pointer(json_object *data)
{
	if (json_object_is_type(
	            gmhook__get(data, "/data/object/payment/total_money"),
	            json_type_object)) {
		return "/data/object/payment/total_money";
	}
	return "/data/object/payment/amount_money";
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	const char *type = gmhook__get_str(item->data, "/type");
	char pointer[128];
	int rc;

	(void) ctx;
	rc = require(item, "/event_id", json_type_string, "the event_id", err);
	if (rc < 0 || !is_payment_event(type)) {
		return rc;
	}
	rc = require(item, payment, json_type_object, "the payment object",
	             err);
	if (rc < 0 || !is_completed(item->data)) {
		return rc;
	}
	snprintf(pointer, sizeof(pointer), "%s/amount",
	         money_pointer(item->data));
	rc = require(item, pointer, json_type_int,
	             "the amount (an integer in the currency's minor unit)",
	             err);
	if (rc == 0) {
		snprintf(pointer, sizeof(pointer), "%s/currency",
		         money_pointer(item->data));
		rc = require(item, pointer, json_type_string, "the currency",
		             err);
	}
	if (rc == 0) {
		rc = gmhook__validate_email(
		        item, "/data/object/payment/buyer_email_address", false,
		        err);
	}
	return rc;
}

static const char *nonempty(const char *s)
{
	return s && s[0] ? s : NULL;
}

/* The billing address, else the shipping address. */
static const char *address_base(json_object *data)
{
	if (json_object_is_type(
	            gmhook__get(data, "/data/object/payment/billing_address"),
	            json_type_object)) {
		return "/data/object/payment/billing_address";
	}
	if (json_object_is_type(
	            gmhook__get(data, "/data/object/payment/shipping_address"),
	            json_type_object)) {
		return "/data/object/payment/shipping_address";
	}
	return NULL;
}

struct person_paths {
	char first[128];
	char last[128];
};

static void person_of(struct gmhook__order *o, struct person_paths *pp,
                      json_object *data)
{
	static const char *const address_rel[GMHOOK__ORDER_N_ADDRESS] = {
		"/address_line_1", "/address_line_2",
		"/locality",       "/administrative_district_level_1",
		"/postal_code",    "/country",
	};
	const char *base = address_base(data);

	o->person.email = nonempty(gmhook__get_str(
	        data, "/data/object/payment/buyer_email_address"));
	if (!base) {
		return;
	}
	gmhook__order_address_from(o, data, base, address_rel);
	gmhook__path_join(pp->first, sizeof(pp->first), base, "/first_name");
	gmhook__path_join(pp->last, sizeof(pp->last), base, "/last_name");
	o->person.first = nonempty(gmhook__get_str(data, pp->first));
	o->person.last = nonempty(gmhook__get_str(data, pp->last));
	o->person.last_path = pp->last;
}

static void add_summary(struct gmhook__buf *notes, json_object *data,
                        const char *amount, const char *currency)
{
	static const struct {
		const char *label;
		const char *pointer;
	} lines[] = {
		{ "Note", "/data/object/payment/note" },
		{ "Source", "/data/object/payment/source_type" },
		{ "Card", "/data/object/payment/card_details/card/card_brand" },
		{ "Receipt", "/data/object/payment/receipt_number" },
		{ "Receipt URL", "/data/object/payment/receipt_url" },
		{ "Square order", "/data/object/payment/order_id" },
		{ "Square payment", "/data/object/payment/id" },
		{ "Location", "/data/object/payment/location_id" },
	};

	size_t i;

	gmhook__buf_addf(notes, "Total: %s %s\r\n", amount, currency);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		const char *v =
		        nonempty(gmhook__get_str(data, lines[i].pointer));

		if (v) {
			gmhook__buf_addf(notes, "%s: %s\r\n", lines[i].label,
			                 v);
		}
	}
}

/* When the money moved: the capture, else the payment's last update,
 * else the event's time. */
static int64_t sale_time(struct gmhook_ctx *ctx, json_object *data)
{
	static const char *const candidates[] = {
		"/data/object/payment/card_details/card_payment_timeline/captured_at",
		"/data/object/payment/updated_at",
		"/created_at",
		NULL,
	};
	int64_t t;
	size_t i;

	for (i = 0; candidates[i]; i++) {
		if (gmhook__time_parse(gmhook__get_str(data, candidates[i]),
		                       &t)) {
			return t;
		}
	}
	return gmhook__now(ctx);
}

static int record_sale(struct gmhook_ctx *ctx, struct gmhook__item *item,
                       struct gmhook__plan_builder *pb,
                       struct gmhook_error *err)
{
	static const char order_id[] = "/data/object/payment/order_id";
	static const char payment_id[] = "/data/object/payment/id";
	const char *money = money_pointer(item->data);
	char pointer[128];
	struct gmhook__order o = { 0 };
	struct gmhook__buf notes = { 0 };
	struct person_paths pp;
	const char *currency;
	char amount[32];
	int rc;

	snprintf(pointer, sizeof(pointer), "%s/currency", money);
	currency = gmhook__get_str(item->data, pointer);
	snprintf(pointer, sizeof(pointer), "%s/amount", money);
	gmhook__order_minor_units(
	        amount, sizeof(amount),
	        json_object_get_int64(gmhook__get(item->data, pointer)),
	        currency);
	person_of(&o, &pp, item->data);
	o.number = nonempty(gmhook__get_str(item->data, order_id));
	o.number_path = order_id;
	if (!o.number) {
		o.number = gmhook__get_str(item->data, payment_id);
		o.number_path = payment_id;
	}
	o.when = sale_time(ctx, item->data);
	o.amount = amount;
	add_summary(&notes, item->data, amount, currency);
	if (notes.failed) {
		gmhook__buf_free(&notes);
		return gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_MAP,
		                         "", "out of memory");
	}
	o.notes = notes.data;
	rc = gmhook__order_record(pb, item, &o, err);
	gmhook__buf_free(&notes);
	return rc;
}

/*
 * The record orders.json maps (docs/sources.md#square): the buyer's
 * e-mail address and billing address, the order number, time, amount
 * (converted from minor units) and notes. Payments not COMPLETED, or
 * without buyer_email_address, and other event types are ignored.
 */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	const char *type = gmhook__get_str(item->data, "/type");
	int rc;

	if (type && strcmp(type, "webhooks.test_notification") == 0) {
		rc = gmhook__record_ignore(item, "a Square test notification");
	} else if (!is_payment_event(type)) {
		rc = gmhook__record_ignore(
		        item,
		        "not a payment.created or payment.updated Square event");
	} else if (!is_completed(item->data)) {
		rc = gmhook__record_ignore(
		        item, "the Square payment is not COMPLETED yet");
	} else if (!nonempty(gmhook__get_str(
	                   item->data,
	                   "/data/object/payment/buyer_email_address"))) {
		/* Square's payment carries no customer e-mail or phone
		 * except buyer_email_address (set when the buyer asked for
		 * an e-mailed receipt); the customer record would need an
		 * API call. */
		rc = gmhook__record_ignore(
		        item,
		        "the Square payment has no buyer_email_address, so no GoldMine contact can be found or created for it");
	} else {
		return record_sale(ctx, item, pb, err);
	}
	return rc ? gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_MAP, "",
	                              "out of memory")
	          : 0;
}

const struct gmhook__source gmhook__source_square = {
	.name = "square",
	.signature =
	        "x-square-hmacsha256-signature base64 HMAC-SHA256 of URL+body (legacy SHA-1 too)",
	.actions =
	        "payment COMPLETED with buyer e-mail -> contact, history S (ORD), Order detail row",
	.description = "Square payment.created / payment.updated (COMPLETED)",
	.label = "Square",
	.detect = detect,
	.extract = extract,
	.verify = verify,
	.validate = validate,
	.record = record,
	.mapping = "orders.json",
};
