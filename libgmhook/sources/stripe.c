/* SPDX-License-Identifier: MIT */
/*
 * Stripe: checkout.session.completed and charge.succeeded events (the
 * Event object, id "evt_..." as the event id). Stripe-Signature carries a
 * timestamp and one or more v1 HMACs of "<t>.<raw body>"; any may match
 * and the timestamp must be within the tolerance (300 s, as Stripe's
 * libraries). Amounts are integers in the currency's minor unit. A
 * completed session or a successful charge becomes a record of the
 * customer's details and the sale (see order.c), mapped by
 * libgmhook/mappings/orders.json; other event types are ignored.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "order.h"

#define VALIDATE GMHOOK_STAGE_VALIDATE

static const char checkout_type[] = "checkout.session.completed";
static const char charge_type[] = "charge.succeeded";

static bool is_handled(const char *type)
{
	return type && (strcmp(type, checkout_type) == 0 ||
	                strcmp(type, charge_type) == 0);
}

static int detect(const struct gmhook__delivery *d)
{
	const char *object;
	const char *id;

	if (gmhook__header(d->req, "Stripe-Signature")) {
		return 100;
	}
	if (d->format != GMHOOK__FORMAT_JSON) {
		return 0;
	}
	object = gmhook__get_str(d->body, "/object");
	id = gmhook__get_str(d->body, "/id");
	if (object && strcmp(object, "event") == 0 && id &&
	    strncmp(id, "evt_", 4) == 0 &&
	    json_object_is_type(gmhook__get(d->body, "/data/object"),
	                        json_type_object)) {
		return 90;
	}
	return 0;
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *type = gmhook__get_str(item->data, "/type");
	const char *id = gmhook__get_str(item->data, "/id");
	json_object *created = gmhook__get(item->data, "/created");
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
	if (json_object_is_type(created, json_type_int)) {
		gmhook__time_format_utc(json_object_get_int64(created), iso,
		                        sizeof(iso));
		json_object_object_add(item->meta, "time",
		                       json_object_new_string(iso));
	}
	return 0;
}

/* Stripe's libraries refuse signatures older than five minutes. */
#define DEFAULT_TOLERANCE 300

/* Does hex @p v1 match HMAC-SHA256("<t>.<body>") under any secret? */
static bool v1_matches(const struct gmhook__source_config *cfg, const char *t,
                       const struct gmhook_event *event, const char *v1,
                       size_t v1_len)
{
	const void *parts[3] = { t, ".", event->raw };
	size_t lens[3] = { strlen(t), 1, event->raw_len };
	unsigned char mac[64];
	size_t mac_len;
	size_t i;

	for (i = 0; i < cfg->n_secrets; i++) {
		const struct gmhook__secret *s = &cfg->secrets[i];

		mac_len = gmhook__hmac(GMHOOK__SHA256, s->key, s->len, parts,
		                       lens, 3, mac);
		if (gmhook__mac_equal_hex(mac, mac_len, v1, v1_len)) {
			return true;
		}
	}
	return false;
}

/* The next "key=value" element of a Stripe-Signature list. */
static const char *next_element(const char *p, const char **value,
                                size_t *value_len, char *key, size_t key_size)
{
	size_t n = strcspn(p, ",");
	const char *eq;
	size_t k;

	while (n > 0 && *p == ' ') {
		p++, n--;
	}
	eq = memchr(p, '=', n);
	k = eq ? (size_t) (eq - p) : 0;
	key[0] = '\0';
	*value = NULL;
	*value_len = 0;
	if (eq && k < key_size) {
		memcpy(key, p, k);
		key[k] = '\0';
		*value = eq + 1;
		*value_len = n - k - 1;
	}
	p += n;
	return *p == ',' ? p + 1 : p;
}

/* The t= element (digits only) into @p t; false when absent or bad. */
static bool find_timestamp(const char *header, char *t, size_t size,
                           int64_t *ts)
{
	const char *p = header;
	const char *v;
	size_t n;
	char key[8];

	while (*p) {
		p = next_element(p, &v, &n, key, sizeof(key));
		if (strcmp(key, "t") == 0 && n > 0 && n < size &&
		    strspn(v, "0123456789") >= n) {
			memcpy(t, v, n);
			t[n] = '\0';
			*ts = strtoll(t, NULL, 10);
			return true;
		}
	}
	return false;
}

/*
 * Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...][,v0=...]. Each v1 is
 * HMAC-SHA256(endpoint secret "whsec_...", "<t>.<raw body>"); during a
 * secret rotation there are two. v0 (test mode, SHA-1 era) is ignored.
 */
static int verify(struct gmhook_ctx *ctx, const struct gmhook_event *event,
                  const struct gmhook__source_config *cfg,
                  struct gmhook_error *err)
{
	static const char header[] = "Stripe-Signature";
	const char *value = gmhook__event_header(event, header);
	int64_t tolerance = cfg->tolerance ? cfg->tolerance : DEFAULT_TOLERANCE;
	const char *p;
	const char *v;
	size_t n;
	char key[8];
	char t[24];
	int64_t ts;
	int64_t age;
	bool match = false;

	(void) ctx;
	if (!value) {
		return gmhook__signature_fail(err, header, "missing");
	}
	if (!find_timestamp(value, t, sizeof(t), &ts)) {
		return gmhook__signature_fail(err, header, "no t= timestamp");
	}
	for (p = value; *p && !match;) {
		p = next_element(p, &v, &n, key, sizeof(key));
		if (strcmp(key, "v1") == 0) {
			match = v1_matches(cfg, t, event, v, n);
		}
	}
	if (!match) {
		return gmhook__signature_fail(
		        err, header, "no v1 signature matches the body");
	}
	age = gmhook__event_received(event) - ts;
	if (llabs((long long) age) > tolerance) {
		return gmhook__signature_fail(
		        err, header, "timestamp is outside the allowed window");
	}
	return 0;
}

/* Where the buyer's details are in each object. */
struct shape {
	const char *amount;
	const char *email[3];
	const char *name[2];
	const char *phone;
	const char *address_base;
	const char *address_rel[GMHOOK__ORDER_N_ADDRESS];
};

static const struct shape checkout_shape = {
	"/data/object/amount_total",
	{ "/data/object/customer_details/email", "/data/object/customer_email",
	  NULL },
	{ "/data/object/customer_details/name", NULL },
	"/data/object/customer_details/phone",
	"/data/object/customer_details/address",
	{ "/line1", "/line2", "/city", "/state", "/postal_code", "/country" },
};

static const struct shape charge_shape = {
	"/data/object/amount",
	{ "/data/object/billing_details/email", "/data/object/receipt_email",
	  NULL },
	{ "/data/object/billing_details/name", "/data/object/source/name" },
	"/data/object/billing_details/phone",
	"/data/object/billing_details/address",
	{ "/line1", "/line2", "/city", "/state", "/postal_code", "/country" },
};

/* Charges of API versions before 2019 keep the card's address on the
 * source object, with these names. */
static const char *const legacy_address_rel[GMHOOK__ORDER_N_ADDRESS] = {
	"/address_line1", "/address_line2", "/address_city",
	"/address_state", "/address_zip",   "/address_country",
};

static const struct shape *shape_of(const char *type)
{
	return strcmp(type, checkout_type) == 0 ? &checkout_shape
	                                        : &charge_shape;
}

static const char *nonempty(const char *s)
{
	return s && s[0] ? s : NULL;
}

static const char *email_pointer(json_object *data, const struct shape *s)
{
	size_t i;

	for (i = 0; s->email[i]; i++) {
		if (nonempty(gmhook__get_str(data, s->email[i]))) {
			return s->email[i];
		}
	}
	return s->email[0];
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

/* A setup-mode session collects a card and charges nothing. */
static bool is_setup_session(json_object *data)
{
	const char *mode = gmhook__get_str(data, "/data/object/mode");

	return mode && strcmp(mode, "setup") == 0;
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	const char *type = gmhook__get_str(item->data, "/type");
	const struct shape *s;
	int rc;

	(void) ctx;
	rc = require(item, "/id", json_type_string, "the event id", err);
	if (rc < 0 || !is_handled(type) || is_setup_session(item->data)) {
		return rc;
	}
	s = shape_of(type);
	rc = require(item, s->amount, json_type_int,
	             "the amount (an integer in the currency's minor unit)",
	             err);
	if (rc == 0) {
		rc = require(item, "/data/object/currency", json_type_string,
		             "the currency", err);
	}
	if (rc == 0) {
		rc = gmhook__validate_email(item, email_pointer(item->data, s),
		                            false, err);
	}
	return rc;
}

static void address_of(struct gmhook__order *o, json_object *data,
                       const struct shape *s)
{
	json_object *billing = gmhook__get(data, s->address_base);

	if (json_object_is_type(billing, json_type_object)) {
		gmhook__order_address_from(o, data, s->address_base,
		                           s->address_rel);
	}
	if (!o->address[GMHOOK__ORDER_ADDRESS1] &&
	    !o->address[GMHOOK__ORDER_CITY] &&
	    json_object_is_type(gmhook__get(data, "/data/object/source"),
	                        json_type_object)) {
		gmhook__order_address_from(o, data, "/data/object/source",
		                           legacy_address_rel);
	}
}

static void person_of(struct gmhook__order *o, json_object *data,
                      const struct shape *s)
{
	struct gmhook__person *p = &o->person;
	size_t i;

	p->email = nonempty(gmhook__get_str(data, email_pointer(data, s)));
	for (i = 0; i < 2 && s->name[i] && !p->name; i++) {
		p->name = nonempty(gmhook__get_str(data, s->name[i]));
		p->name_path = s->name[i];
	}
	p->phone = nonempty(gmhook__get_str(data, s->phone));
	p->phone_path = s->phone;
	address_of(o, data, s);
}

/*
 * The order number for the "Order" detail: the merchant's own
 * client_reference_id, else the PaymentIntent (shared by a session and
 * its charge, so both events name the same order), else the object id;
 * *@p path is where it was read.
 */
static const char *order_number(json_object *data, const char **path)
{
	static const char *const candidates[] = {
		"/data/object/client_reference_id",
		"/data/object/payment_intent",
		"/data/object/id",
		NULL,
	};
	size_t i;

	for (i = 0; candidates[i]; i++) {
		const char *s = nonempty(gmhook__get_str(data, candidates[i]));

		if (s) {
			*path = candidates[i];
			return s;
		}
	}
	*path = NULL;
	return NULL;
}

static void add_summary(struct gmhook__buf *notes, json_object *data,
                        const char *amount, const char *currency)
{
	static const struct {
		const char *label;
		const char *pointer;
	} lines[] = {
		{ "Description", "/data/object/description" },
		{ "Payment status", "/data/object/payment_status" },
		{ "Mode", "/data/object/mode" },
		{ "Stripe object", "/data/object/id" },
		{ "Payment intent", "/data/object/payment_intent" },
		{ "Customer", "/data/object/customer" },
		{ "Invoice", "/data/object/invoice" },
		{ "Receipt", "/data/object/receipt_number" },
		{ "Stripe event", "/id" },
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
	if (json_object_is_type(gmhook__get(data, "/livemode"),
	                        json_type_boolean) &&
	    !json_object_get_boolean(gmhook__get(data, "/livemode"))) {
		gmhook__buf_adds(notes, "Test mode\r\n");
	}
}

static void upper_copy(char *out, size_t size, const char *s)
{
	snprintf(out, size, "%s", s ? s : "");
	gmhook__str_upper(out);
}

static int record_sale(struct gmhook_ctx *ctx, struct gmhook__item *item,
                       struct gmhook__plan_builder *pb, const char *type,
                       struct gmhook_error *err)
{
	const struct shape *s = shape_of(type);
	json_object *created = gmhook__get(item->data, "/created");
	struct gmhook__order o = { 0 };
	struct gmhook__buf notes = { 0 };
	char currency[8];
	char amount[32];
	int rc;

	upper_copy(currency, sizeof(currency),
	           gmhook__get_str(item->data, "/data/object/currency"));
	gmhook__order_minor_units(
	        amount, sizeof(amount),
	        json_object_get_int64(gmhook__get(item->data, s->amount)),
	        currency);
	person_of(&o, item->data, s);
	o.number = order_number(item->data, &o.number_path);
	o.when = json_object_is_type(created, json_type_int)
	                 ? json_object_get_int64(created)
	                 : gmhook__now(ctx);
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
 * The record orders.json maps (docs/sources.md#stripe): the customer's
 * details, the order number, time, amount (converted from minor units)
 * and notes. Setup-mode sessions and other event types are ignored.
 */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	const char *type = gmhook__get_str(item->data, "/type");
	int rc;

	if (!is_handled(type)) {
		rc = gmhook__record_ignore(
		        item,
		        "not a checkout.session.completed or charge.succeeded Stripe event");
	} else if (is_setup_session(item->data)) {
		rc = gmhook__record_ignore(
		        item, "a setup-mode Checkout session charges nothing");
	} else {
		return record_sale(ctx, item, pb, type, err);
	}
	return rc ? gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_MAP, "",
	                              "out of memory")
	          : 0;
}

const struct gmhook__source gmhook__source_stripe = {
	.name = "stripe",
	.signature =
	        "Stripe-Signature t=,v1= HMAC-SHA256 of t.body, 300 s window",
	.actions =
	        "checkout.session.completed, charge.succeeded -> contact, history S (ORD), Order detail row",
	.description = "Stripe checkout.session.completed and charge.succeeded",
	.label = "Stripe",
	.detect = detect,
	.extract = extract,
	.verify = verify,
	.validate = validate,
	.record = record,
	.mapping = "orders.json",
};
