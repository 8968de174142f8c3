/* SPDX-License-Identifier: MIT */
/*
 * Shared by the help-desk sources (Zendesk, Freshdesk, Help Scout, Jira
 * Service Management, osTicket): once a module has found a ticket's
 * fields, it puts them into the same record, which the rules in
 * libgmhook/mappings/tickets.json turn into the requester as a contact, a
 * Service Center case (or a to-do) linked to the provider's ticket key,
 * and a history row. Also small readers for the loosely typed values that
 * admin-written webhook templates produce.
 */
#ifndef GMHOOK_SOURCES_TICKET_H
#define GMHOOK_SOURCES_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "gmhook-private.h"

/* A ticket as a source module found it; pointers are borrowed and paths
 * are relative to the event's data (they name the field a value was read
 * at as is, for warnings and --explain). Any may be NULL but id. */
struct gmhook__ticket {
	const char *id; /* the provider's ticket key */
	const char *id_path;
	const char *number; /* the number people quote */
	const char *number_path;
	const char *subject;
	const char *subject_path;
	const char *description;
	const char *description_path;
	const char *priority;
	const char *priority_path;
	const char *type;
	const char *type_path;
	const char *category;
	const char *category_path;
	const char *status;
	const char *status_path;
	const char *url;
	const char *url_path;
	int64_t when; /* 0: now */
	struct gmhook__person requester;
};

/*
 * Fill @p item's record from @p t: the requester (email, contact,
 * lastname, phone, company), use_cases ("true" or "false", from the
 * configuration's defaults.cases), event (the event type), id, number,
 * subject, description, priority, type, category, status, url, notes
 * (status, priority and ticket page, one per line), when (the ticket's
 * time, else the delivery's) and received (the delivery's time), the
 * times in ISO 8601 UTC. Empty values are left out.
 */
int gmhook__ticket_record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                          const struct gmhook__ticket *t,
                          struct gmhook_error *err);

/*
 * The value at @p pointer as text: a string, or an integer written in
 * decimal into @p buf (strings only when @p buf is NULL). NULL when
 * absent, empty, of another type, or a placeholder the sender left
 * unfilled ("{{ticket.id}}").
 */
const char *gmhook__ticket_text(json_object *data, const char *pointer,
                                char *buf, size_t size);

/* @p html as plain text with CRLF line ends: tags dropped, block ends as
 * line breaks, images as "[image: URL]", common entities decoded. Caller
 * frees; NULL on ENOMEM. */
char *gmhook__ticket_html_text(const char *html);

/* Set "type", "id" and, when @p t is not 0, "time" in @p meta. */
void gmhook__ticket_meta(json_object *meta, const char *type, const char *id,
                         int64_t t);

#endif
