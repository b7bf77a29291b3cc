package io.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every bad value names the file, the key and the problem, in that order. */
class BadValuesTest {

    @RegisterExtension
    final ConfigFiles files = new ConfigFiles();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // listen
        "listen = \"8080:abc\"              | listen | \"8080:abc\" has no valid port",
        "listen = \"localhost\"             | listen | \"localhost\" has no port",
        "listen = \"::1:8080\"              | listen | put an IPv6 address in brackets",
        "listen = \"[127.0.0.1]:80\"        | listen | only IPv6 addresses go in brackets",
        "listen = \"[::1]8080\"             | listen | \"[::1]8080\" is not an address",
        "listen = \"[zz::1]:80\"            | listen | \"zz::1\" is not an IPv6 address",
        "listen = \"1.2.3.4:70000\"         | listen | port 70000 is outside 0-65535",
        "listen = 70000                   | listen | port 70000 is outside 0-65535",
        "listen = \"bad host!:80\"          | listen | \"bad host!\" is not a host name or IP address",
        "listen = \"no-such-host.invalid:80\" | listen | cannot resolve \"no-such-host.invalid\"",
        "listen = true                    | listen | must be an address such as \"0.0.0.0:8080\", not a boolean",
        // xproxy
        "xproxy = \"\"                      | xproxy | must not be empty",
        "xproxy = \"a\\nb\"                  | xproxy | \"a\\nb\" is not a valid header value: it contains a control character",
        "xproxy = \" pacer\"                | xproxy | starts or ends with whitespace",
        "xproxy = \"pac\u00e9r\"                 | xproxy | use ASCII characters only",
        "xproxy = 5                       | xproxy | must be a string, not an integer",
        "xproxy = 1979-05-27              | xproxy | must be a string, not a date or time",
        "xproxy = [\"a\"]                   | xproxy | must be a string, not an array",
        // apps_file
        "apps_file = \"missing.json\"       | apps_file | \"missing.json\" (",
        "apps_file = \"\"                   | apps_file | must not be empty",
        "apps_file = \".\"                  | apps_file | is not a regular file",
        "apps_file = 1                    | apps_file | must be a string, not an integer",
        // sizes
        "max_body_size = \"12q\"            | max_body_size | \"12q\" is not a size (use e.g. 512, 8k, 128m, 1g)",
        "max_body_size = -1               | max_body_size | -1 is negative",
        "max_body_size = \"99999999999g\"   | max_body_size | \"99999999999g\" is too large",
        "max_body_size = 99999999999999999999 | max_body_size | 99999999999999999999 is too large",
        "max_body_size = 1.5              | max_body_size | must be a size such as \"128m\" or a whole number of bytes, not a float",
        "max_header_size = \"512\"          | max_header_size | \"512\" is out of range: must be between 1k and 1m",
        "max_header_size = \"2m\"           | max_header_size | \"2m\" is out of range: must be between 1k and 1m",
        "max_header_size = true           | max_header_size | not a boolean",
        "max_uri_size = 100               | max_uri_size | 100 is out of range: must be between 256 and 1m",
        "max_uri_size = \"8g\"              | max_uri_size | \"8g\" is out of range: must be between 256 and 1m",
        "replay_buffer_size = \"65m\"       | replay_buffer_size | \"65m\" is out of range: must be between 0 and 64m",
        "replay_buffer_size = \"-1\"        | replay_buffer_size | \"-1\" is not a size",
        // durations
        "connect_timeout = \"30x\"          | connect_timeout | \"30x\" is not a duration (use e.g. 500ms, 30s, 2m, 1h)",
        "connect_timeout = \"0\"            | connect_timeout | must be greater than 0",
        "connect_timeout = 0              | connect_timeout | must be greater than 0",
        "read_timeout = -5                | read_timeout | -5 is negative",
        "read_timeout = 1.5               | read_timeout | 1.5 is not a whole number of seconds",
        "read_timeout = 9223372037        | read_timeout | 9223372037 is too large",
        "send_timeout = [1]               | send_timeout | must be a duration such as \"30s\" or a whole number of seconds, not an array",
        "send_timeout = \"0ms\"             | send_timeout | must be greater than 0",
        "keepalive_timeout = \"10 s\"       | keepalive_timeout | \"10 s\" is not a duration",
        "keepalive_timeout = -1           | keepalive_timeout | -1 is negative",
        "client_header_timeout = { a = 1 } | client_header_timeout | not a table",
        "client_body_timeout = \"0s\"       | client_body_timeout | must be greater than 0",
        "upstream_keepalive_timeout = 0   | upstream_keepalive_timeout | must be greater than 0",
        "next_upstream_timeout = \"forever\" | next_upstream_timeout | \"forever\" is not a duration",
        "next_upstream_timeout = \"300000d\" | next_upstream_timeout | \"300000d\" is too large",
        // whole numbers
        "upstream_keepalive = -1          | upstream_keepalive | -1 is too small: must be at least 0",
        "upstream_keepalive = \"lots\"      | upstream_keepalive | \"lots\" is not a whole number",
        "upstream_keepalive = 3000000000  | upstream_keepalive | 3000000000 is too large: must be at most 2147483647",
        "upstream_keepalive = \"3000000000\" | upstream_keepalive | \"3000000000\" is too large",
        "upstream_keepalive = 1.0         | upstream_keepalive | must be a whole number, not a float",
        "next_upstream_tries = -1         | next_upstream_tries | -1 is too small: must be at least 0",
        "next_upstream_tries = \"-1\"       | next_upstream_tries | \"-1\" is not a whole number",
        "worker_threads = \"x\"             | worker_threads | \"x\" is not a whole number",
        "worker_threads = false           | worker_threads | must be a whole number, not a boolean",
        "max_connections = -1             | max_connections | -1 is too small: must be at least 0",
        "max_connections = \"many\"       | max_connections | \"many\" is not a whole number",
        // next_upstream
        "next_upstream = []               | next_upstream | must list at least one condition, or \"off\"",
        "next_upstream = \"  \"             | next_upstream | must list at least one condition",
        "next_upstream = [\"off\", \"error\"] | next_upstream | \"off\" must be alone",
        "next_upstream = [\"error\", \"off\"] | next_upstream | \"off\" must be alone",
        "next_upstream = [\"off\", \"off\"]   | next_upstream | \"off\" must be alone",
        "next_upstream = [\"http503\"]      | next_upstream | \"http503\" is not a condition (did you mean \"http_503\"?); accepted: error, timeout",
        "next_upstream = [\"sometimes\"]    | next_upstream | \"sometimes\" is not a condition; accepted: error, timeout, invalid_header",
        "next_upstream = [\"error\", 1]     | next_upstream | element 2 must be a string, not an integer",
        "next_upstream = [\"non_idempotent\"] | next_upstream | \"non_idempotent\" alone retries nothing",
        "next_upstream = 5                | next_upstream | must be an array of strings, not an integer",
        // balance
        "balance = \"least_conn\"           | balance | \"least_conn\" is not supported; accepted: round_robin",
        "balance = \"ROUND_ROBIN\"          | balance | is not supported",
        "balance = 1                      | balance | must be a string, not an integer",
        // failure memory, routing mode, clients behind another balancer
        "max_fails = -1                   | max_fails | -1",
        "fail_timeout = \"0s\"             | fail_timeout | must be greater than 0",
        "fail_timeout = \"soon\"           | fail_timeout | is not a duration",
        "route_by = \"header\"             | route_by | \"header\" is not supported; accepted: path, host",
        "trusted_proxies = [\"10.0.0.0/33\"] | trusted_proxies | '10.0.0.0/33' has no valid prefix length",
        "trusted_proxies = [\"lb.local\"]  | trusted_proxies | 'lb.local' is not an IP address or CIDR block",
        "proxy_protocol = \"v2\"           | proxy_protocol | is not a switch",
        // shutdown_grace
        "shutdown_grace = -1              | shutdown_grace | -1 is negative",
        "shutdown_grace = \"soon\"        | shutdown_grace | \"soon\" is not a duration",
        "shutdown_grace = 1.5             | shutdown_grace | 1.5 is not a whole number of seconds",
        "shutdown_grace = \"300000d\"     | shutdown_grace | \"300000d\" is too large",
        "shutdown_grace = true            | shutdown_grace | must be a duration such as \"30s\" or a whole number of seconds, not a boolean",
        // access_log
        "access_log = \"yes\"             | access_log | \"yes\" is not a switch; accepted: true, false, \"on\", \"off\"",
        "access_log = \"\"                | access_log | \"\" is not a switch; accepted: true, false, \"on\", \"off\"",
        "access_log = \" on\"             | access_log | \" on\" is not a switch",
        "access_log = 1                   | access_log | must be true, false, \"on\" or \"off\", not an integer",
        "access_log = [\"on\"]            | access_log | must be true, false, \"on\" or \"off\", not an array",
        // access_log_format and log_format
        "access_log_format = \"xml\"      | access_log_format | \"xml\" is not supported; accepted: text, json",
        "access_log_format = \"JSON\"     | access_log_format | \"JSON\" is not supported; accepted: text, json",
        "access_log_format = true         | access_log_format | must be a string, not a boolean",
        "log_format = \"logfmt\"          | log_format | \"logfmt\" is not supported; accepted: text, json",
        "log_format = []                  | log_format | must be a string, not an array",
        // log_level
        "log_level = \"verbose\"          | log_level | \"verbose\" is not supported; accepted: error, warn, info, debug, trace",
        "log_level = \"warning\"          | log_level | \"warning\" is not supported; accepted: error, warn, info, debug, trace",
        "log_level = \"info \"            | log_level | \"info \" is not supported",
        "log_level = 3                    | log_level | must be a string, not an integer",
    })
    void badValueNamesFileKeyAndProblem(String toml, String key, String problem) throws IOException {
        ConfigException e = files.failure(toml + "\n");
        Path file = files.dir().resolve("pacer.toml");
        assertEquals(file, e.file());
        assertEquals(key, e.key());
        assertTrue(e.problem().contains(problem), () -> "problem was: " + e.problem());
        assertEquals(file + ": " + key + ": " + e.problem(), e.getMessage());
    }

    @Test
    void theBriefsExampleMessage() throws IOException {
        ConfigException e = files.failure("connect_timeout = \"30x\"\n");
        assertEquals(files.dir().resolve("pacer.toml") + ": connect_timeout: \"30x\" is not a duration"
                + " (use e.g. 500ms, 30s, 2m, 1h)", e.getMessage());
    }

    @Test
    void missingAppsFileShowsWhereItWasLookedFor() throws IOException {
        ConfigException e = files.failure("apps_file = \"missing.json\"\n");
        assertEquals("\"missing.json\" (" + files.dir().resolve("missing.json") + ") does not exist", e.problem());
    }

    @Test
    void unreadableAppsFileIsAnError() throws IOException {
        Path apps = Files.writeString(files.dir().resolve("apps.json"), "{}");
        assertTrue(apps.toFile().setReadable(false, false));
        try {
            if (Files.isReadable(apps)) {
                return; // Running as root: nothing is unreadable.
            }
            ConfigException e = files.failure("apps_file = \"apps.json\"\n");
            assertEquals("apps_file", e.key());
            assertTrue(e.problem().endsWith("is not readable"), e.problem());
        } finally {
            assertTrue(apps.toFile().setReadable(true, false));
        }
    }
}
