/* SPDX-License-Identifier: MIT */
/*
 * The table of source modules, built from sources/list.h. Detection asks
 * every module for a score and takes the highest; on a tie the module
 * listed first wins.
 */
#include <string.h>

#include "gmhook-private.h"

#define GMHOOK_SOURCE(name) \
	extern const struct gmhook__source gmhook__source_##name;
#include "list.h"
#undef GMHOOK_SOURCE

static const struct gmhook__source *const sources[] = {
#define GMHOOK_SOURCE(name) &gmhook__source_##name,
#include "list.h"
#undef GMHOOK_SOURCE
};

#define N_SOURCES (sizeof(sources) / sizeof(sources[0]))

static const char *const source_names[N_SOURCES + 1] = {
#define GMHOOK_SOURCE(name) #name,
#include "list.h"
#undef GMHOOK_SOURCE
	NULL,
};

GMHOOK_API const char *const *gmhook_source_names(void)
{
	return source_names;
}

GMHOOK_API const char *gmhook_source_info(const char *name, const char *what)
{
	const struct gmhook__source *src = gmhook__source_find(name);

	if (!src || !what) {
		return NULL;
	}
	if (strcmp(what, "description") == 0) {
		return src->description;
	}
	if (strcmp(what, "signature") == 0) {
		return src->signature;
	}
	if (strcmp(what, "actions") == 0) {
		return src->actions;
	}
	if (strcmp(what, "mapping") == 0) {
		return src->mapping;
	}
	return NULL;
}

const struct gmhook__source *gmhook__source_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_SOURCES; i++) {
		if (gmhook__str_ieq(sources[i]->name, name)) {
			return sources[i];
		}
	}
	return NULL;
}

const struct gmhook__source *
gmhook__source_detect(const struct gmhook__delivery *d)
{
	const struct gmhook__source *best = NULL;
	int best_score = 0;
	size_t i;

	for (i = 0; i < N_SOURCES; i++) {
		int score = sources[i]->detect(d);

		if (score > best_score) {
			best = sources[i];
			best_score = score;
		}
	}
	return best;
}
