/**
 * Turns Marathon's apps into route tables: {@link io.pacer.discovery.MarathonApps} reads the body
 * of {@code GET /v2/apps?embed=apps.tasks}, {@link io.pacer.discovery.AppRoutes} decides which
 * tasks take traffic and at which prefixes, {@link io.pacer.discovery.MarathonSource} follows a
 * live Marathon (event stream, resyncs, endpoint failover) and
 * {@link io.pacer.discovery.AppsFileSource} serves a local copy of that body when there is no
 * Marathon. Parsing and routing know nothing of files or HTTP, so both sources share them, and
 * both publish tables the same way: versions from 1, one INFO line per change, nothing when the
 * routes did not change, and the last good table kept whatever goes wrong.
 */
package io.pacer.discovery;
