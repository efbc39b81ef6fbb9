package ai.bayeslora.uncertainty.report;

import java.util.List;
import java.util.Locale;

/** RFC 4180 CSV text for a small table (quotes fields containing commas, quotes or newlines). */
final class Csv {
    private Csv() {
    }

    static String of(List<String> columns, List<List<Object>> rows) {
        StringBuilder sb = new StringBuilder();
        line(sb, List.copyOf(columns));
        for (List<Object> r : rows) {
            line(sb, r);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<?> values) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(field(values.get(i)));
        }
        sb.append('\n');
    }

    static String field(Object v) {
        String s = v instanceof Double ? String.format(Locale.ROOT, "%.6g", (Double) v) : String.valueOf(v);
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
