package ai.bayeslora.uncertainty.metrics;

import ai.bayeslora.core.BayesLoraException;

/**
 * A metric that is mathematically undefined for valid input, for example AUROC or AUPR when only positives or only
 * negatives are present (there is nothing to separate). Thrown instead of returning NaN so that a degenerate split is
 * noticed rather than averaged into a table.
 */
public class UndefinedMetricException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which metric is undefined and why, e.g. only one class present
     */
    public UndefinedMetricException(String message) {
        super(message);
    }
}
