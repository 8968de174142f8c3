/* SPDX-License-Identifier: MIT */
/*
 * The help-desk ticket plan shared by the Zendesk, Freshdesk, Help Scout,
 * Jira and osTicket sources (stage 3, map): requester → contact.upsert,
 * ticket → case.create linked to "<provider>:<ticket id>" so a second
 * delivery of the same ticket opens no second case, and a history row.
 * Also the readers for template-rendered values those modules share.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ticket.h"

#define MAP GMHOOK_STAGE_MAP

/* CASES column sizes, as commit checks them (schema.c). */
#define CASE_SUBJECT_MAX 200
#define CASE_SHORT_MAX   40
#define LINK_MAX         200
#define REF_MAX          65

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

/* ==== The plan ==== */

static int case_set(struct gmhook__plan_builder *pb,
                    const struct gmhook__item *item, json_object *c,
                    const char *key, const char *value, size_t max,
                    const char *column, const char *pointer,
                    struct gmhook_error *err)
{
	char path[256];

	gmhook__path_join(path, sizeof(path), item->pointer,
	                  pointer ? pointer : "");
	return gmhook__plan_set(pb, c, key, value, max, column, path, err);
}

static int add_case(struct gmhook__plan_builder *pb,
                    const struct gmhook__item *item,
                    const struct gmhook__ticket *t, const char *subject,
                    struct gmhook_error *err)
{
	json_object *c = gmhook__plan_action(pb, "case.create");
	char link[512];
	int rc;

	if (!c) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	snprintf(link, sizeof(link), "%s:%s", t->provider, t->id);
	if (t->description && t->description[0]) {
		json_object_object_add(c, "description",
		                       json_object_new_string(t->description));
	}
	rc = case_set(pb, item, c, "subject", subject, CASE_SUBJECT_MAX,
	              "CASES.SUBJECT", t->subject_path, err);
	if (rc == 0) {
		rc = case_set(pb, item, c, "priority", t->priority,
		              CASE_SHORT_MAX, "CASES.PRIORITY",
		              t->priority_path, err);
	}
	if (rc == 0) {
		rc = case_set(pb, item, c, "source", t->label, CASE_SHORT_MAX,
		              "CASES.SOURCE", NULL, err);
	}
	if (rc == 0) {
		rc = case_set(pb, item, c, "category", t->category,
		              CASE_SHORT_MAX, "CASES.CATEGORY",
		              t->category_path, err);
	}
	if (rc == 0) {
		rc = case_set(pb, item, c, "type", t->type, CASE_SHORT_MAX,
		              "CASES.FTYPE", t->type_path, err);
	}
	if (rc == 0) {
		rc = case_set(pb, item, c, "number", t->number, CASE_SHORT_MAX,
		              "CASES.NUMBER", t->number_path, err);
	}
	if (rc == 0) {
		rc = case_set(pb, item, c, "link", link, LINK_MAX,
		              "GMHOOK_LINK.LINKKEY", NULL, err);
	}
	return rc;
}

static int add_history(struct gmhook__plan_builder *pb,
                       const struct gmhook__ticket *t, const char *subject,
                       struct gmhook_error *err)
{
	struct gmhook__buf notes = { 0 };
	char ref[512];
	int64_t when = t->when ? t->when : gmhook__now(gmhook__plan_ctx(pb));
	int rc;

	/* The whole subject is on the case; a long one is cut here without
	 * a warning. */
	snprintf(ref, sizeof(ref), "%s ticket %s: %s", t->label,
	         t->number ? t->number : t->id, subject);
	ref[gmhook__utf8_prefix(ref, REF_MAX)] = '\0';
	if (t->status) {
		gmhook__buf_addf(&notes, "Status: %s\r\n", t->status);
	}
	if (t->priority) {
		gmhook__buf_addf(&notes, "Priority: %s\r\n", t->priority);
	}
	if (t->url) {
		gmhook__buf_addf(&notes, "Ticket: %s\r\n", t->url);
	}
	if (notes.failed) {
		gmhook__buf_free(&notes);
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	rc = gmhook__plan_history(pb, "O", "TKT", "NEW", when, ref, notes.data,
	                          NULL, err);
	gmhook__buf_free(&notes);
	return rc;
}

/*
 * For sites that do not use GoldMine's Service Center ("cases": false in
 * the configuration): a to-do (CAL rectype D) for today, so someone
 * follows the ticket up, next to the history record.
 */
static int add_todo(struct gmhook__plan_builder *pb,
                    const struct gmhook__ticket *t, const char *subject,
                    struct gmhook_error *err)
{
	json_object *cal = gmhook__plan_action(pb, "calendar.schedule");
	char ref[512];
	char link[512];

	if (!cal) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	snprintf(ref, sizeof(ref), "Follow up %s ticket %s: %s", t->label,
	         t->number ? t->number : t->id, subject);
	ref[gmhook__utf8_prefix(ref, REF_MAX)] = '\0';
	snprintf(link, sizeof(link), "%s:%s", t->provider, t->id);
	json_object_object_add(cal, "rectype", json_object_new_string("D"));
	json_object_object_add(cal, "actvcode", json_object_new_string("TKT"));
	gmhook__plan_set_when(cal, "ondate", NULL,
	                      gmhook__now(gmhook__plan_ctx(pb)));
	json_object_object_add(cal, "ref", json_object_new_string(ref));
	if (t->description && t->description[0]) {
		json_object_object_add(cal, "notes",
		                       json_object_new_string(t->description));
	}
	json_object_object_add(cal, "link", json_object_new_string(link));
	return 0;
}

int gmhook__ticket_map(struct gmhook__plan_builder *pb,
                       const struct gmhook__item *item,
                       const struct gmhook__ticket *t, struct gmhook_error *err)
{
	char fallback[128];
	const char *subject = t->subject;
	int rc;

	if (!subject) {
		snprintf(fallback, sizeof(fallback), "%s ticket %s", t->label,
		         t->number ? t->number : t->id);
		subject = fallback;
	}
	rc = gmhook__plan_person(pb, item, &t->requester, t->label, err);
	if (rc == 0 && gmhook__plan_ctx(pb)->use_cases) {
		rc = add_case(pb, item, t, subject, err);
	} else if (rc == 0) {
		rc = add_todo(pb, t, subject, err);
	}
	if (rc == 0) {
		rc = add_history(pb, t, subject, err);
	}
	return rc;
}
