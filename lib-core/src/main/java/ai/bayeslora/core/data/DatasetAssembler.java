package ai.bayeslora.core.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Collects the examples of one file with their line numbers and builds the dataset, checking the class set. */
final class DatasetAssembler {
    private final Path file;
    private final List<McqaExample> examples = new ArrayList<>();
    private final List<Long> lines = new ArrayList<>();

    DatasetAssembler(Path file) {
        this.file = file;
    }

    void add(long line, McqaExample example) {
        lines.add(line);
        examples.add(example);
    }

    /** Adds the example {@code make} builds; its validation errors become errors of that line. */
    void add(long line, java.util.function.Supplier<McqaExample> make) {
        McqaExample e;
        try {
            e = make.get();
        } catch (IllegalArgumentException ex) {
            throw new DatasetFormatException(file, line, ex.getMessage(), ex);
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
            throw new EmptyDatasetException(file.toString(), "the file has no rows");
        }
        if (classLabels.isEmpty() || java.util.Set.copyOf(classLabels).size() != classLabels.size()) {
            int at = 0;
            for (int i = 0; i < examples.size(); i++) {
                if (examples.get(i).labels().equals(classLabels)) {
                    at = i;
                    break;
                }
            }
            throw new DatasetFormatException(file, lines.get(at), "labels " + classLabels + " repeat a label");
        }
        for (int i = 0; i < examples.size(); i++) {
            McqaExample e = examples.get(i);
            if (Letters.isPrefix(e.labels(), classLabels) && e.labels().size() < classLabels.size()) {
                // scored over the dataset's classes, the model could pick an option this row does not have
                throw new DatasetFormatException(file, lines.get(i), "this row has " + e.labels().size()
                        + " choices (" + Letters.describe(e.labels()) + ") but other rows have "
                        + classLabels.size() + " (" + Letters.describe(classLabels) + "); every row of a dataset must "
                        + "have the same choices: split the file by number of choices");
            }
            if (!e.labels().equals(classLabels)) {
                throw new DatasetFormatException(file, lines.get(i), "labels " + Letters.describe(e.labels())
                        + " do not match the dataset's classes " + Letters.describe(classLabels));
            }
        }
        return McqaDataset.of(file.toString(), classLabels, examples);
    }
}
