package io.pacer.proxy.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs the command-line tools users have (curl, openssl, h2load) against a test's Pacer. */
public final class Cli {

    /** A finished command: its exit status and its standard output and error, interleaved. */
    public record Result(int status, String output) {
        public boolean ok() {
            return status == 0;
        }
    }

    private Cli() { }

    /** Where {@code tool} is on the PATH, or {@code null}. */
    public static Path which(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Skips the test, saying so, when {@code tool} is not installed. */
    public static void assumeInstalled(String tool) {
        Assumptions.assumeTrue(which(tool) != null, tool + " is not on the PATH: test skipped (CI installs it)");
    }

    /** Runs {@code command} with no input; fails the test if it takes longer than {@code timeout}. */
    public static Result run(Duration timeout, List<String> command) {
        return run(timeout, null, command);
    }

    /** Runs {@code command} with {@code input} on its standard input ({@code null}: none). */
    public static Result run(Duration timeout, byte[] input, List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (input == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            Process p = builder.start();
            if (input != null) {
                try (java.io.OutputStream in = p.getOutputStream()) {
                    in.write(input);
                }
            }
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try (InputStream in = p.getInputStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "(could not read the output: " + e + ")";
                }
            });
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " still running after " + timeout);
            }
            return new Result(p.exitValue(), output.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no output from " + command, e);
        }
    }

    public static Result run(Duration timeout, String... command) {
        return run(timeout, List.of(command));
    }
}
