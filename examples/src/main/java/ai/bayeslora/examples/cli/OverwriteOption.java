package ai.bayeslora.examples.cli;

import picocli.CommandLine.Option;

/** {@code --overwrite}: the one way to let a command replace an output it did not write. */
final class OverwriteOption {
    @Option(names = "--overwrite", description = {"Replace the outputs even if they hold files BayesLoRA4J did not "
        + "write (or an earlier run). Inputs are never overwritten."})
    boolean overwrite;
}
