/* SPDX-License-Identifier: MIT */
/*
 * bench/pipeline: parse -> validate -> map in one process, the stages a
 * delivery goes through before any database work. Reads a manifest of
 * "source<TAB>content-type<TAB>file" lines, runs each payload through the
 * three stages for a fixed time on one core, and prints per source the
 * events per second and nanoseconds per event. A payload that does not
 * map (a signature it cannot check, an event gmhook ignores at parse) is
 * counted as skipped, not timed.
 *
 *   pipeline MANIFEST [SECONDS-PER-FILE]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmhook/gmhook.h>

struct source_total {
	char name[64];
	size_t files;
	size_t skipped;
	double events;
	double seconds;
	size_t bytes;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f) {
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t) n + 1);
		if (buf && fread(buf, 1, (size_t) n, f) != (size_t) n) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = '\0';
			*len = (size_t) n;
		}
	}
	fclose(f);
	return buf;
}

/* One delivery through the three stages; the number of events, or -1. */
static int one(struct gmhook_ctx *ctx, const struct gmhook_request *req)
{
	struct gmhook_event *event = NULL;
	struct gmhook_plan *plan = NULL;
	int n = -1;

	if (gmhook_parse(&event, ctx, req, NULL) == 0 &&
	    gmhook_validate(ctx, event, NULL) == 0 &&
	    gmhook_map(&plan, ctx, event, NULL) == 0) {
		n = (int) gmhook_event_count(event);
	}
	gmhook_plan_free(plan);
	gmhook_event_free(event);
	return n;
}

static struct source_total *total_for(struct source_total *t, size_t *n,
                                      const char *name)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp(t[i].name, name) == 0) {
			return &t[i];
		}
	}
	memset(&t[*n], 0, sizeof(t[*n]));
	snprintf(t[*n].name, sizeof(t[*n].name), "%s", name);
	return &t[(*n)++];
}

static void time_file(struct source_total *t, struct gmhook_ctx *ctx,
                      const struct gmhook_request *req, double seconds)
{
	double start = now();
	double end = start;
	double events = 0;
	int n = one(ctx, req);

	if (n <= 0) {
		t->skipped++;
		return;
	}
	while (end - start < seconds) {
		for (int i = 0; i < 64; i++) {
			events += one(ctx, req);
		}
		end = now();
	}
	t->files++;
	t->events += events;
	t->seconds += end - start;
	t->bytes += req->body_len;
}

int main(int argc, char **argv)
{
	struct gmhook_options opts = GMHOOK_OPTIONS_INIT;
	struct gmhook_ctx *ctx = NULL;
	struct source_total totals[128];
	size_t n_totals = 0;
	double seconds = argc > 2 ? atof(argv[2]) : 0.3;
	double all_events = 0, all_seconds = 0;
	char line[4096];
	FILE *m;

	if (argc < 2 || !(m = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: pipeline MANIFEST [SECONDS]\n");
		return 64;
	}
	opts.db = ":unused:";
	if (gmhook_ctx_new(&ctx, &opts, NULL) < 0) {
		return 1;
	}
	while (fgets(line, sizeof(line), m) && n_totals < 127) {
		struct gmhook_request req = GMHOOK_REQUEST_INIT;
		char *source = strtok(line, "\t\n");
		char *type = strtok(NULL, "\t\n");
		char *path = strtok(NULL, "\t\n");
		size_t len = 0;
		char *body;

		if (!source || !type || !path || !(body = slurp(path, &len))) {
			continue;
		}
		req.body = body;
		req.body_len = len;
		req.content_type = type;
		req.source = source;
		req.received = (int64_t) time(NULL);
		time_file(total_for(totals, &n_totals, source), ctx, &req,
		          seconds);
		free(body);
	}
	fclose(m);
	printf("source\tfiles\tskipped\tavg_bytes\tevents_per_s\tns_per_event\n");
	for (size_t i = 0; i < n_totals; i++) {
		struct source_total *t = &totals[i];

		if (!t->files) {
			printf("%s\t0\t%zu\t-\t-\t-\n", t->name, t->skipped);
			continue;
		}
		printf("%s\t%zu\t%zu\t%zu\t%.0f\t%.0f\n", t->name, t->files,
		       t->skipped, t->bytes / t->files, t->events / t->seconds,
		       t->seconds * 1e9 / t->events);
		all_events += t->events;
		all_seconds += t->seconds;
	}
	if (all_events > 0) {
		printf("ALL\t-\t-\t-\t%.0f\t%.0f\n", all_events / all_seconds,
		       all_seconds * 1e9 / all_events);
	}
	gmhook_ctx_free(ctx);
	return 0;
}
