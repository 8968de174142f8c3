/* SPDX-License-Identifier: MIT */
/*
 * The built-in sources, one line each: GMHOOK_SOURCE(name) names the
 * module's `gmhook__source_<name>` definition. registry.c expands this
 * list into the lookup table and the public name list; adding a provider
 * means adding its module to libgmhook/meson.build and one line here.
 */
GMHOOK_SOURCE(calendly)
GMHOOK_SOURCE(mailchimp)
GMHOOK_SOURCE(sendgrid)
GMHOOK_SOURCE(mailgun)
GMHOOK_SOURCE(postmark)
GMHOOK_SOURCE(amazon_ses)
GMHOOK_SOURCE(brevo)
GMHOOK_SOURCE(elementor)
GMHOOK_SOURCE(googleforms)
GMHOOK_SOURCE(gravityforms)
GMHOOK_SOURCE(jotform)
GMHOOK_SOURCE(typeform)
GMHOOK_SOURCE(wpforms)
GMHOOK_SOURCE(shopify)
GMHOOK_SOURCE(woocommerce)
GMHOOK_SOURCE(stripe)
GMHOOK_SOURCE(square)
GMHOOK_SOURCE(zendesk)
GMHOOK_SOURCE(freshdesk)
GMHOOK_SOURCE(helpscout)
GMHOOK_SOURCE(jira)
GMHOOK_SOURCE(osticket)
GMHOOK_SOURCE(twilio)
GMHOOK_SOURCE(webform)
GMHOOK_SOURCE(generic)
