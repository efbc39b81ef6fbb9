package ai.bayeslora.examples.cli;

import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaFormat;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How every data option of a command is read (docs/GUIDE.md, "Command line"): {@code --format}, {@code --split},
 * {@code --limit} and {@code --choices}, applied alike to each {@link DataSpec} the command takes ({@code --data},
 * {@code --ood}, {@code --train}, {@code --eval}, …).
 */
final class DataLoadOptions {
    /** The file format; default AUTO (detected from the file). */
    @Option(names = "--format", defaultValue = "auto", converter = CliEnums.Format.class,
            completionCandidates = CliEnums.Formats.class, paramLabel = "FORMAT",
            description = "Data format of every data option: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    McqaFormat format = McqaFormat.AUTO;

    /** MMLU split of CSV folders; default test. */
    @Option(names = "--split", defaultValue = "test", paramLabel = "SPLIT",
            description = "MMLU split read from CSV folders, *_SPLIT.csv (default: ${DEFAULT-VALUE}).")
    String split = "test";

    /** Only the first N questions of each set; default all. */
    @Option(names = "--limit", paramLabel = "N",
            description = "Only the first N questions of each data set, after its selector (default: all).")
    Integer limit;

    @Mixin
    ChoicesOption choicesOption = new ChoicesOption();

    /**
     * Loads {@code spec}, applies its selector and then {@code --limit}.
     *
     * @param option the option it came from, for messages (e.g. "--ood")
     */
    McqaDataset load(String option, DataSpec spec) {
        return limited(spec.load(option, format, choicesOption.options(split)));
    }

    /** As {@link #load} and also requires an answer on every example; {@code purpose} says why in the error. */
    McqaDataset loadLabelled(String option, DataSpec spec, String purpose) {
        return limited(spec.loadLabelled(option, format, choicesOption.options(split), purpose));
    }

    /** {@code --limit} applied to an already loaded set (for example the bundled one). */
    McqaDataset limited(McqaDataset d) {
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("--limit must be positive, got " + limit);
        }
        return limit == null ? d : d.limit(limit);
    }
}
