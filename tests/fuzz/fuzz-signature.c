/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the signature checks that open the validate
 * stage: every signing source is configured with a secret (SendGrid with
 * a public key), and a fuzzed body with fuzzed signature headers goes
 * through gmhook_parse() with the source named, then gmhook_validate().
 * Input: one byte choosing the source, a line for the signature header,
 * a line for the second header (timestamp, topic or public URL, as the
 * source needs), then the body. Built by tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gmhook-private.h"

#define NOW 1772460309

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A P-256 public key (tests/test-src-campaigns.c's SG_KEY_PEM). */
#define SENDGRID_KEY                                                         \
	"-----BEGIN PUBLIC KEY-----\n"                                       \
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqUoqjEDqTgKBM96hMZ4fqHHDvtcm\n" \
	"M7g+wGscrTWp7hLJxr47CmgtGNw7Rr0muCya++vVGlaRnzQF7BYeqfUh8A==\n"     \
	"-----END PUBLIC KEY-----\n"

struct signer {
	const char *source;
	const char *header;        /* the signature header */
	const char *second_header; /* timestamp, topic or URL; may be NULL */
};

static const struct signer signers[] = {
	{ "calendly", "Calendly-Webhook-Signature", "X-Calendly-Hook-Id" },
	{ "stripe", "Stripe-Signature", NULL },
	{ "shopify", "X-Shopify-Hmac-Sha256", "X-Shopify-Topic" },
	{ "woocommerce", "X-WC-Webhook-Signature", "X-WC-Webhook-Topic" },
	{ "typeform", "Typeform-Signature", NULL },
	{ "zendesk", "X-Zendesk-Webhook-Signature",
	  "X-Zendesk-Webhook-Signature-Timestamp" },
	{ "helpscout", "X-HelpScout-Signature", "X-HelpScout-Event" },
	{ "mailgun", "X-Mailgun-Unused", NULL }, /* signed in the body */
	{ "square", "x-square-hmacsha256-signature", "X-Gmhook-Url" },
	{ "square", "x-square-signature", "X-Gmhook-Url" },
	{ "twilio", "X-Twilio-Signature", "X-Gmhook-Url" },
	{ "sendgrid", "X-Twilio-Email-Event-Webhook-Signature",
	  "X-Twilio-Email-Event-Webhook-Timestamp" },
	{ "jira", "X-Hub-Signature", "X-Atlassian-Webhook-Identifier" },
};

#define N_SIGNERS (sizeof(signers) / sizeof(signers[0]))

static struct gmhook_ctx *ctx;

static void configure(const char *name)
{
	struct gmhook__source_config *sc;
	static const char secret[] = "whsec_gmhook-fuzz-secret";

	if (gmhook__source_config(ctx, name)) {
		return;
	}
	sc = &ctx->sources[ctx->n_sources++];
	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "%s", name);
	sc->enabled = true;
	sc->require_signature = true;
	if (strcmp(name, "sendgrid") == 0) {
		sc->public_key = gmhook__strdup(SENDGRID_KEY);
		return;
	}
	sc->secrets[0].key = (unsigned char *) gmhook__strdup(secret);
	sc->secrets[0].len = strlen(secret);
	sc->n_secrets = 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t i;

	(void) argc;
	(void) argv;
	setenv("TZ", "UTC", 1);
	tzset();
	if (gmhook_ctx_new(&ctx, NULL, NULL) != 0) {
		abort();
	}
	ctx->fixed_now = NOW;
	for (i = 0; i < N_SIGNERS; i++) {
		configure(signers[i].source);
	}
	return 0;
}

/* Cut the next line (without '\n') off the input; NULL when none. The
 * line is copied so it is NUL-terminated; caller frees. */
static char *next_line(const uint8_t **data, size_t *size)
{
	const uint8_t *nl = memchr(*data, '\n', *size);
	size_t n;
	char *line;

	if (!nl) {
		return NULL;
	}
	n = (size_t) (nl - *data);
	line = malloc(n + 1);
	if (line) {
		memcpy(line, *data, n);
		line[n] = '\0';
	}
	*size -= n + 1;
	*data = nl + 1;
	return line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct signer *s;
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_header headers[2];
	struct gmhook_event *event = NULL;
	char *first = NULL;
	char *second = NULL;

	if (size < 1) {
		return 0;
	}
	s = &signers[data[0] % N_SIGNERS];
	data++;
	size--;
	first = next_line(&data, &size);
	second = first ? next_line(&data, &size) : NULL;
	if (!first || !second) {
		goto out;
	}
	headers[0].name = s->header;
	headers[0].value = first;
	headers[1].name = s->second_header ? s->second_header : "X-Unused";
	headers[1].value = second;
	req.body = data;
	req.body_len = size;
	req.headers = headers;
	req.n_headers = 2;
	req.source = s->source;
	req.received = NOW;
	if (gmhook_parse(&event, ctx, &req, NULL) == 0) {
		(void) gmhook_validate(ctx, event, NULL);
		gmhook_event_free(event);
	}
out:
	free(first);
	free(second);
	return 0;
}
