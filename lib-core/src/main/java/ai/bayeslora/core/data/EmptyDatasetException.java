package ai.bayeslora.core.data;

import ai.bayeslora.core.BayesLoraException;

/** A dataset has no examples: an empty file, a folder without matching files, or a filter that removed every row. */
public class EmptyDatasetException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * @param source the file or folder (and filter) that gave no examples
     * @param why    a short reason, for example "the file has no rows"
     */
    public EmptyDatasetException(String source, String why) {
        super("empty dataset: " + source + ": " + why);
    }
}
