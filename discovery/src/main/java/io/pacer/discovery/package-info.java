/**
 * Turns Marathon's apps into route tables: {@link io.pacer.discovery.MarathonApps} reads the body
 * of {@code GET /v2/apps?embed=apps.tasks}, {@link io.pacer.discovery.AppRoutes} decides which
 * tasks take traffic and at which prefixes, and {@link io.pacer.discovery.AppsFileSource} serves a
 * local copy of that body when there is no Marathon. Parsing and routing know nothing of files or
 * HTTP, so the live Marathon client reuses them as they are.
 */
package io.pacer.discovery;
