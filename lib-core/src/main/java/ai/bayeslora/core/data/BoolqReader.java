package ai.bayeslora.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

/**
 * BoolQ, in its original form ({@code {"question","title","answer":true,"passage"}}) and SuperGLUE's
 * ({@code {"question","passage","idx","label":true}}, or 0/1 as HF exports it). Each row is a two-class question with
 * the passage as its context; the classes are A = False and B = True (choices "False", "True"), so the default template
 * scores the letters, and a preset with verbalizers can read " False" / " True" instead. A row without an answer
 * (the test split) has answer -1.
 */
final class BoolqReader {
    static final List<String> CHOICES = List.of("False", "True");

    private BoolqReader() {
    }

    static McqaDataset read(Path file) {
        DatasetAssembler out = new DatasetAssembler(file, ChoicePolicy.SAME);
        List<String> labels = Letters.first(2);
        for (DatasetRow row : DatasetRows.read(file)) {
            JsonNode n = row.node();
            String question = Fields.text(row, n, "question");
            String passage = Fields.text(row, n, "passage");
            int answer = answer(row, n.has("answer") ? "answer" : "label");
            String id = n.has("idx") ? String.valueOf(n.get("idx").asText()) : Fields.id(row);
            out.add(row.at(), () -> McqaExample.of(id, question, CHOICES, labels, answer, null).withContext(passage));
        }
        return out.build(labels);
    }

    /** true / false, 1 / 0, "true" / "false"; absent or null is unknown. */
    private static int answer(DatasetRow row, String field) {
        JsonNode a = row.node().get(field);
        if (a == null || a.isNull()) {
            return -1;
        }
        if (a.isBoolean()) {
            return a.booleanValue() ? 1 : 0;
        }
        if (a.isIntegralNumber() && (a.asLong() == 0 || a.asLong() == 1)) {
            return a.asInt();
        }
        if (a.isIntegralNumber() && a.asLong() == -1) {
            return -1; // SuperGLUE's unlabelled test rows
        }
        if (a.isTextual() && (a.textValue().equalsIgnoreCase("true") || a.textValue().equalsIgnoreCase("false"))) {
            return a.textValue().equalsIgnoreCase("true") ? 1 : 0;
        }
        throw row.error("field \"" + field + "\" must be true or false (or 1 / 0), found " + a);
    }
}
