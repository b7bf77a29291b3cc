package io.pacer.proxy.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, written from the format's
 * description, for tests: {@link #parse} records every rule a document breaks in
 * {@link #problems()} (grammar, escaping, HELP/TYPE placement, grouping, duplicate series,
 * histogram and summary shape, counter names), and gives sample values by series.
 */
final class PrometheusText {

    static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile(
            "[+-]?(?:(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|Inf|inf)|NaN");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample line. Labels in the order written. */
    record Sample(String name, Map<String, String> labels, double value, int line) {
        String key() {
            return PrometheusText.key(name, labels);
        }
    }

    /** A metric family: its name, TYPE (untyped when none was given), HELP and samples. */
    static final class Family {
        final String name;
        String type = "untyped";
        String help;
        boolean typed;
        final List<Sample> samples = new ArrayList<>();

        Family(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name + " (" + type + ", " + samples.size() + " samples)";
        }
    }

    private final Map<String, Family> families = new LinkedHashMap<>();
    private final Map<String, Sample> series = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private PrometheusText() { }

    static PrometheusText parse(String text) {
        PrometheusText doc = new PrometheusText();
        doc.read(text);
        doc.checkShapes();
        return doc;
    }

    List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    Map<String, Family> families() {
        return Collections.unmodifiableMap(families);
    }

    Map<String, Sample> series() {
        return Collections.unmodifiableMap(series);
    }

    /** The value of one series, or {@code null} when absent. Labels as name, value pairs, any order. */
    Double value(String name, String... labels) {
        Sample s = series.get(key(name, pairs(labels)));
        return s == null ? null : s.value();
    }

    /** Sum of every series of {@code name} whose labels include {@code labels}. */
    double sum(String name, String... labels) {
        Map<String, String> want = pairs(labels);
        double total = 0;
        for (Sample s : series.values()) {
            if (s.name().equals(name) && s.labels().entrySet().containsAll(want.entrySet())) {
                total += s.value();
            }
        }
        return total;
    }

    /** Series (any metric) having {@code label="value"}. */
    List<Sample> withLabel(String label, String value) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : series.values()) {
            if (value.equals(s.labels().get(label))) {
                out.add(s);
            }
        }
        return out;
    }

    /** Series of {@code name}, any labels. */
    List<Sample> samples(String name) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : series.values()) {
            if (s.name().equals(name)) {
                out.add(s);
            }
        }
        return out;
    }

    static Map<String, String> pairs(String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            map.put(labels[i], labels[i + 1]);
        }
        return map;
    }

    /** {@code name{a="x",b="y"}} with labels sorted by name and values escaped. */
    static String key(String name, Map<String, String> labels) {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder b = new StringBuilder(name).append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append(e.getKey()).append("=\"")
                    .append(e.getValue().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                    .append('"');
        }
        return b.append('}').toString();
    }

    // ---- reading -------------------------------------------------------------------------------

    private void read(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            problems.add("the last line does not end with a line feed");
        }
        String[] lines = text.split("\n", -1);
        Family current = null;
        Set<String> closed = new HashSet<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int n = i + 1;
            if (line.isEmpty()) {
                continue;
            }
            if (line.indexOf('\r') >= 0) {
                problems.add(n + ": carriage return in line");
            }
            if (line.startsWith("#")) {
                Family f = comment(line, n);
                if (f != null) {
                    if (!f.samples.isEmpty()) {
                        problems.add(n + ": HELP/TYPE of " + f.name + " after its samples");
                    }
                    if (closed.contains(f.name)) {
                        problems.add(n + ": HELP/TYPE of " + f.name + " after another family started");
                    }
                    if (current != null && current != f) {
                        closed.add(current.name);
                    }
                    current = f;
                }
                continue;
            }
            Sample s = sample(line, n);
            if (s == null) {
                continue;
            }
            Family f = familyOf(s.name());
            if (current != f) {
                if (closed.contains(f.name)) {
                    problems.add(n + ": samples of " + f.name + " are not grouped together");
                }
                if (current != null) {
                    closed.add(current.name);
                }
                current = f;
            }
            f.samples.add(s);
            if (series.put(s.key(), s) != null) {
                problems.add(n + ": duplicate series " + s.key());
            }
        }
    }

    /** Reads a comment line; returns the family a HELP or TYPE line was about, else {@code null}. */
    private Family comment(String line, int n) {
        String[] parts = line.split("[ \t]+", 4);
        if (parts.length < 3 || !parts[0].equals("#") || !(parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
            return null; // an ordinary comment
        }
        String name = parts[2];
        if (!METRIC_NAME.matcher(name).matches()) {
            problems.add(n + ": invalid metric name in " + parts[1] + ": " + name);
        }
        Family f = families.computeIfAbsent(name, Family::new);
        String rest = parts.length > 3 ? parts[3] : "";
        if (parts[1].equals("HELP")) {
            if (f.help != null) {
                problems.add(n + ": second HELP for " + name);
            }
            f.help = unescapeHelp(rest, n);
        } else {
            if (f.typed) {
                problems.add(n + ": second TYPE for " + name);
            }
            if (!TYPES.contains(rest)) {
                problems.add(n + ": unknown TYPE " + rest + " for " + name);
            }
            f.typed = true;
            f.type = rest;
        }
        return f;
    }

    private String unescapeHelp(String s, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i + 1 == s.length()) {
                problems.add(n + ": HELP ends in a lone backslash");
                break;
            }
            char e = s.charAt(++i);
            if (e == '\\') {
                b.append('\\');
            } else if (e == 'n') {
                b.append('\n');
            } else {
                problems.add(n + ": invalid escape \\" + e + " in HELP");
            }
        }
        return b.toString();
    }

    private Sample sample(String line, int n) {
        int i = 0;
        int len = line.length();
        while (i < len && isNameChar(line.charAt(i), i == 0)) {
            i++;
        }
        String name = line.substring(0, i);
        if (name.isEmpty()) {
            problems.add(n + ": no metric name: " + line);
            return null;
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < len && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i < len && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int start = i;
                while (i < len && isLabelChar(line.charAt(i), i == start)) {
                    i++;
                }
                String label = line.substring(start, i);
                if (label.isEmpty() || !LABEL_NAME.matcher(label).matches()) {
                    problems.add(n + ": invalid label name at column " + (start + 1) + ": " + line);
                    return null;
                }
                if (label.startsWith("__")) {
                    problems.add(n + ": reserved label name " + label);
                }
                if (i + 1 >= len || line.charAt(i) != '=' || line.charAt(i + 1) != '"') {
                    problems.add(n + ": expected =\" after label " + label + ": " + line);
                    return null;
                }
                i += 2;
                StringBuilder value = new StringBuilder();
                boolean closedQuote = false;
                while (i < len) {
                    char c = line.charAt(i++);
                    if (c == '"') {
                        closedQuote = true;
                        break;
                    }
                    if (c == '\\') {
                        if (i == len) {
                            break;
                        }
                        char e = line.charAt(i++);
                        switch (e) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> problems.add(n + ": invalid escape \\" + e + " in value of " + label);
                        }
                    } else {
                        value.append(c);
                    }
                }
                if (!closedQuote) {
                    problems.add(n + ": unterminated value of label " + label + ": " + line);
                    return null;
                }
                if (labels.put(label, value.toString()) != null) {
                    problems.add(n + ": label " + label + " twice");
                }
                if (i < len && line.charAt(i) == ',') {
                    i++;
                } else if (i < len && line.charAt(i) == '}') {
                    i++;
                    break;
                } else {
                    problems.add(n + ": expected , or } after label " + label + ": " + line);
                    return null;
                }
            }
        }
        if (i >= len || (line.charAt(i) != ' ' && line.charAt(i) != '\t')) {
            problems.add(n + ": expected whitespace before the value: " + line);
            return null;
        }
        String[] rest = line.substring(i).trim().split("[ \t]+");
        if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
            problems.add(n + ": expected value [timestamp]: " + line);
            return null;
        }
        if (!FLOAT.matcher(rest[0]).matches()) {
            problems.add(n + ": invalid value " + rest[0]);
            return null;
        }
        if (rest.length == 2 && !TIMESTAMP.matcher(rest[1]).matches()) {
            problems.add(n + ": invalid timestamp " + rest[1]);
        }
        return new Sample(name, labels, parseFloat(rest[0]), n);
    }

    static double parseFloat(String s) {
        return switch (s) {
            case "+Inf", "Inf", "+inf", "inf" -> Double.POSITIVE_INFINITY;
            case "-Inf", "-inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    private static boolean isNameChar(char c, boolean first) {
        return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
    }

    private static boolean isLabelChar(char c, boolean first) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
    }

    /** The family a sample belongs to: its own name's, or a histogram's or summary's by suffix. */
    private Family familyOf(String sampleName) {
        for (String suffix : new String[] {"_bucket", "_count", "_sum"}) {
            if (sampleName.endsWith(suffix)) {
                Family base = families.get(sampleName.substring(0, sampleName.length() - suffix.length()));
                if (base != null && (base.type.equals("histogram")
                        || (base.type.equals("summary") && !suffix.equals("_bucket")))) {
                    return base;
                }
            }
        }
        return families.computeIfAbsent(sampleName, Family::new);
    }

    // ---- shapes --------------------------------------------------------------------------------

    private void checkShapes() {
        for (Family f : families.values()) {
            if (f.samples.isEmpty()) {
                continue;
            }
            switch (f.type) {
                case "counter" -> checkCounter(f);
                case "histogram" -> checkHistogram(f);
                case "summary" -> checkSummary(f);
                default -> {
                    for (Sample s : f.samples) {
                        if (!s.name().equals(f.name)) {
                            problems.add(s.line() + ": sample " + s.name() + " in family " + f.name);
                        }
                    }
                }
            }
        }
    }

    private void checkCounter(Family f) {
        if (!f.name.endsWith("_total")) {
            problems.add("counter " + f.name + " does not end with _total");
        }
        for (Sample s : f.samples) {
            if (!s.name().equals(f.name)) {
                problems.add(s.line() + ": sample " + s.name() + " in counter " + f.name);
            }
            if (Double.isNaN(s.value()) || s.value() < 0) {
                problems.add(s.line() + ": counter " + s.key() + " is " + s.value());
            }
        }
    }

    private void checkHistogram(Family f) {
        Map<String, List<Sample>> buckets = new LinkedHashMap<>();
        Map<String, Double> counts = new HashMap<>();
        Set<String> sums = new HashSet<>();
        for (Sample s : f.samples) {
            Map<String, String> rest = new LinkedHashMap<>(s.labels());
            String le = rest.remove("le");
            String group = key(f.name, rest);
            if (s.name().equals(f.name + "_bucket")) {
                if (le == null) {
                    problems.add(s.line() + ": bucket without le: " + s.key());
                    continue;
                }
                buckets.computeIfAbsent(group, k -> new ArrayList<>()).add(s);
            } else if (le != null) {
                problems.add(s.line() + ": le on a non-bucket sample " + s.key());
            } else if (s.name().equals(f.name + "_count")) {
                counts.put(group, s.value());
            } else if (s.name().equals(f.name + "_sum")) {
                sums.add(group);
            } else {
                problems.add(s.line() + ": sample " + s.name() + " in histogram " + f.name);
            }
        }
        Set<String> groups = new HashSet<>(buckets.keySet());
        groups.addAll(counts.keySet());
        groups.addAll(sums);
        for (String group : groups) {
            List<Sample> list = buckets.getOrDefault(group, List.of());
            if (list.isEmpty()) {
                problems.add(group + ": histogram without buckets");
                continue;
            }
            double previousLe = Double.NEGATIVE_INFINITY;
            double previousCount = 0;
            for (Sample b : list) {
                String leText = b.labels().get("le");
                if (!FLOAT.matcher(leText).matches()) {
                    problems.add(b.line() + ": le is not a number: " + leText);
                    continue;
                }
                double le = parseFloat(leText);
                if (!(le > previousLe)) {
                    problems.add(b.line() + ": le " + leText + " not above the previous bucket's in " + group);
                }
                if (b.value() < previousCount) {
                    problems.add(b.line() + ": bucket le=" + leText + " is below the previous bucket in " + group);
                }
                previousLe = le;
                previousCount = b.value();
            }
            Sample last = list.get(list.size() - 1);
            if (!"+Inf".equals(last.labels().get("le"))) {
                problems.add(group + ": last bucket is le=" + last.labels().get("le") + ", not +Inf");
            }
            Double count = counts.get(group);
            if (count == null) {
                problems.add(group + ": histogram without _count");
            } else if (count.doubleValue() != last.value()) {
                problems.add(group + ": _count " + count + " differs from the +Inf bucket " + last.value());
            }
            if (!sums.contains(group)) {
                problems.add(group + ": histogram without _sum");
            }
        }
    }

    private void checkSummary(Family f) {
        Set<String> counts = new HashSet<>();
        Set<String> sums = new HashSet<>();
        for (Sample s : f.samples) {
            Map<String, String> rest = new LinkedHashMap<>(s.labels());
            String q = rest.remove("quantile");
            String group = key(f.name, rest);
            if (s.name().equals(f.name)) {
                if (q == null || !FLOAT.matcher(q).matches() || parseFloat(q) < 0 || parseFloat(q) > 1) {
                    problems.add(s.line() + ": summary quantile sample without a quantile in [0, 1]: " + s.key());
                }
            } else if (q != null) {
                problems.add(s.line() + ": quantile on " + s.key());
            } else if (s.name().equals(f.name + "_count")) {
                counts.add(group);
            } else if (s.name().equals(f.name + "_sum")) {
                sums.add(group);
            }
        }
        if (!counts.equals(sums)) {
            problems.add(f.name + ": summary _count and _sum series differ: " + counts + " vs " + sums);
        }
    }
}
