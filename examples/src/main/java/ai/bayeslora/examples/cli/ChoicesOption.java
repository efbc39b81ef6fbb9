package ai.bayeslora.examples.cli;

import ai.bayeslora.core.data.McqaLoadOptions;
import picocli.CommandLine.Option;

/** {@code --choices N}: keep only the rows with N choices (ARC mixes 3, 4 and 5; the papers keep the 4-choice rows). */
final class ChoicesOption {
    @Option(names = "--choices", paramLabel = "N", description = {"Keep only the rows with N choices (the papers keep",
        "ARC's 4-choice rows). Without it, a file whose rows differ in their number of choices is refused."})
    Integer choices;

    /** Load options with this policy and {@code split}. */
    McqaLoadOptions options(String split) {
        McqaLoadOptions o = McqaLoadOptions.defaults().withSplit(split);
        return choices == null ? o : o.withChoices(choices);
    }
}
