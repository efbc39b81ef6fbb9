package ai.bayeslora.examples.cli;

import ai.bayeslora.core.data.McqaDataset;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --data SET} and the options that say how it is read ({@link DataLoadOptions}): the data option of
 * {@code predict}, {@code evaluate} and {@code laplace fit|predict}. {@code train-ensemble} and {@code swag} name
 * theirs {@code --train} and {@code --eval}, with the same syntax and the same load options.
 */
final class DataOptions {
    /** The data set; null when not given (commands with a default say so). */
    @Option(names = "--data", paramLabel = "SET", converter = DataSpec.Converter.class,
            description = "MCQA data, " + DataSpec.SYNTAX + ": CommonsenseQA, ARC, OpenBookQA, BoolQ, WinoGrande or "
                    + "MMLU JSONL, MMLU CSV file or folder, HF Parquet (a file or a folder of one split's shards), or "
                    + "generic JSONL (verbatim \"prompt\" rows are used as is).")
    DataSpec data;

    @Mixin
    DataLoadOptions load = new DataLoadOptions();

    /** The --data set, which this command requires. */
    DataSpec required() {
        if (data == null) {
            throw new IllegalArgumentException("Missing required option: '--data=SET'");
        }
        return data;
    }

    /** The --data file or folder (without a selector), or null without --data. */
    Path path() {
        return data == null ? null : data.path();
    }

    /** The required --data set, loaded with the load options. */
    McqaDataset load() {
        return load.load("--data", required());
    }

    /** The required --data set with an answer on every example. */
    McqaDataset loadLabelled(String purpose) {
        return load.loadLabelled("--data", required(), purpose);
    }
}
