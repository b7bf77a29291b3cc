/**
 * Loads and validates {@code pacer.toml}: {@link io.pacer.config.ConfigLoader} turns the file into
 * an immutable {@link io.pacer.config.PacerConfig}, or fails with a
 * {@link io.pacer.config.ConfigException} that names the file, the key and what is wrong with it.
 */
package io.pacer.config;
