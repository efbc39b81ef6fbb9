package ai.bayeslora.core.data;

import ai.bayeslora.core.BayesLoraException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Loads MCQA datasets from the formats of {@link McqaFormat}.
 *
 * <p>Errors: a malformed row gives a {@link DatasetFormatException} {@code file:line: what is wrong} ({@code file: row
 * 17: what is wrong} in a Parquet file); a file or
 * selection without rows an {@link EmptyDatasetException}; an unrecognised file a {@link DatasetFormatException}
 * listing the supported formats.
 */
public final class McqaDatasets {
    private McqaDatasets() {
    }

    /**
     * Loads {@code path} (a file, or a folder of MMLU CSVs), detecting the format, with default options.
     *
     * @param path a dataset file or folder
     * @return the examples and their class labels
     */
    public static McqaDataset load(Path path) {
        return load(path, McqaFormat.AUTO, McqaLoadOptions.defaults());
    }

    /**
     * Loads {@code path} in {@code format} ({@link McqaFormat#AUTO} detects it), with default options.
     *
     * @param path a dataset file or folder
     * @param format the file format, or {@link McqaFormat#AUTO}
     * @return the examples and their class labels
     */
    public static McqaDataset load(Path path, McqaFormat format) {
        return load(path, format, McqaLoadOptions.defaults());
    }

    /**
     * Loads {@code path} in {@code format}. A folder is read as MMLU CSV ({@code *_{split}.csv}), unless it holds
     * Parquet files: then it is one split's shards ({@code train-00000-of-00002.parquet}, ...), read in order. A
     * {@code .parquet} file or shard folder is read in any format but {@link McqaFormat#MMLU_CSV} and needs the
     * optional module lib-parquet ({@link TableRowReader}). A subject filter in {@code options} applies to every
     * format.
     *
     * @param path a dataset file, a folder of MMLU CSVs, or a folder of Parquet shards
     * @param format the file format, or {@link McqaFormat#AUTO}
     * @param options split, subject filter and choice-count policy
     * @return the examples and their class labels
     */
    public static McqaDataset load(Path path, McqaFormat format, McqaLoadOptions options) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(options, "options");
        if (!Files.exists(path)) {
            throw new BayesLoraException("dataset not found: " + path + " (no such file or folder)");
        }
        McqaFormat actual = format == McqaFormat.AUTO ? detect(path) : format;
        boolean table = TableFiles.isTable(path);
        if (table && actual == McqaFormat.MMLU_CSV) {
            throw new DatasetFormatException(path, 0, "holds Parquet rows; " + McqaFormat.MMLU_CSV + " reads CSV "
                    + "files (MMLU's Parquet files are " + McqaFormat.MMLU_HF + ")");
        }
        if (Files.isDirectory(path) && !table) {
            if (actual != McqaFormat.MMLU_CSV) {
                throw new DatasetFormatException(path, 0, "is a folder; only " + McqaFormat.MMLU_CSV
                        + " loads folders, not " + actual);
            }
            return MmluCsvReader.readFolder(path, options);
        }
        McqaDataset dataset = read(path, actual, ChoicePolicy.of(options));
        return options.subjects().isEmpty() ? dataset : dataset.withSubjects(options.subjects());
    }

    /**
     * {@return the format {@link McqaFormat#AUTO} would choose for {@code path}}
     *
     * @param path a dataset file or folder
     */
    public static McqaFormat detect(Path path) {
        return FormatDetector.detect(path);
    }

    private static McqaDataset read(Path file, McqaFormat format, ChoicePolicy choices) {
        switch (format) {
            case CQA_OFFICIAL: return CqaOfficialReader.read(file, choices);
            case CQA_HF: return CqaHfReader.read(file, choices);
            case ARC: case OPENBOOKQA:
                // both ship in the official {"question":{"stem",...}} form and the HF form; the row decides
                return FormatDetector.isStemObject(file) ? CqaOfficialReader.read(file, choices)
                        : CqaHfReader.read(file, choices);
            case BOOLQ: return BoolqReader.read(file);
            case WINOGRANDE: return WinograndeReader.read(file);
            case MMLU_CSV: return MmluCsvReader.readFile(file);
            case MMLU_HF: return MmluHfReader.read(file, choices);
            case GENERIC: return GenericJsonlReader.read(file, choices);
            default: throw new IllegalArgumentException("format " + format);
        }
    }
}
