package ai.bayeslora.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Generic JSONL, two row forms:
 * <ul>
 *   <li>{@code {"question","choices":[..],"answer"}}: labels are {@code labels} if given, else A, B, … per choice;</li>
 *   <li>{@code {"prompt","answer"}}: a verbatim prompt; its classes come from {@code labels}, {@code num_choices} or
 *       the size of {@code choices}. Rows that give none of these take the dataset's classes: the longest label list
 *       of the other rows, or A–D, extended to the largest answer seen.</li>
 * </ul>
 * {@code answer} is an index (number or digit string) or a label; absent or null means unknown. Optional {@code id},
 * {@code subject}.
 */
final class GenericJsonlReader {
    private static final int DEFAULT_CLASSES = 4;

    private record Pending(DatasetRow row, String text, List<String> choices, boolean verbatim,
                           List<String> labels, JsonNode answer) {
    }

    private GenericJsonlReader() {
    }

    static McqaDataset read(Path file, ChoicePolicy keepChoices) {
        List<Pending> pending = new ArrayList<>();
        for (DatasetRow row : DatasetRows.read(file)) {
            pending.add(parse(row));
        }
        List<String> classLabels = classLabels(pending);
        DatasetAssembler out = new DatasetAssembler(file, keepChoices);
        for (Pending p : pending) {
            List<String> labels = p.labels() != null ? p.labels() : classLabels;
            int answer = answer(p.row(), p.answer(), labels);
            Optional<String> subject = Fields.optionalText(p.row(), p.row().node(), "subject");
            out.add(p.row().at(), () -> new McqaExample(Fields.id(p.row()), p.text(), p.choices(), labels, answer,
                    subject, p.verbatim()));
        }
        return out.build(classLabels);
    }

    private static Pending parse(DatasetRow row) {
        JsonNode node = row.node();
        JsonNode answer = node.get("answer");
        if (has(node, "question")) {
            String question = Fields.text(row, node, "question");
            List<String> choices = Fields.texts(row, node, "choices");
            List<String> labels = declaredLabels(row).orElseGet(() -> letters(row, choices.size()));
            if (labels.size() != choices.size()) {
                throw row.error(labels.size() + " labels but " + choices.size() + " choices");
            }
            return new Pending(row, question, choices, false, labels, answer);
        }
        if (has(node, "prompt")) {
            String prompt = Fields.text(row, node, "prompt");
            List<String> choices = has(node, "choices") ? Fields.texts(row, node, "choices") : List.of();
            List<String> labels = declaredLabels(row)
                    .orElse(choices.isEmpty() ? null : letters(row, choices.size()));
            if (labels != null && !choices.isEmpty() && labels.size() != choices.size()) {
                throw row.error(labels.size() + " labels but " + choices.size() + " choices");
            }
            return new Pending(row, prompt, choices, true, labels, answer);
        }
        throw row.error("neither field \"question\" nor \"prompt\"; a generic row has question+choices+answer or "
                + "prompt+answer");
    }

    /** {@code labels} (a list) or {@code num_choices} (a count), if the row gives them. */
    private static Optional<List<String>> declaredLabels(DatasetRow row) {
        JsonNode node = row.node();
        Optional<List<String>> labels = has(node, "labels")
                ? Optional.of(Fields.texts(row, node, "labels")) : Optional.empty();
        if (has(node, "num_choices")) {
            JsonNode n = node.get("num_choices");
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw row.error("field \"num_choices\" must be an integer, found " + n);
            }
            if (labels.isPresent() && labels.get().size() != n.intValue()) {
                throw row.error("num_choices " + n.intValue() + " but " + labels.get().size() + " labels");
            }
            return labels.isPresent() ? labels : Optional.of(letters(row, n.intValue()));
        }
        if (labels.isPresent() && labels.get().stream().distinct().count() != labels.get().size()) {
            throw row.error("duplicate labels " + labels.get());
        }
        return labels;
    }

    private static List<String> classLabels(List<Pending> pending) {
        List<String> longest = null;
        int maxAnswer = -1;
        for (Pending p : pending) {
            if (p.labels() != null) {
                if (longest == null || p.labels().size() > longest.size()) {
                    longest = p.labels();
                }
            } else {
                maxAnswer = Math.max(maxAnswer, guessIndex(p.answer()));
            }
        }
        if (longest != null) {
            return longest;
        }
        return Letters.first(Math.min(Letters.MAX, Math.max(DEFAULT_CLASSES, maxAnswer + 1)));
    }

    /** The index an answer implies without knowing the labels: a number, a digit string or a letter A–Z. */
    private static int guessIndex(JsonNode answer) {
        if (answer == null || answer.isNull()) {
            return -1;
        }
        if (answer.isIntegralNumber()) {
            return answer.canConvertToInt() ? answer.intValue() : -1;
        }
        String s = answer.asText().strip();
        if (s.matches("\\d{1,6}")) {
            return Integer.parseInt(s);
        }
        if (s.length() == 1 && s.charAt(0) >= 'A' && s.charAt(0) <= 'Z') {
            return s.charAt(0) - 'A';
        }
        return -1;
    }

    private static int answer(DatasetRow row, JsonNode answer, List<String> labels) {
        if (answer == null || answer.isNull()) {
            return -1;
        }
        if (answer.isIntegralNumber() && !answer.canConvertToInt()) {
            throw row.error("answer index " + answer + " outside 0.." + (labels.size() - 1));
        }
        if (answer.isIntegralNumber() || answer.isTextual() && answer.textValue().strip().matches("\\d{1,6}")
                && !labels.contains(answer.textValue().strip())) {
            int index = answer.isIntegralNumber() ? answer.intValue() : Integer.parseInt(answer.textValue().strip());
            if (index < 0 || index >= labels.size()) {
                throw row.error("answer index " + index + " outside 0.." + (labels.size() - 1) + " (labels "
                        + Letters.describe(labels) + ")");
            }
            return index;
        }
        if (answer.isTextual()) {
            return Fields.labelIndex(row, answer.textValue(), labels);
        }
        throw row.error("field \"answer\" must be an index or a label, found " + answer.getNodeType());
    }

    private static List<String> letters(DatasetRow row, int n) {
        if (n < 1 || n > Letters.MAX) {
            throw row.error("number of choices must be in 1.." + Letters.MAX + ", got " + n);
        }
        return Letters.first(n);
    }

    private static boolean has(JsonNode node, String field) {
        return node.hasNonNull(field);
    }
}
