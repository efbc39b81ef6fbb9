package ai.bayeslora.examples.cli;

import picocli.CommandLine.Option;

/**
 * {@code --eval-batch-size N}: prompts per forward pass of scoring (no optimizer step), the one name for it in every
 * command. {@code --batch-size} is the hidden, deprecated old name (docs/GUIDE.md, "Command line").
 */
final class BatchSizeOptions {
    /** Prompts per pass; default 8. */
    @Option(names = "--eval-batch-size", paramLabel = "N",
            description = "Prompts per forward pass when scoring (default: ${DEFAULT-VALUE}).")
    int evalBatchSize = 8;

    /** The old name, still accepted. (No defaultValue above: picocli would apply it after this setter.) */
    @Option(names = "--batch-size", paramLabel = "N", hidden = true,
            description = "Deprecated: the old name of --eval-batch-size.")
    void batchSize(int n) {
        Deprecation.note("--batch-size", "--eval-batch-size");
        evalBatchSize = n;
    }

    /** The batch size, checked positive. */
    int evalBatchSize() {
        if (evalBatchSize < 1) {
            throw new IllegalArgumentException("--eval-batch-size must be positive, got " + evalBatchSize);
        }
        return evalBatchSize;
    }
}
