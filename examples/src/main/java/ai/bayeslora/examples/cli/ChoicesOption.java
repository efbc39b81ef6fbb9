package ai.bayeslora.examples.cli;

import ai.bayeslora.core.data.McqaLoadOptions;
import picocli.CommandLine.Option;

/**
 * {@code --choices N|all|same}: keep only the rows with N choices (ARC mixes 3, 4 and 5; the papers keep the 4-choice
 * rows), every row each scored over its own choices (the default), or refuse a file whose rows differ.
 */
final class ChoicesOption {
    @Option(names = "--choices", paramLabel = "N|all|same", description = {"Keep only the rows with N choices (the "
        + "papers keep ARC's 4-choice rows), 'all' (the default): every row, each scored over its own choices, or "
        + "'same': refuse a file whose rows differ in their number of choices."})
    String choices;

    /** Load options with this policy and {@code split}. */
    McqaLoadOptions options(String split) {
        McqaLoadOptions o = McqaLoadOptions.defaults().withSplit(split);
        if (choices == null) {
            return o;
        }
        if (choices.equalsIgnoreCase("all")) {
            return o.withOwnChoices();
        }
        if (choices.equalsIgnoreCase("same")) {
            return o.withSameChoices();
        }
        try {
            int n = Integer.parseInt(choices.trim());
            if (n < 2) {
                throw new IllegalArgumentException("--choices must be at least 2, 'all' or 'same', got " + choices);
            }
            return o.withChoices(n);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--choices takes a number of choices, 'all' or 'same', got '" + choices + "'");
        }
    }
}
