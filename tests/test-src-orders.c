/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the order sources (Shopify, WooCommerce, Stripe,
 * Square): detection, event type and id, validation errors with their
 * paths, and the plan each of our own payloads (tests/data/<provider>/)
 * becomes. Signatures are checked against vectors computed with openssl
 * and embedded here, their failures (tampered body, wrong secret, stale
 * timestamp, missing header, re-encoded JSON), and against every vector
 * of the shared corpus when /work/shared/corpus exists.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gmhook-private.h"
#include "sources/order.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#ifndef ORDERS_DATA
#define ORDERS_DATA "tests/data"
#endif

#define CORPUS "/work/shared/corpus"
#define NOW    1772460309 /* 2026-03-02T14:05:09Z */

#define MAX_HEADERS 4
#define MAX_FIELDS  16

/* ==== Helpers ==== */

static char *read_file(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;

	if (!f) {
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0) {
		len = ftell(f);
		rewind(f);
		buf = len >= 0 ? malloc((size_t) len + 1) : NULL;
		if (buf && fread(buf, 1, (size_t) len, f) != (size_t) len) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[len] = '\0';
			*len_out = (size_t) len;
		}
	}
	fclose(f);
	return buf;
}

static char *data_file(const char *name, size_t *len)
{
	char path[512];
	char *body;

	snprintf(path, sizeof(path), "%s/%s", ORDERS_DATA, name);
	body = read_file(path, len);
	if (!body) {
		fail_msg("cannot read %s", path);
	}
	return body;
}

static int setup_ctx(void **state)
{
	struct gmhook_ctx *ctx = NULL;

	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	tzset();
	assert_int_equal(gmhook_ctx_new(&ctx, NULL, NULL), 0);
	ctx->fixed_now = NOW;
	*state = ctx;
	return 0;
}

static int teardown_ctx(void **state)
{
	gmhook_ctx_free(*state);
	return 0;
}

/* Configure @p name with up to two secrets and a public URL; the context
 * frees them (gmhook__config_free). */
static void configure(struct gmhook_ctx *ctx, const char *name,
                      const char *secret1, const char *secret2,
                      const char *public_url)
{
	struct gmhook__source_config *sc = &ctx->sources[ctx->n_sources++];
	const char *secrets[2] = { secret1, secret2 };
	size_t i;

	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "%s", name);
	sc->enabled = true;
	for (i = 0; i < 2 && secrets[i]; i++) {
		char *key = gmhook__strdup(secrets[i]);

		sc->secrets[i].key = (unsigned char *) key;
		sc->secrets[i].len = strlen(secrets[i]);
		sc->n_secrets = i + 1;
	}
	sc->public_url = public_url ? gmhook__strdup(public_url) : NULL;
}

struct delivery {
	const char *body;
	size_t body_len;
	const char *content_type;
	const char *source; /* NULL: detect */
	const char *headers[MAX_HEADERS][2];
	int64_t received;
};

/* Parse and validate; the code of the first failing stage. */
static int parse_validate(struct gmhook_event **out, struct gmhook_ctx *ctx,
                          const struct delivery *d, struct gmhook_error *err)
{
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_header headers[MAX_HEADERS];
	size_t n = 0;
	int rc;

	for (n = 0; n < MAX_HEADERS && d->headers[n][0]; n++) {
		headers[n].name = d->headers[n][0];
		headers[n].value = d->headers[n][1];
	}
	req.body = d->body;
	req.body_len = d->body_len ? d->body_len : strlen(d->body);
	req.content_type = d->content_type;
	req.source = d->source;
	req.headers = headers;
	req.n_headers = n;
	req.received = d->received ? d->received : NOW;
	*out = NULL;
	rc = gmhook_parse(out, ctx, &req, err);
	if (rc == 0) {
		rc = gmhook_validate(ctx, *out, err);
	}
	return rc;
}

static const char *str_at(json_object *root, const char *pointer)
{
	json_object *v = gmhook__get(root, pointer);

	return v ? json_object_get_string(v) : NULL;
}

/* ==== Plans of our own payloads ==== */

struct field {
	const char *pointer; /* into the plan's event */
	const char *value;   /* NULL: must be absent */
};

struct map_case {
	const char *name;
	const char *file;
	const char *content_type;
	const char *headers[MAX_HEADERS][2];
	const char *source;
	const char *type;
	const char *id;
	const char *status;
	const char *actions; /* comma-separated action names */
	int n_warnings;      /* -1: not checked */
	const char *notes_contain;
	struct field fields[MAX_FIELDS];
};

#define UPSERT_DETAIL "contact.upsert,email.add,history.add,detail.add"

static const struct map_case map_cases[] = {
	{ "shopify orders/create with X-Shopify-Event-Id",
	  "shopify/orders-create.json",
	  "application/json",
	  { { "X-Shopify-Topic", "orders/create" },
	    { "X-Shopify-Event-Id", "7b1d0c9e-2f3a-4b5c-8d6e-0f1a2b3c4d5e" },
	    { "X-Shopify-Webhook-Id", "c0ffee00-1111-2222-3333-444455556666" },
	    { "X-Shopify-Shop-Domain", "teapots.myshopify.com" } },
	  "shopify",
	  "orders/create",
	  "7b1d0c9e-2f3a-4b5c-8d6e-0f1a2b3c4d5e",
	  "ok",
	  UPSERT_DETAIL,
	  0,
	  "2 x Linen Tea Towel - Blue [TT-BLUE] @ 24.95",
	  { { "/actions/0/match/email", "ingrid.holm@example.com" },
	    { "/actions/0/contact1/CONTACT", "Ingrid Holm" },
	    { "/actions/0/contact1/LASTNAME", "Holm" },
	    { "/actions/0/contact1/COMPANY", "Holm & Berg Design" },
	    { "/actions/0/contact1/PHONE1", "+1 617 555 0142" },
	    { "/actions/0/contact1/ADDRESS1", "42 Harbour Road" },
	    { "/actions/0/contact1/ADDRESS2", "Suite 5" },
	    { "/actions/0/contact1/CITY", "Boston" },
	    { "/actions/0/contact1/STATE", "MA" },
	    { "/actions/0/contact1/ZIP", "02110" },
	    { "/actions/0/contact1/COUNTRY", "United States" },
	    { "/actions/0/source", "Shopify" },
	    { "/actions/2/rectype", "S" },
	    { "/actions/2/resultcode", "NEW" },
	    { "/actions/2/duration", "123.45" },
	    { "/actions/2/units", "3" } } },
	{ "shopify orders/create: sale row and order detail",
	  "shopify/orders-create.json",
	  "application/json",
	  { { "X-Shopify-Topic", "orders/create" },
	    { "X-Shopify-Event-Id", "7b1d0c9e-2f3a-4b5c-8d6e-0f1a2b3c4d5e" } },
	  "shopify",
	  "orders/create",
	  "7b1d0c9e-2f3a-4b5c-8d6e-0f1a2b3c4d5e",
	  "ok",
	  UPSERT_DETAIL,
	  0,
	  "Shopify order id: 5829103847561234567",
	  { { "/actions/1/address", "ingrid.holm@example.com" },
	    { "/actions/2/actvcode", "ORD" },
	    { "/actions/2/ref", "Shopify order #1001" },
	    { "/actions/2/ondate", "2026-03-02" },
	    { "/actions/2/ontime", "14:14" },
	    { "/actions/3/name", "Order" },
	    { "/actions/3/reference", "#1001" } } },
	{ "shopify orders/paid keyed by X-Shopify-Webhook-Id",
	  "shopify/orders-create.json",
	  "application/json",
	  { { "X-Shopify-Topic", "orders/paid" },
	    { "X-Shopify-Webhook-Id",
	      "c0ffee00-1111-2222-3333-444455556666" } },
	  "shopify",
	  "orders/paid",
	  "c0ffee00-1111-2222-3333-444455556666",
	  "ok",
	  UPSERT_DETAIL,
	  0,
	  NULL,
	  { { "/actions/2/resultcode", "PAI" },
	    { "/actions/2/ontime", "14:20" },
	    { "/actions/3/reference", "#1001" } } },
	{ "shopify without event headers: 64-bit order id plus topic",
	  "shopify/orders-create.json",
	  "application/json",
	  { { "X-Shopify-Topic", "orders/create" } },
	  "shopify",
	  "orders/create",
	  "5829103847561234567:orders/create",
	  "ok",
	  UPSERT_DETAIL,
	  0,
	  NULL,
	  { { NULL, NULL } } },
	{ "shopify detected by shape, topic assumed with a warning",
	  "shopify/orders-create.json",
	  NULL,
	  { { NULL, NULL } },
	  "shopify",
	  "orders/create",
	  "5829103847561234567:orders/create",
	  "ok",
	  UPSERT_DETAIL,
	  1,
	  NULL,
	  { { "/warnings/0",
	      "no X-Shopify-Topic header; the order is taken as orders/create" } } },
	{ "shopify admin test notification is ignored",
	  "shopify/orders-create.json",
	  "application/json",
	  { { "X-Shopify-Topic", "orders/create" },
	    { "X-Shopify-Test", "true" } },
	  "shopify",
	  "orders/create",
	  "5829103847561234567:orders/create",
	  "ignored",
	  "",
	  0,
	  NULL,
	  { { NULL, NULL } } },
	{ "shopify orders/updated is ignored",
	  "shopify/orders-create.json",
	  "application/json",
	  { { "X-Shopify-Topic", "orders/updated" } },
	  "shopify",
	  "orders/updated",
	  "5829103847561234567:orders/updated",
	  "ignored",
	  "",
	  0,
	  NULL,
	  { { NULL, NULL } } },
	{ "shopify POS order matched on the phone, long values cut",
	  "shopify/orders-create-pos-phone.json",
	  "application/json",
	  { { "X-Shopify-Topic", "orders/create" } },
	  "shopify",
	  "orders/create",
	  "5829103847561239999:orders/create",
	  "ok",
	  "contact.upsert,history.add,detail.add",
	  2,
	  NULL,
	  { { "/actions/0/match/phone", "+46 8 555 0177" },
	    { "/actions/0/match/email", NULL },
	    { "/actions/0/contact1/CONTACT",
	      "Björn Åkesson-Lindqvist-Marklund" },
	    { "/actions/0/contact1/LASTNAME", "Åkesson-Lindqvi" },
	    { "/actions/0/contact1/ADDRESS1",
	      "Drottninggatan 108, 3 tr, c/o Stiftelsen" },
	    { "/actions/0/contact1/ZIP", "111 60" },
	    { "/actions/0/contact1/STATE", NULL },
	    { "/actions/1/duration", "1499.00" },
	    { "/warnings/0",
	      "/customer/default_address/last_name: LASTNAME cut from 26 to 15 characters to fit CONTACT1.LASTNAME" } } },
	{ "shopify minimal order without line items",
	  "shopify/orders-paid-minimal.json",
	  "application/json",
	  { { "X-Shopify-Topic", "orders/paid" } },
	  "shopify",
	  "orders/paid",
	  "1234567890123456789:orders/paid",
	  "ok",
	  UPSERT_DETAIL,
	  0,
	  "Total: 9.99 CAD",
	  { { "/actions/0/contact1/CONTACT", NULL },
	    { "/actions/2/duration", "9.99" },
	    { "/actions/2/units", NULL },
	    { "/actions/2/ref", "Shopify order 1234567890123456789" },
	    { "/actions/3/reference", "1234567890123456789" } } },
	{ "shopify order without e-mail or phone is ignored",
	  "shopify/orders-create-no-contact.json",
	  "application/json",
	  { { "X-Shopify-Topic", "orders/create" } },
	  "shopify",
	  "orders/create",
	  "5829103847561230000:orders/create",
	  "ignored",
	  "",
	  0,
	  NULL,
	  { { NULL, NULL } } },
	{ "woocommerce order.created",
	  "woocommerce/order-created.json",
	  "application/json",
	  { { "X-WC-Webhook-Topic", "order.created" },
	    { "X-WC-Webhook-Source", "https://shop.example/" },
	    { "X-WC-Webhook-Delivery-ID", "3f1b0e8c2d4a6b7c9e0f1a2b3c4d5e6f" },
	    { "User-Agent", "WooCommerce/8.6.1 Hookshot (WordPress/6.4.3)" } },
	  "woocommerce",
	  "order.created",
	  "order.created:1042:2026-03-02T15:40:15",
	  "ok",
	  UPSERT_DETAIL,
	  0,
	  "4 x Tazzina espresso = 26.23",
	  { { "/actions/0/match/email", "chiara.bellandi@example.it" },
	    { "/actions/0/contact1/CONTACT", "Chiara Bellandi" },
	    { "/actions/0/contact1/LASTNAME", "Bellandi" },
	    { "/actions/0/contact1/COMPANY", NULL },
	    { "/actions/0/contact1/ADDRESS1", "Via dei Servi 12" },
	    { "/actions/0/contact1/ADDRESS2", NULL },
	    { "/actions/0/contact1/CITY", "Firenze" },
	    { "/actions/0/contact1/STATE", "FI" },
	    { "/actions/0/contact1/ZIP", "50122" },
	    { "/actions/0/contact1/COUNTRY", "IT" },
	    { "/actions/2/resultcode", "NEW" },
	    { "/actions/2/duration", "69.90" },
	    { "/actions/2/units", "6" },
	    { "/actions/2/ref", "WooCommerce order #1042" },
	    { "/actions/2/ontime", "15:40" },
	    { "/actions/3/reference", "#1042" } } },
	{ "woocommerce order.updated is ignored",
	  "woocommerce/order-updated.json",
	  "application/json",
	  { { "X-WC-Webhook-Topic", "order.updated" } },
	  "woocommerce",
	  "order.updated",
	  "order.updated:1042:2026-03-04T09:00:00",
	  "ignored",
	  "",
	  0,
	  NULL,
	  { { NULL, NULL } } },
	{ "woocommerce ping form without headers is ignored",
	  "woocommerce/ping.form",
	  "application/x-www-form-urlencoded",
	  { { NULL, NULL } },
	  "woocommerce",
	  "webhook.ping",
	  "ping:7",
	  "ignored",
	  "",
	  0,
	  NULL,
	  { { NULL, NULL } } },
	{ "stripe checkout.session.completed",
	  "stripe/checkout-session-completed.json",
	  "application/json; charset=utf-8",
	  { { NULL, NULL } },
	  "stripe",
	  "checkout.session.completed",
	  "evt_1PqT8wLkdIwHu7ixQ0a1b2c3",
	  "ok",
	  UPSERT_DETAIL,
	  0,
	  "Total: 123.45 USD",
	  { { "/actions/0/match/email", "devon.marsh@example.com" },
	    { "/actions/0/contact1/CONTACT", "Devon Marsh" },
	    { "/actions/0/contact1/PHONE1", "+1 503 555 0188" },
	    { "/actions/0/contact1/ADDRESS1", "1200 NW Naito Pkwy" },
	    { "/actions/0/contact1/CITY", "Portland" },
	    { "/actions/0/contact1/STATE", "OR" },
	    { "/actions/0/contact1/ZIP", "97209" },
	    { "/actions/0/contact1/COUNTRY", "US" },
	    { "/actions/2/resultcode", "PAI" },
	    { "/actions/2/duration", "123.45" },
	    { "/actions/2/units", NULL },
	    { "/actions/2/ref", "Stripe checkout ORD-2026-0042" },
	    { "/actions/2/ontime", "14:05" },
	    { "/actions/3/reference", "ORD-2026-0042" } } },
	{ "stripe charge.succeeded in a zero-decimal currency",
	  "stripe/charge-succeeded-jpy.json",
	  "application/json; charset=utf-8",
	  { { NULL, NULL } },
	  "stripe",
	  "charge.succeeded",
	  "evt_3PqU1aLkdIwHu7ix0ZyXwVuT",
	  "ok",
	  UPSERT_DETAIL,
	  0,
	  "Test mode",
	  { { "/actions/0/match/email", "haruto.sato@example.jp" },
	    { "/actions/0/contact1/CONTACT", "Haruto Sato" },
	    { "/actions/0/contact1/ZIP", "600-8001" },
	    { "/actions/0/contact1/COUNTRY", "JP" },
	    { "/actions/2/duration", "2000" },
	    { "/actions/2/ref", "Stripe charge pi_3PqU1aLkdIwHu7ix0AsDfGhJ" },
	    { "/actions/3/reference", "pi_3PqU1aLkdIwHu7ix0AsDfGhJ" } } },
	{ "stripe payment_intent.created is ignored",
	  "stripe/payment-intent-created.json",
	  "application/json",
	  { { NULL, NULL } },
	  "stripe",
	  "payment_intent.created",
	  "evt_3PqU1ZLkdIwHu7ix0PoIuYtR",
	  "ignored",
	  "",
	  0,
	  NULL,
	  { { NULL, NULL } } },
	{ "square COMPLETED payment with buyer e-mail",
	  "square/payment-updated-completed.json",
	  "application/json",
	  { { "square-environment", "Production" } },
	  "square",
	  "payment.updated",
	  "payment:R9tFakePaymentId0001abcd:COMPLETED",
	  "ok",
	  UPSERT_DETAIL,
	  0,
	  "Note: Two loaves, one sourdough",
	  { { "/actions/0/match/email", "rosa.delgado@example.org" },
	    { "/actions/0/contact1/CONTACT", "Rosa Delgado" },
	    { "/actions/0/contact1/LASTNAME", "Delgado" },
	    { "/actions/0/contact1/ADDRESS1", "77 Mission Street" },
	    { "/actions/0/contact1/ADDRESS2", "Floor 2" },
	    { "/actions/0/contact1/CITY", "San Francisco" },
	    { "/actions/0/contact1/STATE", "CA" },
	    { "/actions/0/contact1/ZIP", "94105" },
	    { "/actions/2/duration", "45.99" },
	    { "/actions/2/resultcode", "PAI" },
	    { "/actions/2/ondate", "2026-03-02" },
	    { "/actions/2/ontime", "18:22" },
	    { "/actions/2/ref", "Square order qW3FakeOrderId0001xyzAB" },
	    { "/actions/3/reference", "qW3FakeOrderId0001xyzAB" } } },
	{ "square APPROVED payment is ignored",
	  "square/payment-created-approved.json",
	  "application/json",
	  { { NULL, NULL } },
	  "square",
	  "payment.created",
	  "0a9b8c7d-6e5f-4a3b-9c1d-2e3f4a5b6c7d",
	  "ignored",
	  "",
	  0,
	  NULL,
	  { { NULL, NULL } } },
	{ "square payment without buyer e-mail is ignored",
	  "square/payment-created-cash-no-email.json",
	  "application/json",
	  { { NULL, NULL } },
	  "square",
	  "payment.created",
	  "payment:K2pFakePaymentId0002efgh:COMPLETED",
	  "ignored",
	  "",
	  0,
	  NULL,
	  { { "/reason",
	      "the Square payment has no buyer_email_address, so no GoldMine contact can be found or created for it" } } },
	{ "square test notification is ignored",
	  "square/test-notification.json",
	  "application/json",
	  { { NULL, NULL } },
	  "square",
	  "webhooks.test_notification",
	  "2c3d4e5f-6071-4829-9a0b-1c2d3e4f5a6b",
	  "ignored",
	  "",
	  0,
	  NULL,
	  { { NULL, NULL } } },
};

static void action_names(char *out, size_t size, json_object *actions)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < json_object_array_length(actions); i++) {
		const char *name = str_at(json_object_array_get_idx(actions, i),
		                          "/action");

		snprintf(out + strlen(out), size - strlen(out), "%s%s",
		         i ? "," : "", name ? name : "?");
	}
}

static void check_fields(const struct map_case *c, json_object *ev)
{
	size_t i;

	for (i = 0; i < MAX_FIELDS && c->fields[i].pointer; i++) {
		const char *got = str_at(ev, c->fields[i].pointer);

		if (!c->fields[i].value) {
			if (got) {
				fail_msg("%s: %s is \"%s\", expected absent",
				         c->name, c->fields[i].pointer, got);
			}
			continue;
		}
		if (!got || strcmp(got, c->fields[i].value) != 0) {
			fail_msg("%s: %s is \"%s\", expected \"%s\"", c->name,
			         c->fields[i].pointer, got ? got : "(absent)",
			         c->fields[i].value);
		}
	}
}

static void check_plan(const struct map_case *c, json_object *plan)
{
	json_object *ev = gmhook__get(plan, "/events/0");
	const char *notes = str_at(ev, "/actions/2/notes");
	char names[256];

	assert_string_equal(str_at(plan, "/source"), c->source);
	assert_string_equal(str_at(ev, "/type"), c->type);
	assert_string_equal(str_at(ev, "/id"), c->id);
	assert_string_equal(str_at(ev, "/status"), c->status);
	action_names(names, sizeof(names), gmhook__get(ev, "/actions"));
	assert_string_equal(names, c->actions);
	if (c->n_warnings >= 0) {
		assert_int_equal(
		        json_object_array_length(gmhook__get(ev, "/warnings")),
		        c->n_warnings);
	}
	if (c->notes_contain && (!notes || !strstr(notes, c->notes_contain))) {
		fail_msg("%s: notes \"%s\" lack \"%s\"", c->name,
		         notes ? notes : "(none)", c->notes_contain);
	}
	check_fields(c, ev);
}

static void run_map_case(struct gmhook_ctx *ctx, const struct map_case *c)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event = NULL;
	struct gmhook_plan *plan = NULL;
	struct delivery d = { 0 };
	char *body;
	size_t len = 0;
	int rc;

	body = data_file(c->file, &len);
	d.body = body;
	d.body_len = len;
	d.content_type = c->content_type;
	memcpy(d.headers, c->headers, sizeof(d.headers));
	rc = parse_validate(&event, ctx, &d, &err);
	if (rc == 0) {
		rc = gmhook_map(&plan, ctx, event, &err);
	}
	if (rc != 0) {
		fail_msg("%s: %s %s at \"%s\"", c->name, gmhook_code_name(rc),
		         err.message, err.path);
	}
	check_plan(c, plan->doc);
	gmhook_plan_free(plan);
	gmhook_event_free(event);
	free(body);
}

static void orders_map_own_payloads_give_expected_plans(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(map_cases) / sizeof(map_cases[0]); i++) {
		print_message("# %s\n", map_cases[i].name);
		run_map_case(*state, &map_cases[i]);
	}
}

/* ==== Validation errors ==== */

struct error_case {
	const char *name;
	const char *source;
	const char *topic_header[2];
	const char *body;
	int code;
	const char *path;
};

static const struct error_case error_cases[] = {
	{ "shopify total_price as a number",
	  "shopify",
	  { "X-Shopify-Topic", "orders/create" },
	  "{\"id\":1,\"email\":\"a@example.com\",\"total_price\":12.5}",
	  GMHOOK_EVALIDATE,
	  "/total_price" },
	{ "shopify invalid e-mail",
	  "shopify",
	  { "X-Shopify-Topic", "orders/paid" },
	  "{\"id\":1,\"email\":\"not an address\",\"total_price\":\"1.00\"}",
	  GMHOOK_EVALIDATE,
	  "/email" },
	{ "shopify order without id",
	  "shopify",
	  { "X-Shopify-Topic", "orders/create" },
	  "{\"email\":\"a@example.com\",\"total_price\":\"1.00\"}",
	  GMHOOK_EVALIDATE,
	  "/id" },
	{ "shopify bad created_at",
	  "shopify",
	  { "X-Shopify-Topic", "orders/create" },
	  "{\"id\":1,\"total_price\":\"1.00\",\"created_at\":\"yesterday\"}",
	  GMHOOK_EVALIDATE,
	  "/created_at" },
	{ "woocommerce total missing",
	  "woocommerce",
	  { "X-WC-Webhook-Topic", "order.created" },
	  "{\"id\":5,\"billing\":{\"email\":\"a@example.com\"}}",
	  GMHOOK_EVALIDATE,
	  "/total" },
	{ "woocommerce invalid billing e-mail",
	  "woocommerce",
	  { "X-WC-Webhook-Topic", "order.created" },
	  "{\"id\":5,\"total\":\"1.00\",\"billing\":{\"email\":\"a@b\"}}",
	  GMHOOK_EVALIDATE,
	  "/billing/email" },
	{ "stripe event without id",
	  "stripe",
	  { NULL, NULL },
	  "{\"object\":\"event\",\"type\":\"charge.succeeded\",\"data\":{\"object\":{}}}",
	  GMHOOK_EVALIDATE,
	  "/id" },
	{ "stripe checkout amount_total as a string",
	  "stripe",
	  { NULL, NULL },
	  "{\"id\":\"evt_1\",\"type\":\"checkout.session.completed\",\"data\":{\"object\":{\"amount_total\":\"10.00\",\"currency\":\"usd\"}}}",
	  GMHOOK_EVALIDATE,
	  "/data/object/amount_total" },
	{ "stripe charge without currency",
	  "stripe",
	  { NULL, NULL },
	  "{\"id\":\"evt_1\",\"type\":\"charge.succeeded\",\"data\":{\"object\":{\"amount\":100}}}",
	  GMHOOK_EVALIDATE,
	  "/data/object/currency" },
	{ "square completed payment without amount",
	  "square",
	  { NULL, NULL },
	  "{\"event_id\":\"e1\",\"type\":\"payment.updated\",\"data\":{\"object\":{\"payment\":{\"status\":\"COMPLETED\",\"total_money\":{\"currency\":\"USD\"}}}}}",
	  GMHOOK_EVALIDATE,
	  "/data/object/payment/total_money/amount" },
	{ "square invalid buyer e-mail",
	  "square",
	  { NULL, NULL },
	  "{\"event_id\":\"e1\",\"type\":\"payment.created\",\"data\":{\"object\":{\"payment\":{\"status\":\"COMPLETED\",\"amount_money\":{\"amount\":5,\"currency\":\"USD\"},\"buyer_email_address\":\"x@\"}}}}",
	  GMHOOK_EVALIDATE,
	  "/data/object/payment/buyer_email_address" },
	{ "square event without event_id",
	  "square",
	  { NULL, NULL },
	  "{\"type\":\"payment.created\",\"data\":{}}",
	  GMHOOK_EVALIDATE,
	  "/event_id" },
};

static void orders_validate_reports_code_and_path(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		const struct error_case *c = &error_cases[i];
		struct gmhook_error err = GMHOOK_ERROR_INIT;
		struct gmhook_event *event = NULL;
		struct delivery d = { 0 };
		int rc;

		print_message("# %s\n", c->name);
		d.body = c->body;
		d.content_type = "application/json";
		d.source = c->source;
		d.headers[0][0] = c->topic_header[0];
		d.headers[0][1] = c->topic_header[1];
		rc = parse_validate(&event, *state, &d, &err);
		assert_int_equal(rc, c->code);
		assert_string_equal(err.path, c->path);
		gmhook_event_free(event);
	}
}

/* ==== Amounts ==== */

static void orders_minor_units_follow_the_currency(void **state)
{
	static const struct {
		int64_t amount;
		const char *currency;
		const char *text;
	} cases[] = {
		{ 1000, "eur", "10.00" }, { 5, "USD", "0.05" },
		{ 500, "jpy", "500" },    { 12345, "KWD", "12.345" },
		{ -250, "usd", "-2.50" }, { 0, "gbp", "0.00" },
	};

	char buf[32];
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gmhook__order_minor_units(buf, sizeof(buf), cases[i].amount,
		                          cases[i].currency);
		assert_string_equal(buf, cases[i].text);
	}
}

/* ==== Signatures: our own vectors (computed with openssl) ==== */

/*
 * printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary |
 * base64; Stripe: printf '%s' "$T.$BODY" | openssl dgst -sha256 -hmac
 * "$SECRET"; Square: the URL before the body, and -sha1 for the legacy
 * header.
 */
#define SHOP_BODY                                                            \
	"{\"id\":5829103847561234567,\"email\":\"ingrid.holm@example.com\"," \
	"\"name\":\"#1001\",\"total_price\":\"123.45\",\"line_items\":["     \
	"{\"name\":\"Stoneware Teapot\",\"quantity\":1}]}"
#define SHOP_SECRET "shpss_gmhook_unit_test"
#define SHOP_SIG    "bHQ1hoAgzP1ZjqzomToT4xU6rhRekvDnCYiztQh/4XI="

#define WOO_BODY                                                          \
	"{\"id\":1042,\"number\":\"1042\",\"order_key\":"                 \
	"\"wc_order_Qm3xT7pLk2vRa\",\"total\":\"69.90\","                 \
	"\"date_modified_gmt\":\"2026-03-02T15:40:15\",\"billing\":{"     \
	"\"first_name\":\"Chiara\",\"last_name\":\"Bellandi\",\"email\":" \
	"\"chiara.bellandi@example.it\"},\"line_items\":[]}"
#define WOO_SECRET "wc-gmhook-unit-secret"
#define WOO_SIG    "KZAv+GT6hblyiEDKepPHLYnAWcqXs3gVk96X4TgxOcI="

#define STRIPE_BODY                                                 \
	"{\n  \"id\": \"evt_1GmhookUnitTest0001\",\n"               \
	"  \"object\": \"event\",\n  \"created\": 1772460300,\n"    \
	"  \"data\": {\n    \"object\": {\n"                        \
	"      \"id\": \"ch_1GmhookUnitTest0001\",\n"               \
	"      \"object\": \"charge\",\n      \"amount\": 12345,\n" \
	"      \"currency\": \"usd\",\n"                            \
	"      \"receipt_email\": \"devon.marsh@example.com\"\n"    \
	"    }\n  },\n  \"type\": \"charge.succeeded\"\n}"
#define STRIPE_SECRET "whsec_gmhook_unit_test"
#define STRIPE_T      1772460300
#define STRIPE_V1 \
	"dcc60277739e27912535b277b7ade8bdb571265497ac15e5bfeba6adabdce0ff"
#define STRIPE_SIG "t=1772460300,v1=" STRIPE_V1
#define STRIPE_OTHER_V1 \
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

#define SQ_BODY                                                             \
	"{\"merchant_id\":\"MLQ2FAKE0MERCH\",\"type\":\"payment.updated\"," \
	"\"event_id\":\"9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4\","            \
	"\"created_at\":\"2026-03-02T18:22:41.511928403Z\",\"data\":{"      \
	"\"type\":\"payment\",\"id\":\"P1\",\"object\":{\"payment\":{"      \
	"\"id\":\"P1\",\"status\":\"COMPLETED\",\"buyer_email_address\":"   \
	"\"rosa.delgado@example.org\",\"total_money\":{\"amount\":4599,"    \
	"\"currency\":\"USD\"}}}}}"
#define SQ_URL    "https://crm.example.com/gmhook/square"
#define SQ_KEY    "sq-gmhook-unit-key"
#define SQ_SIG256 "F6Ycdf/Y+6q/NQkL82GydYFvbHEvqPHukMa7OGUnGpk="
#define SQ_SIG1   "M13/5mhrxpAq9xUajv+THFjUw1w="

#define H_SHOP   "X-Shopify-Hmac-Sha256"
#define H_WOO    "X-WC-Webhook-Signature"
#define H_STRIPE "Stripe-Signature"
#define H_SQ256  "x-square-hmacsha256-signature"
#define H_SQ1    "x-square-signature"

enum mutation {
	AS_SENT,
	TAMPERED,  /* one digit of the body changed */
	REENCODED, /* the same JSON with other white space */
};

struct sig_case {
	const char *name;
	const char *source;
	const char *body;
	enum mutation mutation;
	const char *headers[2][2];
	const char *secrets[2];
	const char *public_url;
	int64_t received; /* 0: NOW */
	int code;
};

static const struct sig_case sig_cases[] = {
	/* Shopify */
	{ "shopify valid",
	  "shopify",
	  SHOP_BODY,
	  AS_SENT,
	  { { H_SHOP, SHOP_SIG } },
	  { SHOP_SECRET },
	  NULL,
	  0,
	  0 },
	{ "shopify header name in lower case",
	  "shopify",
	  SHOP_BODY,
	  AS_SENT,
	  { { "x-shopify-hmac-sha256", SHOP_SIG } },
	  { SHOP_SECRET },
	  NULL,
	  0,
	  0 },
	{ "shopify second secret during a rotation",
	  "shopify",
	  SHOP_BODY,
	  AS_SENT,
	  { { H_SHOP, SHOP_SIG } },
	  { "shpss_new_one", SHOP_SECRET },
	  NULL,
	  0,
	  0 },
	{ "shopify tampered body",
	  "shopify",
	  SHOP_BODY,
	  TAMPERED,
	  { { H_SHOP, SHOP_SIG } },
	  { SHOP_SECRET },
	  NULL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "shopify re-encoded JSON",
	  "shopify",
	  SHOP_BODY,
	  REENCODED,
	  { { H_SHOP, SHOP_SIG } },
	  { SHOP_SECRET },
	  NULL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "shopify wrong secret",
	  "shopify",
	  SHOP_BODY,
	  AS_SENT,
	  { { H_SHOP, SHOP_SIG } },
	  { "shpss_wrong" },
	  NULL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "shopify missing header",
	  "shopify",
	  SHOP_BODY,
	  AS_SENT,
	  { { "X-Shopify-Topic", "orders/create" } },
	  { SHOP_SECRET },
	  NULL,
	  0,
	  GMHOOK_ESIGNATURE },
	/* WooCommerce */
	{ "woocommerce valid",
	  "woocommerce",
	  WOO_BODY,
	  AS_SENT,
	  { { H_WOO, WOO_SIG } },
	  { WOO_SECRET },
	  NULL,
	  0,
	  0 },
	{ "woocommerce tampered body",
	  "woocommerce",
	  WOO_BODY,
	  TAMPERED,
	  { { H_WOO, WOO_SIG } },
	  { WOO_SECRET },
	  NULL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "woocommerce re-encoded JSON",
	  "woocommerce",
	  WOO_BODY,
	  REENCODED,
	  { { H_WOO, WOO_SIG } },
	  { WOO_SECRET },
	  NULL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "woocommerce wrong secret",
	  "woocommerce",
	  WOO_BODY,
	  AS_SENT,
	  { { H_WOO, WOO_SIG } },
	  { "ck_consumer_secret" },
	  NULL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "woocommerce missing header",
	  "woocommerce",
	  WOO_BODY,
	  AS_SENT,
	  { { "X-WC-Webhook-Topic", "order.created" } },
	  { WOO_SECRET },
	  NULL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "woocommerce empty header",
	  "woocommerce",
	  WOO_BODY,
	  AS_SENT,
	  { { H_WOO, "" } },
	  { WOO_SECRET },
	  NULL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "woocommerce unsigned ping passes",
	  "woocommerce",
	  "webhook_id=7",
	  AS_SENT,
	  { { NULL, NULL } },
	  { WOO_SECRET },
	  NULL,
	  0,
	  0 },
	/* Stripe */
	{ "stripe valid",
	  "stripe",
	  STRIPE_BODY,
	  AS_SENT,
	  { { H_STRIPE, STRIPE_SIG } },
	  { STRIPE_SECRET },
	  NULL,
	  0,
	  0 },
	{ "stripe any v1 may match",
	  "stripe",
	  STRIPE_BODY,
	  AS_SENT,
	  { { H_STRIPE, "t=1772460300,v1=" STRIPE_OTHER_V1 ",v1=" STRIPE_V1
	                ",v0=" STRIPE_OTHER_V1 } },
	  { STRIPE_SECRET },
	  NULL,
	  0,
	  0 },
	{ "stripe second secret during a rotation",
	  "stripe",
	  STRIPE_BODY,
	  AS_SENT,
	  { { H_STRIPE, STRIPE_SIG } },
	  { "whsec_rolled", STRIPE_SECRET },
	  NULL,
	  0,
	  0 },
	{ "stripe 300 s old is still in the window",
	  "stripe",
	  STRIPE_BODY,
	  AS_SENT,
	  { { H_STRIPE, STRIPE_SIG } },
	  { STRIPE_SECRET },
	  NULL,
	  STRIPE_T + 300,
	  0 },
	{ "stripe stale timestamp",
	  "stripe",
	  STRIPE_BODY,
	  AS_SENT,
	  { { H_STRIPE, STRIPE_SIG } },
	  { STRIPE_SECRET },
	  NULL,
	  STRIPE_T + 301,
	  GMHOOK_ESIGNATURE },
	{ "stripe timestamp from the future",
	  "stripe",
	  STRIPE_BODY,
	  AS_SENT,
	  { { H_STRIPE, STRIPE_SIG } },
	  { STRIPE_SECRET },
	  NULL,
	  STRIPE_T - 301,
	  GMHOOK_ESIGNATURE },
	{ "stripe tampered body",
	  "stripe",
	  STRIPE_BODY,
	  TAMPERED,
	  { { H_STRIPE, STRIPE_SIG } },
	  { STRIPE_SECRET },
	  NULL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "stripe re-encoded JSON",
	  "stripe",
	  STRIPE_BODY,
	  REENCODED,
	  { { H_STRIPE, STRIPE_SIG } },
	  { STRIPE_SECRET },
	  NULL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "stripe wrong secret",
	  "stripe",
	  STRIPE_BODY,
	  AS_SENT,
	  { { H_STRIPE, STRIPE_SIG } },
	  { "whsec_other" },
	  NULL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "stripe missing header",
	  "stripe",
	  STRIPE_BODY,
	  AS_SENT,
	  { { NULL, NULL } },
	  { STRIPE_SECRET },
	  NULL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "stripe header without t=",
	  "stripe",
	  STRIPE_BODY,
	  AS_SENT,
	  { { H_STRIPE, "v1=" STRIPE_V1 } },
	  { STRIPE_SECRET },
	  NULL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "stripe timestamp changed",
	  "stripe",
	  STRIPE_BODY,
	  AS_SENT,
	  { { H_STRIPE, "t=1772460301,v1=" STRIPE_V1 } },
	  { STRIPE_SECRET },
	  NULL,
	  0,
	  GMHOOK_ESIGNATURE },
	/* Square */
	{ "square valid (SHA-256)",
	  "square",
	  SQ_BODY,
	  AS_SENT,
	  { { H_SQ256, SQ_SIG256 }, { H_SQ1, SQ_SIG1 } },
	  { SQ_KEY },
	  SQ_URL,
	  0,
	  0 },
	{ "square legacy SHA-1 header alone",
	  "square",
	  SQ_BODY,
	  AS_SENT,
	  { { H_SQ1, SQ_SIG1 } },
	  { SQ_KEY },
	  SQ_URL,
	  0,
	  0 },
	{ "square URL from X-Gmhook-Url",
	  "square",
	  SQ_BODY,
	  AS_SENT,
	  { { H_SQ256, SQ_SIG256 }, { "X-Gmhook-Url", SQ_URL } },
	  { SQ_KEY },
	  NULL,
	  0,
	  0 },
	{ "square URL with a trailing slash",
	  "square",
	  SQ_BODY,
	  AS_SENT,
	  { { H_SQ256, SQ_SIG256 } },
	  { SQ_KEY },
	  SQ_URL "/",
	  0,
	  GMHOOK_ESIGNATURE },
	{ "square tampered body",
	  "square",
	  SQ_BODY,
	  TAMPERED,
	  { { H_SQ256, SQ_SIG256 } },
	  { SQ_KEY },
	  SQ_URL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "square re-encoded JSON",
	  "square",
	  SQ_BODY,
	  REENCODED,
	  { { H_SQ256, SQ_SIG256 } },
	  { SQ_KEY },
	  SQ_URL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "square wrong key",
	  "square",
	  SQ_BODY,
	  AS_SENT,
	  { { H_SQ256, SQ_SIG256 } },
	  { "sq-other-key" },
	  SQ_URL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "square missing header",
	  "square",
	  SQ_BODY,
	  AS_SENT,
	  { { "square-version", "2026-01-22" } },
	  { SQ_KEY },
	  SQ_URL,
	  0,
	  GMHOOK_ESIGNATURE },
	{ "square without a notification URL",
	  "square",
	  SQ_BODY,
	  AS_SENT,
	  { { H_SQ256, SQ_SIG256 } },
	  { SQ_KEY },
	  NULL,
	  0,
	  GMHOOK_ECONFIG },
};

/* The body as the case sends it; caller frees. */
static char *mutate(const char *body, enum mutation m)
{
	json_object *doc;
	char *out;
	char *p;

	if (m == REENCODED) {
		doc = json_tokener_parse(body);
		assert_non_null(doc);
		out = gmhook__strdup(json_object_to_json_string_ext(
		        doc, strchr(body, '\n') ? JSON_C_TO_STRING_PLAIN
		                                : JSON_C_TO_STRING_PRETTY));
		json_object_put(doc);
		assert_string_not_equal(out, body);
		return out;
	}
	out = gmhook__strdup(body);
	assert_non_null(out);
	p = strpbrk(out, "0123456789");
	if (m == TAMPERED && p) {
		*p = *p == '9' ? '0' : (char) (*p + 1);
	}
	return out;
}

static void run_sig_case(const struct sig_case *c)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event = NULL;
	struct gmhook_ctx *ctx = NULL;
	struct delivery d = { 0 };
	char *body = mutate(c->body, c->mutation);
	int rc;

	assert_int_equal(gmhook_ctx_new(&ctx, NULL, NULL), 0);
	ctx->fixed_now = NOW;
	configure(ctx, c->source, c->secrets[0], c->secrets[1], c->public_url);
	d.body = body;
	d.content_type = body[0] == '{' ? "application/json"
	                                : "application/x-www-form-urlencoded";
	d.source = c->source;
	memcpy(d.headers, c->headers, sizeof(c->headers));
	d.received = c->received;
	rc = parse_validate(&event, ctx, &d, &err);
	if (rc != c->code) {
		fail_msg("%s: got %s (%s), expected %s", c->name,
		         gmhook_code_name(rc), err.message,
		         gmhook_code_name(c->code));
	}
	if (rc == GMHOOK_ESIGNATURE) {
		assert_string_equal(err.path, "");
		assert_int_equal(err.stage, GMHOOK_STAGE_VALIDATE);
	}
	gmhook_event_free(event);
	gmhook_ctx_free(ctx);
	free(body);
}

static void orders_own_signature_vectors_verify_or_fail(void **state)
{
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(sig_cases) / sizeof(sig_cases[0]); i++) {
		print_message("# %s\n", sig_cases[i].name);
		run_sig_case(&sig_cases[i]);
	}
}

/* A secret configured: a forged order never reaches map. */
static void orders_unsigned_order_is_refused_with_secret(void **state)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event = NULL;
	struct delivery d = { 0 };
	struct gmhook_ctx *ctx = *state;

	configure(ctx, "shopify", SHOP_SECRET, NULL, NULL);
	d.body = SHOP_BODY;
	d.content_type = "application/json";
	d.headers[0][0] = "X-Shopify-Topic";
	d.headers[0][1] = "orders/create";
	assert_int_equal(parse_validate(&event, ctx, &d, &err),
	                 GMHOOK_ESIGNATURE);
	assert_string_equal(gmhook_event_source(event), "shopify");
	assert_false(event->validated);
	gmhook_event_free(event);
}

/* ==== Signatures: the shared corpus's vectors ==== */

struct corpus_vector {
	char provider[16];
	char path[600];
	char test_name[320];
};

static char *vector_body(json_object *v, size_t *len)
{
	const char *payload = gmhook__get_str(v, "/payload");
	const char *file = gmhook__get_str(v, "/payload_file");
	const char *sha = gmhook__get_str(v, "/payload_sha256");
	char path[512];
	char hex[65];
	char *body;

	if (payload) {
		*len = strlen(payload);
		return gmhook__strdup(payload);
	}
	assert_non_null(file);
	snprintf(path, sizeof(path), "%s/%s", CORPUS, file);
	body = read_file(path, len);
	assert_non_null(body);
	if (sha) {
		gmhook__sha256_hex(body, *len, hex);
		assert_string_equal(hex, sha);
	}
	return body;
}

/* The header a vector names, without its commentary. */
static void vector_header(char *out, size_t size, json_object *v)
{
	const char *h = gmhook__get_str(v, "/header");

	assert_non_null(h);
	snprintf(out, size, "%.*s", (int) strcspn(h, " ("), h);
}

/* Verify @p body under @p secret with header @p name: @p value. */
static int verify_vector(const char *provider, const char *body, size_t len,
                         const char *name, const char *value,
                         const char *secret, const char *url, int64_t received)
{
	const struct gmhook__source *src = gmhook__source_find(provider);
	struct gmhook__source_config cfg;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event = NULL;
	struct gmhook_ctx *ctx = NULL;
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_header header = { name, value };
	int rc;

	assert_non_null(src);
	assert_non_null(src->verify);
	assert_int_equal(gmhook_ctx_new(&ctx, NULL, NULL), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.secrets[0].key = (unsigned char *) secret;
	cfg.secrets[0].len = strlen(secret);
	cfg.n_secrets = 1;
	cfg.public_url = (char *) url;
	req.body = body;
	req.body_len = len;
	req.content_type = "application/json";
	req.source = provider;
	req.headers = &header;
	req.n_headers = 1;
	req.received = received;
	assert_int_equal(gmhook_parse(&event, ctx, &req, &err), 0);
	rc = src->verify(ctx, event, &cfg, &err);
	gmhook_event_free(event);
	gmhook_ctx_free(ctx);
	return rc;
}

static void orders_corpus_vector_verifies(void **state)
{
	const struct corpus_vector *cv = *state;
	json_object *v = json_object_from_file(cv->path);
	const char *value;
	const char *secret;
	const char *url;
	const char *ts;
	const char *also;
	char header[64];
	char *body;
	size_t len = 0;
	int64_t received = NOW;

	assert_non_null(v);
	body = vector_body(v, &len);
	vector_header(header, sizeof(header), v);
	value = gmhook__get_str(v, "/header_value");
	if (!value) {
		value = gmhook__get_str(v, "/expected_signature");
	}
	secret = gmhook__get_str(v, "/secret");
	url = gmhook__get_str(v, "/notification_url");
	ts = gmhook__get_str(v, "/timestamp");
	if (ts) {
		received = strtoll(ts, NULL, 10);
	}
	assert_non_null(value);
	assert_non_null(secret);
	assert_int_equal(verify_vector(cv->provider, body, len, header, value,
	                               secret, url, received),
	                 0);
	assert_int_equal(verify_vector(cv->provider, body, len, header, value,
	                               "not-the-secret", url, received),
	                 GMHOOK_ESIGNATURE);
	also = gmhook__get_str(v, "/also_derived_sha256_header_value");
	if (also) {
		assert_int_equal(verify_vector(cv->provider, body, len, H_SQ256,
		                               also, secret, url, received),
		                 0);
	}
	free(body);
	json_object_put(v);
}

#define MAX_VECTORS 32

/* One test per vector file under corpus/<provider>/vectors/; none when
 * the corpus is absent. */
static size_t find_corpus_vectors(struct corpus_vector *out, size_t max)
{
	static const char *const providers[] = { "shopify", "woocommerce",
		                                 "stripe", "square", NULL };
	size_t n = 0;
	size_t i;

	for (i = 0; providers[i]; i++) {
		char dir[256];
		DIR *d;
		struct dirent *e;

		snprintf(dir, sizeof(dir), "%s/%s/vectors", CORPUS,
		         providers[i]);
		d = opendir(dir);
		while (d && n < max) {
			e = readdir(d);
			if (!e) {
				break;
			}
			if (!strstr(e->d_name, ".json")) {
				continue;
			}
			snprintf(out[n].provider, sizeof(out[n].provider), "%s",
			         providers[i]);
			snprintf(out[n].path, sizeof(out[n].path), "%s/%s", dir,
			         e->d_name);
			snprintf(out[n].test_name, sizeof(out[n].test_name),
			         "orders_corpus_vector_%s_%s_verifies",
			         providers[i], e->d_name);
			n++;
		}
		if (d) {
			closedir(d);
		}
	}
	return n;
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test_setup_teardown(
		        orders_map_own_payloads_give_expected_plans, setup_ctx,
		        teardown_ctx),
		cmocka_unit_test_setup_teardown(
		        orders_validate_reports_code_and_path, setup_ctx,
		        teardown_ctx),
		cmocka_unit_test(orders_minor_units_follow_the_currency),
		cmocka_unit_test(orders_own_signature_vectors_verify_or_fail),
		cmocka_unit_test_setup_teardown(
		        orders_unsigned_order_is_refused_with_secret, setup_ctx,
		        teardown_ctx),
	};
	static struct corpus_vector vectors[MAX_VECTORS];
	struct CMUnitTest tests[sizeof(fixed) / sizeof(fixed[0]) + MAX_VECTORS];
	size_t n = sizeof(fixed) / sizeof(fixed[0]);
	size_t n_vectors;
	size_t i;

	setenv("TZ", "UTC", 1);
	tzset();
	memcpy(tests, fixed, sizeof(fixed));
	n_vectors = find_corpus_vectors(vectors, MAX_VECTORS);
	for (i = 0; i < n_vectors; i++) {
		tests[n].name = vectors[i].test_name;
		tests[n].test_func = orders_corpus_vector_verifies;
		tests[n].setup_func = NULL;
		tests[n].teardown_func = NULL;
		tests[n].initial_state = &vectors[i];
		n++;
	}
	return _cmocka_run_group_tests("orders", tests, n, NULL, NULL);
}
