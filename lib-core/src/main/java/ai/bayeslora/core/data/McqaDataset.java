package ai.bayeslora.core.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An immutable, non-empty list of {@link McqaExample}s with the class set they are scored on.
 *
 * <p>The class set belongs to the dataset: CommonsenseQA has A–E, MMLU A–D. Every example's labels are the class
 * labels or a leading part of them (a 3-choice row in an A–D dataset has A–C).
 */
public final class McqaDataset {
    private final String source;
    private final List<String> classLabels;
    private final List<McqaExample> examples;

    private McqaDataset(String source, List<String> classLabels, List<McqaExample> examples) {
        this.source = source;
        this.classLabels = classLabels;
        this.examples = examples;
    }

    /**
     * A dataset from its parts.
     *
     * @param source      where the examples came from (a file name), used in messages
     * @param classLabels the dataset's classes, for example A–D
     * @param examples    at least one example, each with labels that start the class labels
     * @return the dataset
     * @throws EmptyDatasetException    if {@code examples} is empty
     * @throws IllegalArgumentException if an example's labels do not fit the class labels
     */
    public static McqaDataset of(String source, List<String> classLabels, List<McqaExample> examples) {
        Objects.requireNonNull(source, "source");
        List<String> labels = List.copyOf(classLabels);
        List<McqaExample> list = List.copyOf(examples);
        if (labels.isEmpty() || Set.copyOf(labels).size() != labels.size()) {
            throw new IllegalArgumentException(source + ": class labels must be non-empty and distinct: " + labels);
        }
        if (list.isEmpty()) {
            throw new EmptyDatasetException(source, "no examples");
        }
        for (McqaExample e : list) {
            // a row with fewer choices (its labels start the classes) is scored over its own (ClassMask)
            if (!Letters.isPrefix(e.labels(), labels) || e.labels().isEmpty()) {
                throw new IllegalArgumentException(source + ": example " + e.id() + " has labels " + e.labels()
                        + ", which do not start the dataset's classes " + Letters.describe(labels));
            }
        }
        return new McqaDataset(source, labels, list);
    }

    /**
     * {@return whether some row has fewer choices than the classes (scored over its own choices, docs/METHODS.md §1)}
     */
    public boolean mixedChoices() {
        return examples.stream().anyMatch(e -> e.labels().size() < classLabels.size());
    }

    /**
     * Where the examples came from.
     *
     * @return the source, for messages
     */
    public String source() {
        return source;
    }

    /** {@return the classes, in order; class i is read at the answer token of label i} */
    public List<String> classLabels() {
        return classLabels;
    }

    /** {@return the number of classes C} */
    public int numClasses() {
        return classLabels.size();
    }

    /** {@return the examples, in file order} */
    public List<McqaExample> examples() {
        return examples;
    }

    /** {@return the number of examples} */
    public int size() {
        return examples.size();
    }

    /**
     * {@return example {@code index} (0-based, in file order)}
     *
     * @param index the position, in [0, size())
     */
    public McqaExample get(int index) {
        return examples.get(index);
    }

    /** {@return the distinct subjects of the examples, sorted} */
    public SortedSet<String> subjects() {
        return examples.stream().flatMap(e -> e.subject().stream())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * The examples that pass {@code keep}, with the same classes.
     *
     * @param description what the filter does, for the source name and messages
     * @param keep which examples to keep
     * @return the kept examples
     * @throws EmptyDatasetException if nothing is left
     */
    public McqaDataset filter(String description, Predicate<McqaExample> keep) {
        String filtered = source + " [" + description + "]";
        List<McqaExample> kept = examples.stream().filter(keep).collect(Collectors.toList());
        if (kept.isEmpty()) {
            throw new EmptyDatasetException(filtered, "no examples left after the filter");
        }
        return new McqaDataset(filtered, classLabels, List.copyOf(kept));
    }

    /**
     * {@return the examples whose subject is one of {@code subjects} (normalised as in {@link MmluGroups#normalize})}
     *
     * @param subjects subject names, in any case and spacing
     */
    public McqaDataset withSubjects(Collection<String> subjects) {
        Set<String> wanted = subjects.stream().map(MmluGroups::normalize).collect(Collectors.toSet());
        return filter("subjects=" + new TreeSet<>(wanted),
                e -> e.subject().map(s -> wanted.contains(MmluGroups.normalize(s))).orElse(false));
    }

    /**
     * The same questions with other class labels, by position (for a prompt format that reads other answer tokens:
     * the ensemble paper's lowercase a–e, BoolQ's False/True).
     *
     * @param labels one label per class, in the classes' order
     * @return the relabelled dataset
     */
    public McqaDataset relabelled(List<String> labels) {
        if (labels.size() != classLabels.size()) {
            throw new IllegalArgumentException(source + ": " + labels.size() + " labels for " + classLabels.size()
                    + " classes");
        }
        List<McqaExample> out = new ArrayList<>();
        for (McqaExample e : examples) {
            out.add(new McqaExample(e.id(), e.question(), e.choices(), labels.subList(0, e.labels().size()), e.answer(),
                    e.subject(), e.verbatim(), e.context()));
        }
        return of(source, labels, out);
    }

    /**
     * {@return the examples whose subject belongs to {@code group}; examples without a subject are dropped}
     *
     * @param group an MMLU subject group
     */
    public McqaDataset inGroup(MmluGroups.Group group) {
        return filter("group=" + group, e -> e.subject().map(s -> MmluGroups.group(s) == group).orElse(false));
    }

    /**
     * {@return the first {@code n} examples (all if fewer)}
     *
     * @param n the number of examples to keep, at least 1
     */
    public McqaDataset limit(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + n);
        }
        return n >= examples.size() ? this
                : new McqaDataset(source + " [first " + n + "]", classLabels, examples.subList(0, n));
    }

    @Override
    public String toString() {
        return "McqaDataset[" + source + ", " + examples.size() + " examples, classes "
                + Letters.describe(classLabels) + "]";
    }
}
