package ai.bayeslora.core.mcqa;

import ai.bayeslora.core.BayesLoraException;
import java.util.List;

/**
 * A prediction produced NaN or infinite class scores. The library stops instead of printing NaN as a probability,
 * choosing class A from it, or counting it in a metric; the message names the example and the likely causes.
 */
public class NonFiniteScoresException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was non-finite where
     */
    public NonFiniteScoresException(String message) {
        super(message);
    }

    /**
     * Checks rows of {@code classes} scores (log-probabilities or probabilities) and throws at the first non-finite
     * one.
     *
     * @param values [rows · classes] scores
     * @param classes scores per row
     * @param exampleIds the rows' example ids (or null), for the message
     * @param what what the scores are, e.g. "log-probabilities of the adapter"
     * @throws NonFiniteScoresException naming the example, the value and the likely causes
     */
    public static void check(double[] values, int classes, List<String> exampleIds, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i]) && !(values[i] == Double.NEGATIVE_INFINITY && isLogScale(what))) {
                int row = i / classes;
                String id = exampleIds != null && row < exampleIds.size() ? exampleIds.get(row) : "row " + row;
                throw new NonFiniteScoresException(what + " of example '" + id + "' are not finite (" + values[i]
                        + "); the model's weights, its config.json or the adapter produce NaN or infinite values "
                        + "(check the base model alone without --adapter, and the adapter's weights)");
            }
        }
    }

    /** log p = −∞ is a legitimate (zero) probability; NaN and +∞ never are. */
    private static boolean isLogScale(String what) {
        return what.startsWith("log");
    }
}
