/* SPDX-License-Identifier: MIT */
/*
 * What the order sources (Shopify, WooCommerce, Stripe, Square) share at
 * the map stage: one description of a sale, filled by each module from
 * its provider's payload, and the helper that turns it into the same
 * record for all of them (mapped by libgmhook/mappings/orders.json).
 * Private to libgmhook/sources.
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
 * event's data; paths are JSON pointers relative to it, set when the
 * value is the payload's own text (NULL when the module made it). */
struct gmhook__order {
	struct gmhook__person person;
	const char *address[GMHOOK__ORDER_N_ADDRESS];
	char address_path[GMHOOK__ORDER_N_ADDRESS][128];
	const char *number; /* detail reference, e.g. "#1001" */
	const char *number_path;
	int64_t when;
	const char *amount; /* "123.45" */
	const char *amount_path;
	const char *units; /* total item quantity, NULL when unknown */
	const char *notes; /* total, line items, payment; no REF line */
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
 * Put @p o into item->record: email, contact, lastname, phone, company,
 * address1, address2, city, state, zip, country, number, when (ISO 8601
 * UTC), amount and units (left out with a warning when longer than the
 * 8 characters of CONTHIST.DURATION and UNITS; the notes keep them) and
 * notes. An order that names neither an e-mail address nor a phone
 * number is ignored with a reason instead.
 */
int gmhook__order_record(struct gmhook__plan_builder *pb,
                         struct gmhook__item *item,
                         const struct gmhook__order *o,
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
