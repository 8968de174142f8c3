/* SPDX-License-Identifier: MIT */
/*
 * The built-in sources, one line each: GMHOOK_SOURCE(name) names the
 * module's `gmhook__source_<name>` definition. registry.c expands this
 * list into the lookup table and the public name list; adding a provider
 * means adding its module to libgmhook/meson.build and one line here.
 */
GMHOOK_SOURCE(calendly)
GMHOOK_SOURCE(webform)
