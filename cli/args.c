/* SPDX-License-Identifier: MIT */
/*
 * Command-line parsing for gmhook into a struct cli_options. A usage
 * error prints one specific line and exits 64 (EX_USAGE).
 */
#define _XOPEN_SOURCE 700
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const struct {
	const char *name;
	enum cli_command command;
} commands[] = {
	{ "drain", CMD_DRAIN },       { "spool", CMD_SPOOL },
	{ "run", CMD_RUN },           { "parse", CMD_PARSE },
	{ "validate", CMD_VALIDATE }, { "map", CMD_MAP },
	{ "commit", CMD_COMMIT },     { "init-db", CMD_INIT_DB },
	{ "sources", CMD_SOURCES },   { "cgi", CMD_CGI },
	{ "fastcgi", CMD_FASTCGI },   { "check", CMD_CHECK },
};

void cli_print_help(void)
{
	printf("Usage: gmhook [COMMAND] [OPTIONS] < INPUT\n"
	       "\n"
	       "Put a webhook delivery into a GoldMine database, exactly once.\n"
	       "\n"
	       "Commands:\n"
	       "  run        all four stages on a payload (the default)\n"
	       "  parse      payload -> event JSON\n"
	       "  validate   event JSON -> checked event JSON\n"
	       "  map        event JSON -> plan JSON\n"
	       "  commit     plan JSON -> result JSON (writes the database)\n"
	       "  init-db    create the GoldMine tables gmhook uses and its ledger\n"
	       "  sources    list the services gmhook knows\n"
	       "  check      check the configuration and every mapping file it names\n"
	       "             (--database: also connect and check the tables and\n"
	       "             columns gmhook writes and the CONTACT2 fields the\n"
	       "             mappings name)\n"
	       "  drain      commit the spooled deliveries, oldest first (for cron)\n"
	       "  spool list|show ID|retry ID|drop ID\n"
	       "             look after the spool (retry: dead letter back in)\n"
	       "  cgi        answer one HTTP delivery as a CGI/1.1 program\n"
	       "  fastcgi    serve HTTP deliveries over FastCGI (docs/deploy.md)\n"
	       "\n"
	       "Options:\n"
	       "      --config FILE      configuration file (default ./gmhook.json,\n"
	       "                         then /etc/gmhook/gmhook.json, if present)\n"
	       "  -d, --db CONN          ODBC connection string, DSN or SQLite file\n"
	       "                         (default $GMHOOK_DB, else gmhook.db)\n"
	       "  -s, --source NAME      the sending service (default: detect)\n"
	       "  -H, --header 'N: V'    a request header (repeatable)\n"
	       "  -t, --content-type T   the body's content type (default: guess)\n"
	       "  -i, --input FILE       read FILE instead of standard input\n"
	       "  -u, --user NAME        GoldMine user for new records (default WEBHOOK)\n"
	       "      --owner NAME       owner of new contacts (default: public)\n"
	       "      --tz ZONE          the GoldMine server's time zone (default $TZ)\n"
	       "      --received TIME    when the delivery was received (Unix seconds\n"
	       "                         or ISO 8601; for replays; default now)\n"
	       "      --max-body BYTES   largest body accepted (default 1048576)\n"
	       "      --reject-overflow  refuse values longer than their column\n"
	       "                         (default: cut them, with a warning)\n"
	       "      --ledger-only      init-db: create only gmhook's own tables\n"
	       "      --schema-only      init-db: print the SQL instead of running it\n"
	       "      --dialect NAME     with --schema-only: mssql (default),\n"
	       "                         postgresql or sqlite\n"
	       "      --spool DIR        keep deliveries here while the database is\n"
	       "                         down (default spool.dir, else $GMHOOK_SPOOL)\n"
	       "      --wait             drain: wait for a running drain to finish\n"
	       "      --batch            run: one delivery per input line (JSON\n"
	       "                         {\"source\", \"headers\", \"body\"}, or bare bodies\n"
	       "                         with --source); one result line per line\n"
	       "      --batch-size N     run --batch: deliveries per transaction (100)\n"
	       "      --listen ADDR      fastcgi: unix socket path or HOST:PORT\n"
	       "                         (default: the socket on fd 0)\n"
	       "      --trust-proxy      cgi, fastcgi: take the public URL's scheme and\n"
	       "                         host from X-Forwarded-* of any peer (else\n"
	       "                         only from peers in http.trust_proxy)\n"
	       "  -e, --explain          map: list, per field a mapping rule sets, the\n"
	       "                         rule, the pointer read, the transforms, the value\n"
	       "  -n, --dry-run          print the plan and the SQL; write nothing\n"
	       "  -c, --compact          one-line JSON output\n"
	       "  -v, --verbose          more messages on stderr (twice: debug)\n"
	       "  -q, --quiet            errors only\n"
	       "  -h, --help             this help\n"
	       "  -V, --version          the version\n"
	       "\n"
	       "Exit status: 0 done (also \"duplicate\"), 64 usage, 65 bad payload,\n"
	       "69 not supported, 74 file error, 75 try again later (database\n"
	       "unreachable; the delivery was spooled if stdout says \"spooled\"),\n"
	       "77 bad signature, 78 bad configuration.\n");
}

static int add_header(struct cli_options *o, const char *arg)
{
	const char *colon = strchr(arg, ':');
	char *copy;

	if (!colon || colon == arg) {
		fprintf(stderr, "gmhook: -H needs 'Name: value', got '%s'\n",
		        arg);
		return 64;
	}
	if (o->n_headers == CLI_MAX_HEADERS) {
		fprintf(stderr, "gmhook: at most %d headers\n",
		        CLI_MAX_HEADERS);
		return 64;
	}
	copy = strdup(arg);
	if (!copy) {
		fprintf(stderr, "gmhook: out of memory\n");
		return 75;
	}
	copy[colon - arg] = '\0';
	o->header_storage[o->n_headers] = copy;
	o->headers[o->n_headers].name = copy;
	o->headers[o->n_headers].value =
	        copy + (colon - arg) + 1 + strspn(colon + 1, " \t");
	o->n_headers++;
	return 0;
}

static int parse_command(struct cli_options *o, const char *word)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, word) == 0) {
			o->command = commands[i].command;
			return 0;
		}
	}
	fprintf(stderr, "gmhook: unknown command '%s' (see gmhook --help)\n",
	        word);
	return 64;
}

static int parse_size(unsigned long long *out, const char *arg)
{
	char *end = NULL;

	*out = strtoull(arg, &end, 10);
	if (!end || *end || *out == 0) {
		fprintf(stderr,
		        "gmhook: --max-body needs a positive number of bytes, got '%s'\n",
		        arg);
		return 64;
	}
	return 0;
}

static int parse_batch_size(unsigned long *out, const char *arg)
{
	char *end = NULL;

	*out = strtoul(arg, &end, 10);
	if (!end || *end || *out == 0 || *out > 100000) {
		fprintf(stderr,
		        "gmhook: --batch-size needs a number from 1 to 100000, got '%s'\n",
		        arg);
		return 64;
	}
	return 0;
}

static int parse_received(long long *out, const char *arg)
{
	struct tm tm = { 0 };
	char *end = NULL;

	*out = strtoll(arg, &end, 10);
	if (end && *end == '\0' && *out > 0) {
		return 0;
	}
	end = strptime(arg, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end && (*end == '\0' || strcmp(end, "Z") == 0)) {
		*out = (long long) timegm(&tm);
		return 0;
	}
	fprintf(stderr,
	        "gmhook: --received needs Unix seconds or YYYY-MM-DDTHH:MM:SSZ, got '%s'\n",
	        arg);
	return 64;
}

enum {
	OPT_OWNER = 256,
	OPT_TZ,
	OPT_MAX_BODY,
	OPT_REJECT,
	OPT_LEDGER,
	OPT_SCHEMA_ONLY,
	OPT_CHECK_DB,
	OPT_DIALECT,
	OPT_CONFIG,
	OPT_RECEIVED,
	OPT_SPOOL,
	OPT_WAIT,
	OPT_LISTEN,
	OPT_TRUST_PROXY,
	OPT_BATCH,
	OPT_BATCH_SIZE,
};

static const struct option long_options[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "received", required_argument, NULL, OPT_RECEIVED },
	{ "spool", required_argument, NULL, OPT_SPOOL },
	{ "wait", no_argument, NULL, OPT_WAIT },
	{ "source", required_argument, NULL, 's' },
	{ "header", required_argument, NULL, 'H' },
	{ "content-type", required_argument, NULL, 't' },
	{ "input", required_argument, NULL, 'i' },
	{ "user", required_argument, NULL, 'u' },
	{ "owner", required_argument, NULL, OPT_OWNER },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "max-body", required_argument, NULL, OPT_MAX_BODY },
	{ "reject-overflow", no_argument, NULL, OPT_REJECT },
	{ "ledger-only", no_argument, NULL, OPT_LEDGER },
	{ "schema-only", no_argument, NULL, OPT_SCHEMA_ONLY },
	{ "database", no_argument, NULL, OPT_CHECK_DB },
	{ "dialect", required_argument, NULL, OPT_DIALECT },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "trust-proxy", no_argument, NULL, OPT_TRUST_PROXY },
	{ "batch", no_argument, NULL, OPT_BATCH },
	{ "batch-size", required_argument, NULL, OPT_BATCH_SIZE },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "explain", no_argument, NULL, 'e' },
	{ "compact", no_argument, NULL, 'c' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int apply_option(struct cli_options *o, int c, const char *arg)
{
	switch (c) {
	case 'd':
		o->db = arg;
		return 0;
	case 's':
		o->source = arg;
		return 0;
	case 'H':
		return add_header(o, arg);
	case 't':
		o->content_type = arg;
		return 0;
	case 'i':
		o->input = arg;
		return 0;
	case 'u':
		o->user = arg;
		return 0;
	case OPT_OWNER:
		o->owner = arg;
		return 0;
	case OPT_TZ:
		o->timezone = arg;
		return 0;
	case OPT_CONFIG:
		o->config = arg;
		return 0;
	case OPT_RECEIVED:
		return parse_received(&o->received, arg);
	case OPT_SPOOL:
		o->spool = arg;
		return 0;
	case OPT_WAIT:
		o->wait = true;
		return 0;
	case OPT_MAX_BODY:
		return parse_size(&o->max_body, arg);
	case OPT_REJECT:
		o->reject_overflow = true;
		return 0;
	case OPT_LEDGER:
		o->ledger_only = true;
		return 0;
	case OPT_CHECK_DB:
		o->check_db = true;
		return 0;
	case OPT_SCHEMA_ONLY:
		o->schema_only = true;
		return 0;
	case OPT_DIALECT:
		o->dialect = arg;
		return 0;
	case OPT_LISTEN:
		o->listen = arg;
		return 0;
	case OPT_TRUST_PROXY:
		o->trust_proxy = true;
		return 0;
	case OPT_BATCH:
		o->batch = true;
		return 0;
	case OPT_BATCH_SIZE:
		return parse_batch_size(&o->batch_size, arg);
	case 'n':
		o->dry_run = true;
		return 0;
	case 'e':
		o->explain = true;
		return 0;
	case 'c':
		o->compact = true;
		return 0;
	case 'v':
		o->verbosity = o->verbosity < 0 ? 1 : o->verbosity + 1;
		return 0;
	case 'q':
		o->verbosity = -1;
		return 0;
	case 'h':
		o->help = true;
		return 0;
	case 'V':
		o->version = true;
		return 0;
	default:
		return 64;
	}
}

/* spool ACTION [ID]: list takes no ID, the others exactly one. */
static int spool_arguments(struct cli_options *o, int n, char **args)
{
	static const char *const actions[] = { "list", "show", "retry",
		                               "drop" };
	size_t i;

	o->spool_action = n > 0 ? args[0] : "list";
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(actions[i], o->spool_action) == 0) {
			break;
		}
	}
	if (i == sizeof(actions) / sizeof(actions[0])) {
		fprintf(stderr,
		        "gmhook: spool needs list, show ID, retry ID or drop ID, got '%s'\n",
		        o->spool_action);
		return 64;
	}
	if ((i == 0 && n > 1) || (i > 0 && n != 2)) {
		fprintf(stderr, "gmhook: spool %s takes %s\n", o->spool_action,
		        i == 0 ? "no ID" : "exactly one ID");
		return 64;
	}
	o->spool_id = n == 2 ? args[1] : NULL;
	return 0;
}

int cli_parse_args(struct cli_options *o, int argc, char **argv)
{
	int first = 1;
	int c;
	int rc;

	memset(o, 0, sizeof(*o));
	o->command = CMD_RUN;
	o->db = getenv("GMHOOK_DB");
	if (argc > 1 && argv[1][0] != '-') {
		rc = parse_command(o, argv[1]);
		if (rc) {
			return rc;
		}
		first = 2;
	}
	opterr = 0;
	optind = first;
	while ((c = getopt_long(argc, argv, "d:s:H:t:i:u:necvqhV", long_options,
	                        NULL)) != -1) {
		if (c == '?' || c == ':') {
			fprintf(stderr,
			        "gmhook: unknown option or missing value in '%s' (see gmhook --help)\n",
			        argv[optind - 1]);
			return 64;
		}
		rc = apply_option(o, c, optarg);
		if (rc) {
			return rc;
		}
	}
	/* GNU getopt moved the words to the end: the command may also
	 * follow the options ("gmhook --config f check"). */
	if (first == 1 && optind < argc) {
		rc = parse_command(o, argv[optind++]);
		if (rc) {
			return rc;
		}
	}
	if (o->command == CMD_SPOOL) {
		return spool_arguments(o, argc - optind, argv + optind);
	}
	if (optind < argc) {
		fprintf(stderr,
		        "gmhook: unexpected argument '%s' (see gmhook --help)\n",
		        argv[optind]);
		return 64;
	}
	return 0;
}

void cli_options_free(struct cli_options *o)
{
	size_t i;

	for (i = 0; i < o->n_headers; i++) {
		free(o->header_storage[i]);
	}
	o->n_headers = 0;
}
