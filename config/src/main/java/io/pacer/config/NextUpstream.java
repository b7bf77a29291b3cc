package io.pacer.config;

import io.pacer.core.RetryCondition;
import io.pacer.core.RetryPolicy;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code next_upstream} key: Nginx's {@code proxy_next_upstream} word list. Like Nginx, the
 * list replaces the default rather than adding to it, names are matched ignoring case, and
 * {@code off} stands alone.
 */
public record NextUpstream(Set<RetryCondition> conditions, boolean nonIdempotent) {

    static final NextUpstream DEFAULT = new NextUpstream(RetryPolicy.DEFAULT_CONDITIONS, false);

    private static final String OFF = "off";
    private static final String NON_IDEMPOTENT = "non_idempotent";

    public NextUpstream {
        conditions = conditions.isEmpty() ? EnumSet.noneOf(RetryCondition.class) : EnumSet.copyOf(conditions);
    }

    /**
     * A {@code next_upstream} word list given elsewhere than in {@code pacer.toml} (an app's label),
     * as a policy that keeps {@code base}'s tries and timeout.
     *
     * @throws IllegalArgumentException saying what is wrong with the list
     */
    public static RetryPolicy retryPolicy(List<String> words, RetryPolicy base) {
        try {
            NextUpstream parsed = parse(words);
            return new RetryPolicy(parsed.conditions(), parsed.nonIdempotent(), base.tries(), base.timeoutNanos());
        } catch (BadValue e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static NextUpstream parse(List<String> words) throws BadValue {
        if (words.isEmpty()) {
            throw new BadValue("must list at least one condition, or \"off\" to never retry");
        }
        Set<RetryCondition> conditions = EnumSet.noneOf(RetryCondition.class);
        boolean nonIdempotent = false;
        boolean off = false;
        for (String word : words) {
            String name = word.toLowerCase(Locale.ROOT);
            if (name.equals(OFF)) {
                off = true;
            } else if (name.equals(NON_IDEMPOTENT)) {
                nonIdempotent = true;
            } else {
                conditions.add(condition(word, name));
            }
        }
        if (off && words.size() > 1) {
            throw new BadValue("\"off\" must be alone: it turns retries off, so nothing can go with it");
        }
        if (nonIdempotent && conditions.isEmpty()) {
            // Nginx accepts this and then never retries; an operator writing it meant something else.
            throw new BadValue("\"non_idempotent\" alone retries nothing; list the conditions to retry too,"
                    + " e.g. [\"error\", \"timeout\", \"non_idempotent\"]");
        }
        return new NextUpstream(conditions, nonIdempotent);
    }

    private static RetryCondition condition(String word, String name) throws BadValue {
        List<String> accepted = new ArrayList<>();
        for (RetryCondition condition : RetryCondition.values()) {
            if (condition.nginxName().equals(name)) {
                return condition;
            }
            accepted.add(condition.nginxName());
        }
        accepted.add(NON_IDEMPOTENT);
        accepted.add(OFF);
        String closest = Text.closest(word, accepted);
        throw new BadValue(Text.quote(word) + " is not a condition"
                + (closest == null ? "" : " (did you mean " + Text.quote(closest) + "?)")
                + "; accepted: " + String.join(", ", accepted));
    }
}
