/* SPDX-License-Identifier: MIT */
/*
 * `gmhook run --batch`: many deliveries from one process, one per input
 * line. Each line is parsed, validated and mapped on its own; the plans
 * of a group of lines are committed together with gmhook_commit_batch()
 * (one transaction, a savepoint per event), over one connection whose
 * prepared statements serve every group. Each line gets one result line
 * on stdout, printed only after its group committed. A line that fails
 * is reported on its own line and, with a spool directory, spooled
 * (temporary failure) or dead-lettered (bad delivery), as `run` and
 * `drain` would.
 */
#include <errno.h>
#include <json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

#define DEFAULT_GROUP    100
#define DEFAULT_MAX_BODY (1024 * 1024)

/* One input line: the delivery it holds and, later, its outcome. */
struct line {
	size_t number;
	json_object *envelope; /* owns the strings req points to */
	char *text;            /* a bare body: the line itself */
	struct gmhook_request req;
	struct gmhook_header headers[CLI_MAX_HEADERS];
	struct gmhook_plan *plan;
	struct gmhook_result *result;
	struct gmhook_error err; /* code != 0: this line failed */
};

struct batch {
	struct gmhook_ctx *ctx;
	const struct cli_options *o;
	struct line *lines;
	size_t n_lines;
	size_t group; /* lines per transaction */
	char *buf;    /* one input line */
	size_t buf_size;
	int status; /* the exit status so far */
};

static void line_error(struct line *l, int code, int stage, const char *path,
                       const char *message)
{
	l->err.code = code;
	l->err.stage = stage;
	snprintf(l->err.path, sizeof(l->err.path), "%s", path);
	snprintf(l->err.message, sizeof(l->err.message), "%s", message);
}

static void line_clear(struct line *l)
{
	struct gmhook_error clean = GMHOOK_ERROR_INIT;

	gmhook_result_free(l->result);
	gmhook_plan_free(l->plan);
	json_object_put(l->envelope);
	free(l->text);
	memset(l, 0, sizeof(*l));
	l->err = clean;
}

/* ==== Reading a line into a delivery ==== */

/* "headers": {"Name": "value"} or [["Name", "value"], ...]. */
static int envelope_headers(struct line *l, json_object *h)
{
	size_t n = 0;

	if (json_object_is_type(h, json_type_object)) {
		json_object_object_foreach (h, key, value) {
			if (n == CLI_MAX_HEADERS ||
			    !json_object_is_type(value, json_type_string)) {
				return -1;
			}
			l->headers[n].name = key;
			l->headers[n++].value = json_object_get_string(value);
		}
	} else if (json_object_is_type(h, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(h); i++) {
			json_object *pair = json_object_array_get_idx(h, i);
			json_object *name = json_object_array_get_idx(pair, 0);
			json_object *value = json_object_array_get_idx(pair, 1);

			if (n == CLI_MAX_HEADERS ||
			    !json_object_is_type(name, json_type_string) ||
			    !json_object_is_type(value, json_type_string)) {
				return -1;
			}
			l->headers[n].name = json_object_get_string(name);
			l->headers[n++].value = json_object_get_string(value);
		}
	} else if (!json_object_is_type(h, json_type_null)) {
		return -1;
	}
	l->req.headers = l->headers;
	l->req.n_headers = n;
	return 0;
}

static const char *member_string(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (json_object_object_get_ex(obj, key, &v) &&
	    json_object_is_type(v, json_type_string)) {
		return json_object_get_string(v);
	}
	return NULL;
}

/* The body: a string is the bytes as sent (use it for signed or form
 * bodies); any other JSON value is sent as its compact text. */
static int envelope_body(struct line *l, json_object *body)
{
	if (json_object_is_type(body, json_type_string)) {
		l->req.body = json_object_get_string(body);
		l->req.body_len = (size_t) json_object_get_string_len(body);
		return 0;
	}
	l->req.body = json_object_to_json_string_ext(
	        body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!l->req.body) {
		return -1;
	}
	l->req.body_len = strlen(l->req.body);
	return 0;
}

static int read_envelope(struct line *l, const char *text, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *v = NULL;

	if (!tok) {
		line_error(l, GMHOOK_ENOMEM, GMHOOK_STAGE_PARSE, "",
		           "out of memory");
		return -1;
	}
	l->envelope = json_tokener_parse_ex(tok, text, (int) len);
	if (!l->envelope || tok->char_offset != (int) len ||
	    !json_object_is_type(l->envelope, json_type_object)) {
		json_tokener_free(tok);
		line_error(
		        l, GMHOOK_EPARSE, GMHOOK_STAGE_PARSE, "",
		        "the line is not a JSON object (a delivery needs {\"source\", \"headers\", \"body\"}, or --source for bare bodies)");
		return -1;
	}
	json_tokener_free(tok);
	if (!json_object_object_get_ex(l->envelope, "body", &v) ||
	    envelope_body(l, v) < 0) {
		line_error(l, GMHOOK_EPARSE, GMHOOK_STAGE_PARSE, "/body",
		           "the delivery has no body");
		return -1;
	}
	v = NULL;
	(void) json_object_object_get_ex(l->envelope, "headers", &v);
	if (envelope_headers(l, v) < 0) {
		line_error(
		        l, GMHOOK_EPARSE, GMHOOK_STAGE_PARSE, "/headers",
		        "headers must be an object of strings or a list of [name, value] pairs (at most 64)");
		return -1;
	}
	l->req.source = member_string(l->envelope, "source");
	l->req.content_type = member_string(l->envelope, "content_type");
	if (json_object_object_get_ex(l->envelope, "received", &v) &&
	    json_object_is_type(v, json_type_int)) {
		l->req.received = json_object_get_int64(v);
	}
	return 0;
}

/* A bare body (--source given): the line is the body, with the headers
 * and content type of the command line. */
static int read_bare(struct line *l, const struct cli_options *o,
                     const char *text, size_t len)
{
	l->text = malloc(len + 1);
	if (!l->text) {
		line_error(l, GMHOOK_ENOMEM, GMHOOK_STAGE_PARSE, "",
		           "out of memory");
		return -1;
	}
	memcpy(l->text, text, len + 1);
	l->req.body = l->text;
	l->req.body_len = len;
	l->req.source = o->source;
	l->req.headers = o->headers;
	l->req.n_headers = o->n_headers;
	l->req.content_type = o->content_type;
	return 0;
}

static void fill_request(struct line *l, const struct cli_options *o,
                         const char *text, size_t len)
{
	struct gmhook_request init = GMHOOK_REQUEST_INIT;
	int rc;

	l->req = init;
	rc = o->source ? read_bare(l, o, text, len)
	               : read_envelope(l, text, len);
	if (rc < 0) {
		return;
	}
	for (size_t i = 0; !l->req.content_type && i < l->req.n_headers; i++) {
		if (strcasecmp(l->req.headers[i].name, "Content-Type") == 0) {
			l->req.content_type = l->req.headers[i].value;
		}
	}
	if (!l->req.received) {
		l->req.received = o->received ? (int64_t) o->received
		                              : (int64_t) time(NULL);
	}
}

/* Parse, validate and map one line; a failure stays with the line. */
static void plan_line(struct batch *b, struct line *l)
{
	struct gmhook_event *event = NULL;
	int rc;

	rc = gmhook_parse(&event, b->ctx, &l->req, &l->err);
	if (rc == 0) {
		rc = gmhook_validate(b->ctx, event, &l->err);
	}
	if (rc == 0) {
		rc = gmhook_map(&l->plan, b->ctx, event, &l->err);
	}
	gmhook_event_free(event);
}

/*
 * Read the next line into @p l. Returns 1 for a line, 0 at the end of
 * the input. A line longer than the buffer is consumed and reported as
 * too large; empty lines are skipped.
 */
static int next_line(struct batch *b, FILE *in, struct line *l, size_t *number)
{
	size_t len;
	int c;

	for (;;) {
		if (!fgets(b->buf, (int) b->buf_size, in)) {
			return 0;
		}
		++*number;
		len = strlen(b->buf);
		if (len == b->buf_size - 1 && b->buf[len - 1] != '\n') {
			do {
				c = getc(in);
			} while (c != EOF && c != '\n');
			l->number = *number;
			line_error(
			        l, GMHOOK_ETOOBIG, GMHOOK_STAGE_PARSE, "",
			        "the line is larger than the largest delivery accepted (--max-body)");
			return 1;
		}
		while (len &&
		       (b->buf[len - 1] == '\n' || b->buf[len - 1] == '\r')) {
			b->buf[--len] = '\0';
		}
		if (len) {
			break;
		}
	}
	l->number = *number;
	fill_request(l, b->o, b->buf, len);
	if (!l->err.code) {
		plan_line(b, l);
	}
	return 1;
}

/* ==== Outcomes ==== */

/* A delivery that can never succeed goes to DIR/dead/ with its error, as
 * `gmhook drain` buries a spooled one. Best effort: the error line on
 * stdout is the report that counts. */
static void dead_letter(struct batch *b, const struct line *l)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	const char *dir = cli_spool_dir(b->ctx, b->o);
	char dead[4096];
	char path[4200];
	char *name = NULL;
	FILE *f;

	if (!dir || !l->req.body || b->o->dry_run) {
		return;
	}
	snprintf(dead, sizeof(dead), "%s/dead", dir);
	if (mkdir(dead, 0700) < 0 && errno != EEXIST) {
		return;
	}
	if (gmhook_spool_write(&name, b->ctx, dead, &l->req, &err) < 0) {
		fprintf(stderr, "gmhook: line %zu: cannot dead-letter: %s\n",
		        l->number, err.message);
		return;
	}
	snprintf(path, sizeof(path), "%s/%.*s.error", dead,
	         (int) (strlen(name) - 5), name);
	f = fopen(path, "w");
	if (f) {
		fprintf(f,
		        "{\"status\": \"error\", \"code\": \"%s\", \"exit\": %d, \"stage\": \"%s\", \"line\": %zu}\n",
		        gmhook_code_name(l->err.code),
		        gmhook_exit_status(l->err.code),
		        gmhook_stage_name(l->err.stage), l->number);
		fclose(f);
	}
	fprintf(stderr, "gmhook: line %zu: dead-lettered as %s/%s\n", l->number,
	        dead, name);
	gmhook_free(name);
}

/* 75 (try again) wins over the rest; otherwise the first failure's. */
static void note_status(struct batch *b, int status)
{
	if (status == 75 || b->status == 0) {
		b->status = status;
	}
}

static void report_line(struct batch *b, struct line *l)
{
	int status;

	if (l->result) {
		status = cli_print_json(gmhook_result_to_json(l->result, 0));
	} else if (l->err.stage == GMHOOK_STAGE_COMMIT && !b->o->dry_run &&
	           cli_spoolable(&l->err)) {
		status = cli_spool_delivery(b->ctx, b->o, &l->req, &l->err);
	} else {
		status = cli_report_error(&l->err);
		if (status == 65 || status == 77) {
			dead_letter(b, l);
		}
	}
	if (status) {
		note_status(b, status);
	}
}

/* The group could not commit as a whole: commit each plan on its own so
 * each line gets its own outcome. */
static void commit_one_by_one(struct batch *b)
{
	for (size_t i = 0; i < b->n_lines; i++) {
		struct line *l = &b->lines[i];

		if (l->plan) {
			(void) gmhook_commit(&l->result, b->ctx, l->plan,
			                     &l->err);
		}
	}
}

static int commit_group(struct batch *b)
{
	const struct gmhook_plan **plans = NULL;
	struct gmhook_result **results = NULL;
	struct gmhook_error *errors = NULL;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	size_t n = 0;
	size_t k = 0;
	int rc = 0;

	plans = calloc(b->n_lines + 1, sizeof(*plans));
	results = calloc(b->n_lines + 1, sizeof(*results));
	errors = calloc(b->n_lines + 1, sizeof(*errors));
	if (!plans || !results || !errors) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < b->n_lines; i++) {
		if (b->lines[i].plan) {
			plans[n++] = b->lines[i].plan;
		}
	}
	if (gmhook_commit_batch(results, errors, b->ctx, plans, n, &err) < 0) {
		fprintf(stderr,
		        "gmhook: a group of %zu deliveries could not commit (%s: %s); committing them one by one\n",
		        n, gmhook_code_name(err.code), err.message);
		commit_one_by_one(b);
		goto out;
	}
	for (size_t i = 0; i < b->n_lines; i++) {
		if (b->lines[i].plan) {
			b->lines[i].result = results[k];
			b->lines[i].err = errors[k++];
		}
	}
out:
	free(plans);
	free(results);
	free(errors);
	return rc;
}

static int finish_group(struct batch *b)
{
	int rc = commit_group(b);

	if (rc < 0) {
		fprintf(stderr, "gmhook: out of memory\n");
		return 75;
	}
	for (size_t i = 0; i < b->n_lines; i++) {
		report_line(b, &b->lines[i]);
		line_clear(&b->lines[i]);
	}
	b->n_lines = 0;
	(void) fflush(stdout);
	return 0;
}

static int batch_loop(struct batch *b, FILE *in)
{
	size_t number = 0;
	int rc;

	for (;;) {
		rc = next_line(b, in, &b->lines[b->n_lines], &number);
		if (rc == 1 && ++b->n_lines < b->group) {
			continue;
		}
		if (b->n_lines && finish_group(b)) {
			return 75;
		}
		if (rc == 0) {
			return ferror(in) ? 74 : b->status;
		}
	}
}

int cli_batch(struct gmhook_ctx *ctx, const struct cli_options *o)
{
	struct batch b = { 0 };
	FILE *in = stdin;
	size_t max_body = o->max_body ? (size_t) o->max_body : DEFAULT_MAX_BODY;
	int rc;

	b.ctx = ctx;
	b.o = o;
	b.group = o->batch_size ? (size_t) o->batch_size : DEFAULT_GROUP;
	/* An envelope escapes the body: allow twice its size and more. */
	b.buf_size = max_body * 2 + 65536;
	b.buf = malloc(b.buf_size);
	b.lines = calloc(b.group, sizeof(*b.lines));
	if (!b.buf || !b.lines) {
		fprintf(stderr, "gmhook: out of memory\n");
		free(b.buf);
		free(b.lines);
		return 75;
	}
	for (size_t i = 0; i < b.group; i++) {
		line_clear(&b.lines[i]);
	}
	if (o->input) {
		in = fopen(o->input, "r");
		if (!in) {
			fprintf(stderr, "gmhook: cannot open %s: %s\n",
			        o->input, strerror(errno));
			free(b.buf);
			free(b.lines);
			return 66;
		}
	}
	rc = batch_loop(&b, in);
	if (in != stdin) {
		fclose(in);
	}
	free(b.buf);
	free(b.lines);
	return rc;
}
