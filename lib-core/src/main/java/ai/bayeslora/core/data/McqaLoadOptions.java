package ai.bayeslora.core.data;

import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Options of {@link McqaDatasets#load}.
 *
 * @param split    the MMLU split whose {@code *_{split}.csv} files a folder load reads (dev, val or test); default test
 * @param subjects keep only examples of these subjects; empty keeps everything. A folder load reads only the
 *                 matching files and fails if a listed subject has no file.
 * @param choices  keep only the rows with this many choices (the papers' policy for ARC, whose rows have 3, 4 or 5
 *                 choices; the Laplace-LoRA and SWAG-LoRA code keep the 4-choice rows); empty keeps every row, and
 *                 rows with fewer choices are then kept or refused as {@code ownChoices} says
 * @param ownChoices keep rows with fewer choices than the longest row (its labels a prefix of the longest's), each
 *                 scored over its own choices ({@code ClassMask}, docs/METHODS.md §1); the default. False refuses a
 *                 file whose rows differ in their number of choices, naming the line ({@link #withSameChoices()})
 */
public record McqaLoadOptions(String split, Set<String> subjects, OptionalInt choices, boolean ownChoices) {

    /**
     * Rows with fewer choices are kept, each over its own, unless a choice count is given.
     *
     * @param split the MMLU split whose {@code *_{split}.csv} files a folder load reads (dev, val or test); default
     *     test
     * @param subjects keep only examples of these subjects; empty keeps everything. A folder load reads only the
     *     matching files and fails if a listed subject has no file.
     * @param choices keep only the rows with this many choices (the papers' policy for ARC, whose rows have 3, 4 or 5
     *     choices; the Laplace-LoRA and SWAG-LoRA code keep the 4-choice rows); empty keeps every row, and a file whose
     *     rows differ in their number of choices then has its shorter rows scored over their own choices
     */
    public McqaLoadOptions(String split, Set<String> subjects, OptionalInt choices) {
        this(split, subjects, choices, choices.isEmpty());
    }

    /**
     * Checks the options: {@code choices} and {@code ownChoices} exclude each other, and {@code choices} is at least 2.
     *
     * @param split the MMLU split a folder load reads
     * @param subjects the subjects to keep; empty keeps everything
     * @param choices the choice count to keep, or empty for every row
     * @param ownChoices whether rows with fewer choices are kept and scored over their own choices
     */
    public McqaLoadOptions {
        Objects.requireNonNull(split, "split");
        subjects = Set.copyOf(subjects);
        Objects.requireNonNull(choices, "choices");
        if (choices.isPresent() && ownChoices) {
            throw new IllegalArgumentException("keep only N-choice rows or every row over its own choices, not both");
        }
        if (choices.isPresent() && choices.getAsInt() < 2) {
            throw new IllegalArgumentException("choices must be at least 2, got " + choices.getAsInt());
        }
    }

    /**
     * A split and subjects, every row.
     *
     * @param split the MMLU split whose {@code *_{split}.csv} files a folder load reads (dev, val or test); default
     *     test
     * @param subjects keep only examples of these subjects; empty keeps everything. A folder load reads only the
     *     matching files and fails if a listed subject has no file.
     */
    public McqaLoadOptions(String split, Set<String> subjects) {
        this(split, subjects, OptionalInt.empty());
    }

    /**
     * Split "test", all subjects, every row (a row with fewer choices scored over its own).
     *
     * @return the default options
     */
    public static McqaLoadOptions defaults() {
        return new McqaLoadOptions("test", Set.of());
    }

    /**
     * {@return the same options with another MMLU split}
     *
     * @param newSplit the split, for example {@code dev}
     */
    public McqaLoadOptions withSplit(String newSplit) {
        return new McqaLoadOptions(newSplit, subjects, choices, ownChoices);
    }

    /**
     * {@return the same options with another subject filter}
     *
     * @param newSubjects the subjects to keep; empty keeps everything
     */
    public McqaLoadOptions withSubjects(Set<String> newSubjects) {
        return new McqaLoadOptions(split, newSubjects, choices, ownChoices);
    }

    /**
     * Keep only the rows with {@code n} choices.
     *
     * @param n the number of choices, at least 2
     * @return the new options
     */
    public McqaLoadOptions withChoices(int n) {
        return new McqaLoadOptions(split, subjects, OptionalInt.of(n), false);
    }

    /**
     * Keep every row, each scored over its own choices (ARC's 3-, 4- and 5-choice rows together): the default.
     *
     * @return the new options
     */
    public McqaLoadOptions withOwnChoices() {
        return new McqaLoadOptions(split, subjects, OptionalInt.empty(), true);
    }

    /**
     * Refuse a file whose rows differ in their number of choices, naming the first shorter row (a strict check of
     * files that should all have the same choices).
     *
     * @return the new options
     */
    public McqaLoadOptions withSameChoices() {
        return new McqaLoadOptions(split, subjects, OptionalInt.empty(), false);
    }
}
