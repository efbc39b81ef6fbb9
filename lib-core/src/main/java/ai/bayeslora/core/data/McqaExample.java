package ai.bayeslora.core.data;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One multiple-choice question.
 *
 * @param id       a stable identifier (the dataset's own id, or {@code file:line})
 * @param question the question text; if {@code verbatim}, the whole prompt, used as is
 * @param choices  the answer texts, one per label; empty for a verbatim prompt that carries its choices inside
 * @param labels   the class labels of this question, for example A–E; the answer token of label {@code "A"} is
 *                 {@code " A"}
 * @param answer   the index of the correct label, or -1 if unknown (an unlabeled test split)
 * @param subject  the subject (MMLU), if known
 * @param verbatim whether {@code question} is a complete prompt that templates must not change
 * @param context  a passage the question is about (BoolQ), rendered before the question; empty for most datasets
 */
public record McqaExample(String id, String question, List<String> choices, List<String> labels, int answer,
                          Optional<String> subject, boolean verbatim, Optional<String> context) {

    /**
     * An example without a context passage.
     *
     * @param id a stable identifier (the dataset's own id, or {@code file:line})
     * @param question the question text; if {@code verbatim}, the whole prompt, used as is
     * @param choices the answer texts, one per label; empty for a verbatim prompt that carries its choices inside
     * @param labels the class labels of this question, for example A–E; the answer token of label {@code "A"} is
     *     {@code " A"}
     * @param answer the index of the correct label, or -1 if unknown (an unlabeled test split)
     * @param subject the subject (MMLU), if known
     * @param verbatim whether {@code question} is a complete prompt that templates must not change
     */
    public McqaExample(String id, String question, List<String> choices, List<String> labels, int answer,
                       Optional<String> subject, boolean verbatim) {
        this(id, question, choices, labels, answer, subject, verbatim, Optional.empty());
    }

    /**
     * Validates: labels non-empty, one choice per label unless verbatim, answer in [-1, labels).
     *
     * @param id a stable identifier (the dataset's own id, or {@code file:line})
     * @param question the question text; if {@code verbatim}, the whole prompt, used as is
     * @param choices the answer texts, one per label; empty for a verbatim prompt that carries its choices inside
     * @param labels the class labels of this question, for example A–E; the answer token of label {@code "A"} is
     *     {@code " A"}
     * @param answer the index of the correct label, or -1 if unknown (an unlabeled test split)
     * @param subject the subject (MMLU), if known
     * @param verbatim whether {@code question} is a complete prompt that templates must not change
     * @param context a passage the question is about (BoolQ), rendered before the question; empty for most datasets
     */
    public McqaExample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(question, "question");
        choices = List.copyOf(choices);
        labels = List.copyOf(labels);
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(context, "context");
        if (labels.isEmpty()) {
            throw new IllegalArgumentException(id + ": no labels");
        }
        if (!(verbatim && choices.isEmpty()) && choices.size() != labels.size()) {
            throw new IllegalArgumentException(id + ": " + choices.size() + " choices for " + labels.size()
                    + " labels");
        }
        if (answer < -1 || answer >= labels.size()) {
            throw new IllegalArgumentException(id + ": answer index " + answer + " outside [-1, " + labels.size()
                    + ")");
        }
    }

    /**
     * {@return a question with its choices, to be rendered by a {@link PromptTemplate}} {@code subject} may be null.
     *
     * @param id a stable identifier (the dataset's own id, or {@code file:line})
     * @param question the question text; if {@code verbatim}, the whole prompt, used as is
     * @param choices the answer texts, one per label; empty for a verbatim prompt that carries its choices inside
     * @param labels the class labels of this question, for example A–E; the answer token of label {@code "A"} is
     *     {@code " A"}
     * @param answer the index of the correct label, or -1 if unknown (an unlabeled test split)
     * @param subject the subject (MMLU), if known
     */
    public static McqaExample of(String id, String question, List<String> choices, List<String> labels, int answer,
                                 String subject) {
        return new McqaExample(id, question, choices, labels, answer, Optional.ofNullable(subject), false);
    }

    /**
     * {@return a complete prompt used as is; {@code labels} are its classes}
     *
     * @param id a stable identifier (the dataset's own id, or {@code file:line})
     * @param labels the class labels of this question, for example A–E; the answer token of label {@code "A"} is
     *     {@code " A"}
     * @param answer the index of the correct label, or -1 if unknown (an unlabeled test split)
     * @param prompt the complete prompt, used as is
     */
    public static McqaExample verbatim(String id, String prompt, List<String> labels, int answer) {
        return new McqaExample(id, prompt, List.of(), labels, answer, Optional.empty(), true);
    }

    /**
     * {@return the same question with a context passage (BoolQ's)}
     *
     * @param passage the passage, rendered before the question
     */
    public McqaExample withContext(String passage) {
        return new McqaExample(id, question, choices, labels, answer, subject, verbatim, Optional.of(passage));
    }

    /** {@return whether the correct answer is known} */
    public boolean hasAnswer() {
        return answer >= 0;
    }

    /** {@return the label of the correct answer, if known} */
    public Optional<String> answerLabel() {
        return hasAnswer() ? Optional.of(labels.get(answer)) : Optional.empty();
    }

    /** {@return the number of classes of this question} */
    public int numClasses() {
        return labels.size();
    }
}
