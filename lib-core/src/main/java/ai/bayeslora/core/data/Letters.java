package ai.bayeslora.core.data;

import java.util.ArrayList;
import java.util.List;

/** Letter labels A, B, C, … and their compact description. */
final class Letters {
    static final int MAX = 26;

    private Letters() {
    }

    /** The first {@code n} letters, A… */
    static List<String> first(int n) {
        if (n < 1 || n > MAX) {
            throw new IllegalArgumentException("number of letter labels must be in 1..26, got " + n);
        }
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(String.valueOf((char) ('A' + i)));
        }
        return List.copyOf(out);
    }

    /** "A–E" for consecutive letters from A, else the labels joined by commas. */
    static String describe(List<String> labels) {
        if (labels.size() > 1 && labels.size() <= MAX && labels.equals(first(labels.size()))) {
            return labels.get(0) + "–" + labels.get(labels.size() - 1);
        }
        return String.join(",", labels);
    }

    /** True if {@code prefix} equals the first elements of {@code full}. */
    static boolean isPrefix(List<String> prefix, List<String> full) {
        return prefix.size() <= full.size() && full.subList(0, prefix.size()).equals(prefix);
    }

    /**
     * ARC's numeric labels "1", "2", … in order become A, B, … (the answer index is the same); other labels are kept.
     * The Laplace-LoRA and SWAG-LoRA code map "1"–"4" to A–D this way.
     */
    static List<String> positional(List<String> labels) {
        for (int i = 0; i < labels.size(); i++) {
            if (!labels.get(i).equals(String.valueOf(i + 1))) {
                return labels;
            }
        }
        return first(labels.size());
    }
}
