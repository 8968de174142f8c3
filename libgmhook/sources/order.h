/* SPDX-License-Identifier: MIT */
/*
 * What the order sources (Shopify, WooCommerce, Stripe, Square) share at
 * the map stage: one description of a sale, filled by each module from
 * its provider's payload, and the helper that turns it into the same
 * GoldMine actions for all of them. Private to libgmhook/sources.
 */
#ifndef GMHOOK_SOURCES_ORDER_H
#define GMHOOK_SOURCES_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gmhook-private.h"

/* CONTACT1 address columns, in this order in struct gmhook__order. */
enum gmhook__order_address {
	GMHOOK__ORDER_ADDRESS1,
	GMHOOK__ORDER_ADDRESS2,
	GMHOOK__ORDER_CITY,
	GMHOOK__ORDER_STATE,
	GMHOOK__ORDER_ZIP,
	GMHOOK__ORDER_COUNTRY,
	GMHOOK__ORDER_N_ADDRESS,
};

/* One sale as the map stage sees it. Pointers are borrowed from the
 * event's data; paths are JSON pointers relative to it. */
struct gmhook__order {
	struct gmhook__person person;
	const char *address[GMHOOK__ORDER_N_ADDRESS];
	char address_path[GMHOOK__ORDER_N_ADDRESS][128];
	const char *number;     /* detail reference, e.g. "#1001" */
	const char *ref;        /* history REF, e.g. "Shopify order #1001" */
	const char *resultcode; /* "NEW" placed, "PAI" paid */
	int64_t when;
	const char *amount; /* "123.45" */
	const char *units;  /* total item quantity, NULL when unknown */
	const char *notes;  /* line items, currency, payment */
};

/*
 * Fill the address of @p o from the object at @p base in @p data: @p rel
 * holds, for each enum gmhook__order_address, the member's pointer
 * relative to that object (NULL when the provider has no such field).
 * Empty strings count as absent.
 */
void gmhook__order_address_from(struct gmhook__order *o, json_object *data,
                                const char *base,
                                const char *const rel[GMHOOK__ORDER_N_ADDRESS]);

/*
 * Emit contact.upsert (billing name, e-mail, phone, company and address
 * into CONTACT1, each cut to its column), email.add, history.add (S,
 * ORD/<resultcode>, DURATION the amount, UNITS the quantity) and
 * detail.add ("Order", the order number). An order that names neither an
 * e-mail address nor a phone number is ignored with a reason instead.
 */
int gmhook__order_plan(struct gmhook__plan_builder *pb,
                       const struct gmhook__item *item,
                       const struct gmhook__order *o, const char *label,
                       struct gmhook_error *err);

/* Is @p s a plain decimal amount ("123.45", "0", "-5.5")? */
bool gmhook__order_amount_valid(const char *s);

/*
 * Write @p amount, in the currency's minor units (Stripe, Square), as a
 * decimal text ("1000" EUR → "10.00", "500" JPY → "500") into @p buf.
 */
void gmhook__order_minor_units(char *buf, size_t size, int64_t amount,
                               const char *currency);

/* The member @p pointer of @p data as text when it is a string or an
 * integer (ids above 2^53 keep every digit); NULL otherwise. */
const char *gmhook__order_text(json_object *data, const char *pointer);

/* Add the integer quantities at "<array>/N<member>" (N = each index),
 * as decimal text into @p buf; false when there is no such array or
 * it is empty (the quantity is then unknown). */
bool gmhook__order_quantity(char *buf, size_t size, json_object *data,
                            const char *array, const char *member);

#endif
