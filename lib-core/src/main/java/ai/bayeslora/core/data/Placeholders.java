package ai.bayeslora.core.data;

import java.util.Map;

/** Single-pass {@code {name}} substitution: replaced text is never scanned again; unknown names stay as they are. */
final class Placeholders {
    private Placeholders() {
    }

    static String fill(String format, Map<String, String> values) {
        StringBuilder sb = new StringBuilder(format.length() + 64);
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c == '{') {
                int end = format.indexOf('}', i + 1);
                if (end > 0) {
                    String value = values.get(format.substring(i + 1, end));
                    if (value != null) {
                        sb.append(value);
                        i = end + 1;
                        continue;
                    }
                }
            }
            sb.append(c);
            i++;
        }
        return sb.toString();
    }
}
