package ai.bayeslora.core.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the examples of one file (or shard folder) with where each came from and builds the dataset, checking the
 * class set.
 */
final class DatasetAssembler {
    private final Path file;
    private final List<McqaExample> examples = new ArrayList<>();
    private final List<RowLocation> lines = new ArrayList<>();

    private final java.util.OptionalInt choices;
    private final boolean ownChoices;
    private int dropped;

    /**
     * @param policy keep only rows with N choices (the others are counted and dropped), or every row (with fewer
     *     choices than the longest only if the policy says each is scored over its own)
     */
    DatasetAssembler(Path file, ChoicePolicy policy) {
        this.file = file;
        this.choices = policy.only();
        this.ownChoices = policy.own();
    }

    void add(RowLocation line, McqaExample example) {
        if (choices.isPresent() && example.labels().size() != choices.getAsInt()) {
            dropped++;
            return;
        }
        lines.add(line);
        examples.add(example);
    }

    /** Adds the example {@code make} builds; its validation errors become errors of that line (or row). */
    void add(RowLocation line, java.util.function.Supplier<McqaExample> make) {
        McqaExample e;
        try {
            e = make.get();
        } catch (IllegalArgumentException ex) {
            throw line.error(ex.getMessage(), ex);
        }
        add(line, e);
    }

    /** Class labels = the longest label list of any row; every row's labels must start it. */
    McqaDataset build() {
        List<String> longest = List.of();
        for (McqaExample e : examples) {
            if (e.labels().size() > longest.size()) {
                longest = e.labels();
            }
        }
        return build(longest);
    }

    McqaDataset build(List<String> classLabels) {
        if (examples.isEmpty()) {
            throw new EmptyDatasetException(file.toString(), dropped > 0 ? "no row has " + choices.getAsInt()
                    + " choices (" + dropped + " rows with other counts dropped)" : "the file has no rows");
        }
        if (dropped > 0) {
            org.slf4j.LoggerFactory.getLogger(DatasetAssembler.class).info("{}: kept the {} rows with {} choices, "
                    + "dropped {} with other counts", file, examples.size(), choices.getAsInt(), dropped);
        }
        if (classLabels.isEmpty() || java.util.Set.copyOf(classLabels).size() != classLabels.size()) {
            int at = 0;
            for (int i = 0; i < examples.size(); i++) {
                if (examples.get(i).labels().equals(classLabels)) {
                    at = i;
                    break;
                }
            }
            throw lines.get(at).error("labels " + classLabels + " repeat a label");
        }
        int shorter = 0;
        for (int i = 0; i < examples.size(); i++) {
            McqaExample e = examples.get(i);
            if (ownChoices && Letters.isPrefix(e.labels(), classLabels)) {
                shorter += e.labels().size() < classLabels.size() ? 1 : 0;
                continue; // scored over its own choices (ClassMask)
            }
            if (Letters.isPrefix(e.labels(), classLabels) && e.labels().size() < classLabels.size()) {
                // scored over the dataset's classes, the model could pick an option this row does not have
                throw lines.get(i).error("this row has " + e.labels().size()
                        + " choices (" + Letters.describe(e.labels()) + ") but other rows have "
                        + classLabels.size() + " (" + Letters.describe(classLabels) + "); every row of a dataset must "
                        + "have the same choices under this policy: keep only N-choice rows (--choices N, "
                        + "McqaLoadOptions.withChoices), as the papers do for ARC, or score each row over its own "
                        + "choices (--choices all, the default; McqaLoadOptions.withOwnChoices)");
            }
            if (!e.labels().equals(classLabels)) {
                throw lines.get(i).error("labels " + Letters.describe(e.labels())
                        + " do not match the dataset's classes " + Letters.describe(classLabels));
            }
        }
        if (shorter > 0) {
            org.slf4j.LoggerFactory.getLogger(DatasetAssembler.class).info("{}: {} of {} rows have fewer than {} "
                    + "choices; each is scored over its own choices (--choices N keeps only the N-choice rows, "
                    + "--choices same refuses the file)", file, shorter, examples.size(), classLabels.size());
        }
        return McqaDataset.of(file.toString(), classLabels, examples);
    }
}
