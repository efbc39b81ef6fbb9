package ai.bayeslora.core.text;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The token id of each answer class: label {@code "A"} is read at the id of {@code prefix + "A"} (default prefix a
 * single space, so {@code " A"}, the token that follows {@code "Answer:"}). Every label must encode to exactly one
 * token, and different labels to different tokens. Immutable.
 */
public final class AnswerTokens {
    /** The default prefix: one space, as in {@code "Answer: A"}. */
    public static final String DEFAULT_PREFIX = " ";

    private final List<String> labels;
    private final String prefix;
    private final long[] ids;

    private AnswerTokens(List<String> labels, String prefix, long[] ids) {
        this.labels = labels;
        this.prefix = prefix;
        this.ids = ids;
    }

    /** Answer tokens for {@code labels} with the default prefix {@code " "}. */
    public static AnswerTokens of(TextTokenizer tokenizer, List<String> labels) {
        return of(tokenizer, labels, DEFAULT_PREFIX);
    }

    /**
     * Answer tokens for {@code labels}, each encoded as {@code prefix + label}.
     *
     * @throws AnswerTokenException     if an encoding is not exactly one token, or two labels share a token
     * @throws IllegalArgumentException if {@code labels} is empty or has duplicates
     */
    public static AnswerTokens of(TextTokenizer tokenizer, List<String> labels, String prefix) {
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(prefix, "prefix");
        List<String> copy = List.copyOf(labels);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("no answer labels");
        }
        if (new HashSet<>(copy).size() != copy.size()) {
            throw new IllegalArgumentException("duplicate answer labels: " + copy);
        }
        long[] ids = new long[copy.size()];
        Map<Long, String> seen = new HashMap<>();
        for (int i = 0; i < copy.size(); i++) {
            String label = copy.get(i);
            String text = prefix + label;
            int[] encoded = tokenizer.encode(text);
            if (encoded.length != 1) {
                throw new AnswerTokenException("answer label \"" + label + "\": \"" + text + "\" encodes to "
                        + encoded.length + " tokens " + Arrays.toString(encoded)
                        + ", expected exactly one; choose another prefix or labels");
            }
            ids[i] = encoded[0];
            String previous = seen.put(ids[i], label);
            if (previous != null) {
                throw new AnswerTokenException("answer labels \"" + previous + "\" and \"" + label
                        + "\" both encode to token " + ids[i] + " (prefix \"" + prefix + "\")");
            }
        }
        return new AnswerTokens(copy, prefix, ids);
    }

    /** The token id of each class, in label order. A fresh copy. */
    public long[] ids() {
        return ids.clone();
    }

    /** The token id of class {@code classIndex}. */
    public long id(int classIndex) {
        return ids[classIndex];
    }

    /** Number of classes C. */
    public int numClasses() {
        return ids.length;
    }

    /** The class labels, for example A–D. */
    public List<String> labels() {
        return labels;
    }

    /** The prefix put before each label when encoding. */
    public String prefix() {
        return prefix;
    }

    @Override
    public String toString() {
        return "AnswerTokens" + labels + "=" + Arrays.toString(ids);
    }

    /** Equal when the labels, the prefix and the token ids are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof AnswerTokens t && t.labels.equals(labels) && t.prefix.equals(prefix)
                && Arrays.equals(t.ids, ids);
    }

    @Override
    public int hashCode() {
        return Objects.hash(labels, prefix, Arrays.hashCode(ids));
    }
}
