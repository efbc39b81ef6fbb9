package ai.bayeslora.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A benchmark's results: rows printed as a table and written as JSON (atomically). */
public final class BenchReport {
    private final String name;
    private final Map<String, Object> environment = new LinkedHashMap<>();
    private final List<Map<String, Object>> rows = new ArrayList<>();
    private final Map<String, Object> summary = new LinkedHashMap<>();

    public BenchReport(String name) {
        this.name = name;
        environment.put("timestamp", Instant.now().toString());
        environment.put("cores", Runtime.getRuntime().availableProcessors());
        environment.put("java", System.getProperty("java.version"));
        environment.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    }

    public BenchReport env(String key, Object value) {
        environment.put(key, value);
        return this;
    }

    /** Adds a row; keys become table columns in insertion order. */
    public BenchReport row(Map<String, Object> row) {
        rows.add(new LinkedHashMap<>(row));
        return this;
    }

    /** A row with columns in the given order: key1, value1, key2, value2, … */
    public static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    public BenchReport summary(String key, Object value) {
        summary.put(key, value);
        return this;
    }

    /**
     * A summary value recorded with {@link #summary}.
     *
     * @param key the summary key
     * @return its value, or null
     */
    public Object summaryValue(String key) {
        return summary.get(key);
    }

    /** Prints the rows as an aligned table, then the summary. */
    public void print() {
        System.out.println();
        System.out.println("== " + name + " ==");
        if (!rows.isEmpty()) {
            List<String> cols = new ArrayList<>(rows.get(0).keySet());
            int[] w = new int[cols.size()];
            for (int i = 0; i < cols.size(); i++) {
                w[i] = cols.get(i).length();
                for (Map<String, Object> r : rows) {
                    w[i] = Math.max(w[i], fmt(r.get(cols.get(i))).length());
                }
            }
            StringBuilder head = new StringBuilder();
            for (int i = 0; i < cols.size(); i++) {
                head.append(String.format("%-" + (w[i] + 2) + "s", cols.get(i)));
            }
            System.out.println(head.toString().stripTrailing());
            for (Map<String, Object> r : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < cols.size(); i++) {
                    line.append(String.format("%-" + (w[i] + 2) + "s", fmt(r.get(cols.get(i)))));
                }
                System.out.println(line.toString().stripTrailing());
            }
        }
        summary.forEach((k, v) -> System.out.println(k + ": " + fmt(v)));
    }

    /** Writes {name, environment, rows, summary} as JSON to {@code file}, atomically. */
    public void writeJson(Path file) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("benchmark", name);
        all.put("environment", environment);
        all.put("rows", rows);
        all.put("summary", summary);
        try {
            ai.bayeslora.core.io.AtomicOutput.writeString(file,
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(all));
            System.out.println("wrote " + file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String fmt(Object v) {
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return Math.abs(d) >= 100 ? String.format("%.1f", d) : String.format("%.4g", d);
        }
        return String.valueOf(v);
    }
}
