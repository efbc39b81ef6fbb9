package ai.bayeslora.core.data;

import java.util.OptionalInt;

/**
 * Which rows of a file are kept, by their number of choices ({@link McqaLoadOptions}).
 *
 * @param only keep only rows with this many choices (the others are dropped)
 * @param own  keep rows with fewer choices than the longest row, each scored over its own choices
 */
record ChoicePolicy(OptionalInt only, boolean own) {
    /** Every row, all with the same choices (a row with fewer is refused). */
    static final ChoicePolicy SAME = new ChoicePolicy(OptionalInt.empty(), false);

    static ChoicePolicy of(McqaLoadOptions o) {
        return new ChoicePolicy(o.choices(), o.ownChoices());
    }
}
