package ai.bayeslora.core.data;

import java.util.Objects;
import java.util.Set;

/**
 * Options of {@link McqaDatasets#load}.
 *
 * @param split    the MMLU split whose {@code *_{split}.csv} files a folder load reads (dev, val or test); default test
 * @param subjects keep only examples of these subjects; empty keeps everything. A folder load reads only the
 *                 matching files and fails if a listed subject has no file.
 */
public record McqaLoadOptions(String split, Set<String> subjects) {

    public McqaLoadOptions {
        Objects.requireNonNull(split, "split");
        subjects = Set.copyOf(subjects);
    }

    /** Split "test", all subjects. */
    public static McqaLoadOptions defaults() {
        return new McqaLoadOptions("test", Set.of());
    }

    public McqaLoadOptions withSplit(String newSplit) {
        return new McqaLoadOptions(newSplit, subjects);
    }

    public McqaLoadOptions withSubjects(Set<String> newSubjects) {
        return new McqaLoadOptions(split, newSubjects);
    }
}
