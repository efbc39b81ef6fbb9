package ai.bayeslora.core.mcqa;

/**
 * How last-token logits become class probabilities (METHODS.md §1).
 */
public enum ClassReduction {
    /**
     * (a) Softmax over the C answer-token logits. Used by Laplace-LoRA, bayesian_lora and SWAG-LoRA. The default.
     */
    ANSWER_TOKENS,
    /**
     * (b) Softmax over the full vocabulary, read at the C answer tokens, plus an extra class "other" = 1 − Σ, so that
     * mass off the answer tokens shows up as uncertainty (LoRA ensembles, Balabanov &amp; Linander 2024). C + 1 classes.
     */
    FULL_VOCAB_WITH_OTHER;

    /** The label of the extra class of {@link #FULL_VOCAB_WITH_OTHER}. */
    public static final String OTHER = "other";

    /**
     * The predictive's class labels for these answer labels: the same list, plus {@link #OTHER} under the
     * full-vocabulary reduction. The one place that appends it.
     *
     * @param answerLabels the dataset's answer labels, e.g. A–D
     * @return an unmodifiable list
     */
    public java.util.List<String> classLabels(java.util.List<String> answerLabels) {
        if (this == ANSWER_TOKENS) {
            return java.util.List.copyOf(answerLabels);
        }
        java.util.List<String> l = new java.util.ArrayList<>(answerLabels);
        l.add(OTHER);
        return java.util.Collections.unmodifiableList(l);
    }

    /**
     * The answer labels within a predictive's class labels: all of them, or all but the trailing {@link #OTHER}.
     *
     * @param classLabels labels as {@link #classLabels} made them
     * @return the answer labels
     */
    public java.util.List<String> answerLabels(java.util.List<String> classLabels) {
        return this == ANSWER_TOKENS ? java.util.List.copyOf(classLabels)
                : java.util.List.copyOf(classLabels.subList(0, classLabels.size() - 1));
    }

    /**
     * {@return the number of predictive classes for a dataset with {@code numAnswers} answer letters}
     *
     * @param numAnswers the number of answer labels k
     */
    public int numClasses(int numAnswers) {
        return this == ANSWER_TOKENS ? numAnswers : numAnswers + 1;
    }

    /**
     * The name users type and read: {@code answer-tokens} or {@code full-vocab}, the one spelling of every table,
     * log line and help text ({@link #parse} also takes the enum names). Files keep their own spelling.
     *
     * @return the name
     */
    public String cliName() {
        return this == ANSWER_TOKENS ? "answer-tokens" : "full-vocab";
    }

    /**
     * Parses {@code answer-tokens} / {@code full-vocab} (also the enum names).
     *
     * @param s the spelling to parse, case-insensitive
     * @return the reduction
     * @throws IllegalArgumentException naming the accepted spellings
     */
    public static ClassReduction parse(String s) {
        String n = s.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        switch (n) {
            case "answer-tokens": case "a": return ANSWER_TOKENS;
            case "full-vocab": case "full-vocab-with-other": case "b": return FULL_VOCAB_WITH_OTHER;
            default: throw new IllegalArgumentException("unknown class reduction '" + s
                    + "'; expected answer-tokens (a) or full-vocab (b)");
        }
    }
}
