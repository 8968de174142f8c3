/* SPDX-License-Identifier: MIT */
/*
 * The help-desk ticket record shared by the Zendesk, Freshdesk, Help
 * Scout, Jira and osTicket sources (stage 3, map). The rules in
 * libgmhook/mappings/tickets.json make the requester a contact and the
 * ticket a case linked to "<provider>:<ticket id>", so a second delivery
 * of the same ticket opens no second case, and a history row. Also the
 * readers for template-rendered values those modules share.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ticket.h"

#define MAP GMHOOK_STAGE_MAP

const char *gmhook__ticket_text(json_object *data, const char *pointer,
                                char *buf, size_t size)
{
	json_object *v = gmhook__get(data, pointer);
	const char *s;

	if (buf && json_object_is_type(v, json_type_int)) {
		snprintf(buf, size, "%" PRId64, json_object_get_int64(v));
		return buf;
	}
	if (!json_object_is_type(v, json_type_string)) {
		return NULL;
	}
	s = json_object_get_string(v);
	/* An admin template renders a placeholder it does not know as the
	 * placeholder itself (Freshdesk) or as nothing (Zendesk). */
	if (!s[0] || (strncmp(s, "{{", 2) == 0 && strstr(s, "}}"))) {
		return NULL;
	}
	return s;
}

void gmhook__ticket_meta(json_object *meta, const char *type, const char *id,
                         int64_t t)
{
	char iso[32];

	json_object_object_add(meta, "type", json_object_new_string(type));
	if (id) {
		json_object_object_add(meta, "id", json_object_new_string(id));
	}
	if (t) {
		gmhook__time_format_utc(t, iso, sizeof(iso));
		json_object_object_add(meta, "time",
		                       json_object_new_string(iso));
	}
}

/* ==== HTML to text ==== */

static const struct {
	const char *name;
	const char *text;
} entities[] = {
	{ "&amp;", "&" },   { "&lt;", "<" },  { "&gt;", ">" },
	{ "&quot;", "\"" }, { "&#39;", "'" }, { "&nbsp;", " " },
};

static bool is_tag(const char *tag, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len >= n && strncasecmp(tag, name, n) == 0 &&
	       (len == n || tag[n] == ' ' || tag[n] == '/' || tag[n] == '\t');
}

/* The src="..." of an <img> tag, as "[image: URL]". */
static void add_image(struct gmhook__buf *out, const char *tag, size_t len)
{
	const char *src = NULL;
	const char *end;
	size_t i;

	for (i = 0; i + 5 <= len; i++) {
		if (strncasecmp(tag + i, "src=\"", 5) == 0) {
			src = tag + i + 5;
			break;
		}
	}
	end = src ? memchr(src, '"', len - (size_t) (src - tag)) : NULL;
	if (end) {
		gmhook__buf_addf(out, "[image: %.*s]", (int) (end - src), src);
	}
}

/* One tag (without the angle brackets): line breaks at block ends. */
static void add_tag(struct gmhook__buf *out, const char *tag, size_t len)
{
	if (is_tag(tag, len, "br") || is_tag(tag, len, "/div") ||
	    is_tag(tag, len, "/p") || is_tag(tag, len, "/li") ||
	    is_tag(tag, len, "/h1") || is_tag(tag, len, "/h2") ||
	    is_tag(tag, len, "/tr")) {
		gmhook__buf_adds(out, "\r\n");
	} else if (is_tag(tag, len, "img")) {
		add_image(out, tag, len);
	}
}

static size_t add_entity(struct gmhook__buf *out, const char *s)
{
	size_t i;
	size_t n;

	for (i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
		n = strlen(entities[i].name);
		if (strncmp(s, entities[i].name, n) == 0) {
			gmhook__buf_adds(out, entities[i].text);
			return n;
		}
	}
	gmhook__buf_addc(out, '&');
	return 1;
}

/* As HTML renders it: runs of spaces as one, none at a line's ends, at
 * most one blank line, nothing leading or trailing. */
static char *tidy_lines(struct gmhook__buf *in)
{
	struct gmhook__buf out = { 0 };
	const char *p = in->data ? in->data : "";
	bool space = false;
	int breaks = 0;

	for (; *p; p++) {
		if (*p == '\r') {
			continue;
		}
		if (*p == '\n') {
			breaks++;
			space = false;
			continue;
		}
		if (*p == ' ' || *p == '\t') {
			space = true;
			continue;
		}
		if (breaks && out.len) {
			gmhook__buf_adds(&out,
			                 breaks > 1 ? "\r\n\r\n" : "\r\n");
		} else if (space && out.len && !breaks) {
			gmhook__buf_addc(&out, ' ');
		}
		breaks = 0;
		space = false;
		gmhook__buf_addc(&out, *p);
	}
	gmhook__buf_add(&out, "", 0);
	if (out.failed) {
		gmhook__buf_free(&out);
		return NULL;
	}
	return gmhook__buf_steal(&out);
}

char *gmhook__ticket_html_text(const char *html)
{
	struct gmhook__buf out = { 0 };
	const char *p = html;
	const char *end;
	char *text;

	while (*p) {
		if (*p == '<') {
			end = strchr(p, '>');
			if (!end) {
				break;
			}
			add_tag(&out, p + 1, (size_t) (end - p - 1));
			p = end + 1;
		} else if (*p == '&') {
			p += add_entity(&out, p);
		} else {
			/* Line ends in the HTML source are white space. */
			gmhook__buf_addc(&out,
			                 *p == '\n' || *p == '\r' ? ' ' : *p);
			p++;
		}
	}
	text = out.failed ? NULL : tidy_lines(&out);
	gmhook__buf_free(&out);
	return text;
}

/* ==== The record ==== */

/* Set @p key when @p value is not empty. */
static int set(struct gmhook__item *item, const char *key, const char *value,
               const char *from)
{
	if (!value || !value[0]) {
		return 0;
	}
	return gmhook__record_set(item, key, value, from);
}

/* The history row's notes: status, priority and the ticket's page. */
static int set_notes(struct gmhook__item *item, const struct gmhook__ticket *t)
{
	struct gmhook__buf notes = { 0 };
	int rc;

	if (t->status) {
		gmhook__buf_addf(&notes, "Status: %s\r\n", t->status);
	}
	if (t->priority) {
		gmhook__buf_addf(&notes, "Priority: %s\r\n", t->priority);
	}
	if (t->url) {
		gmhook__buf_addf(&notes, "Ticket: %s\r\n", t->url);
	}
	rc = notes.failed ? -1 : set(item, "notes", notes.data, NULL);
	gmhook__buf_free(&notes);
	return rc;
}

int gmhook__ticket_record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                          const struct gmhook__ticket *t,
                          struct gmhook_error *err)
{
	int64_t now = gmhook__now(ctx);
	int rc;

	rc = gmhook__record_person(item, &t->requester);
	rc = rc ? rc
	        : set(item, "use_cases", ctx->use_cases ? "true" : "false",
	              NULL);
	rc = rc ? rc
	        : set(item, "event", gmhook__get_str(item->meta, "/type"),
	              NULL);
	rc = rc ? rc : set(item, "id", t->id, t->id_path);
	rc = rc ? rc : set(item, "number", t->number, t->number_path);
	rc = rc ? rc : set(item, "subject", t->subject, t->subject_path);
	rc = rc ? rc
	        : set(item, "description", t->description, t->description_path);
	rc = rc ? rc : set(item, "priority", t->priority, t->priority_path);
	rc = rc ? rc : set(item, "type", t->type, t->type_path);
	rc = rc ? rc : set(item, "category", t->category, t->category_path);
	rc = rc ? rc : set(item, "status", t->status, t->status_path);
	rc = rc ? rc : set(item, "url", t->url, t->url_path);
	rc = rc ? rc : set_notes(item, t);
	rc = rc ? rc
	        : gmhook__record_set_time(item, "when",
	                                  t->when ? t->when : now);
	rc = rc ? rc : gmhook__record_set_time(item, "received", now);
	return rc ? gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
	                              "out of memory")
	          : 0;
}
