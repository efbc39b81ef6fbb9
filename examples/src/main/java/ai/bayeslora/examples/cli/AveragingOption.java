package ai.bayeslora.examples.cli;

import ai.bayeslora.uncertainty.MemberAveraging;
import picocli.CommandLine.Option;

/**
 * {@code --average probabilities|logits}: how the members or samples of an ensemble-type predictive are combined
 * (docs/METHODS.md §4, "Averaging members"). Recorded in report.json ({@code "averaging"}) and the printed tables.
 */
final class AveragingOption {
    /** The option's text; default {@code probabilities} (p̄ = mean of the members' probabilities). */
    @Option(names = "--average", paramLabel = "probabilities|logits", defaultValue = "probabilities",
            converter = CliEnums.Averaging.class,
            description = {"Combine members/samples by their probabilities (default, as Laplace-LoRA and SWAG-LoRA) "
                + "or by their logits, softmax of the mean logits (as BLoB's ensembles). MI stays the samples' mutual "
                + "information either way."})
    MemberAveraging average = MemberAveraging.PROBABILITIES;

    /** The parsed averaging; an unknown value is a usage error naming --average. */
    MemberAveraging averaging() {
        return average;
    }
}
