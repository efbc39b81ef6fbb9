package ai.bayeslora.core.text;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The tokens of each answer class (its verbalizer): label {@code "A"} is read as the encoding of {@code prefix + "A"}
 * (default prefix a single space, so {@code " A"}, the text that follows {@code "Answer:"}). When every label encodes
 * to exactly one token the classes are read at those tokens' logits (the fast path); otherwise a label is scored by the
 * log-likelihood of its whole token sequence as a continuation of the prompt (docs/METHODS.md §1, verbalizers).
 * Different labels must encode to different sequences. Immutable.
 */
public final class AnswerTokens {
    /** The default prefix: one space, as in {@code "Answer: A"}. */
    public static final String DEFAULT_PREFIX = " ";

    private final List<String> labels;
    private final String prefix;
    private final long[][] sequences;
    private final boolean singleToken;

    private AnswerTokens(List<String> labels, String prefix, long[][] sequences) {
        this.labels = labels;
        this.prefix = prefix;
        this.sequences = sequences;
        boolean single = true;
        for (long[] s : sequences) {
            single &= s.length == 1;
        }
        this.singleToken = single;
    }

    /**
     * Answer tokens for {@code labels} with the default prefix {@code " "}.
     *
     * @param tokenizer the model's tokenizer
     * @param labels the class labels, in class order
     * @return one answer token per label, in class order
     */
    public static AnswerTokens of(TextTokenizer tokenizer, List<String> labels) {
        return of(tokenizer, labels, DEFAULT_PREFIX);
    }

    /**
     * Answer tokens for {@code labels}, each encoded as {@code prefix + label}.
     *
     * @param tokenizer the model's tokenizer
     * @param labels the class labels, in class order
     * @param prefix the text put before each label
     * @return the answer tokens
     * @throws AnswerTokenException     if a label encodes to no token, or two labels to the same tokens
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
        long[][] sequences = new long[copy.size()][];
        Map<List<Long>, String> seen = new HashMap<>();
        for (int i = 0; i < copy.size(); i++) {
            String label = copy.get(i);
            String text = prefix + label;
            int[] encoded = tokenizer.encode(text);
            if (encoded.length == 0) {
                throw new AnswerTokenException("answer label \"" + label + "\": \"" + text
                        + "\" encodes to no tokens; choose another prefix or labels");
            }
            sequences[i] = Arrays.stream(encoded).asLongStream().toArray();
            String previous = seen.put(Arrays.stream(sequences[i]).boxed().toList(), label);
            if (previous != null) {
                throw new AnswerTokenException("answer labels \"" + previous + "\" and \"" + label
                        + "\" both encode to " + (encoded.length == 1 ? "token " + encoded[0]
                        : "tokens " + Arrays.toString(encoded)) + " (prefix \"" + prefix + "\")");
            }
        }
        return new AnswerTokens(copy, prefix, sequences);
    }

    /** {@return whether every label is one token, so the classes are read at one position (the fast path)} */
    public boolean singleToken() {
        return singleToken;
    }

    /**
     * The token id of each class, in label order. A fresh copy.
     *
     * @return one id per class
     * @throws AnswerTokenException if a label is more than one token (use {@link #sequence})
     */
    public long[] ids() {
        requireSingleToken();
        long[] ids = new long[sequences.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = sequences[i][0];
        }
        return ids;
    }

    /**
     * The token id of class {@code classIndex}.
     *
     * @param classIndex the class
     * @return its only token
     * @throws AnswerTokenException if that label is more than one token
     */
    public long id(int classIndex) {
        if (sequences[classIndex].length != 1) {
            throw multiToken(classIndex, "a single token id");
        }
        return sequences[classIndex][0];
    }

    /**
     * The tokens of class {@code classIndex}'s label (with the prefix). A fresh copy.
     *
     * @param classIndex the class
     * @return one or more token ids
     */
    public long[] sequence(int classIndex) {
        return sequences[classIndex].clone();
    }

    /** {@return the longest label's number of tokens} */
    public int maxLength() {
        int k = 0;
        for (long[] s : sequences) {
            k = Math.max(k, s.length);
        }
        return k;
    }

    /**
     * Refuses multi-token labels where only single tokens make sense.
     *
     * @param what what needs single tokens, for the message (for example "the full-vocabulary reduction")
     * @throws AnswerTokenException naming the first label of several tokens
     */
    public void requireSingleToken(String what) {
        for (int i = 0; i < sequences.length; i++) {
            if (sequences[i].length != 1) {
                throw multiToken(i, what);
            }
        }
    }

    private void requireSingleToken() {
        requireSingleToken("a single token id per class");
    }

    private AnswerTokenException multiToken(int i, String what) {
        return new AnswerTokenException("answer label \"" + labels.get(i) + "\": \"" + prefix + labels.get(i)
                + "\" encodes to " + sequences[i].length + " tokens " + Arrays.toString(sequences[i]) + ", but "
                + what + " needs every label to be exactly one token; choose another prefix or labels");
    }

    /** {@return the number of classes C} */
    public int numClasses() {
        return sequences.length;
    }

    /** {@return the class labels, for example A–D} */
    public List<String> labels() {
        return labels;
    }

    /** {@return the prefix put before each label when encoding} */
    public String prefix() {
        return prefix;
    }

    @Override
    public String toString() {
        return "AnswerTokens" + labels + "=" + Arrays.deepToString(sequences);
    }

    /** Equal when the labels, the prefix and the token sequences are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof AnswerTokens t && t.labels.equals(labels) && t.prefix.equals(prefix)
                && Arrays.deepEquals(t.sequences, sequences);
    }

    @Override
    public int hashCode() {
        return Objects.hash(labels, prefix, Arrays.deepHashCode(sequences));
    }
}
