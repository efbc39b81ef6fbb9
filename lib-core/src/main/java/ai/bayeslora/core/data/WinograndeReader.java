package ai.bayeslora.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

/**
 * WinoGrande (every size: XS to XL, dev and test): {@code {"qID","sentence","option1","option2","answer":"1"|"2"}},
 * the sentence with a blank {@code _} that one option fills. Classes A = option1, B = option2; an empty or missing
 * answer (the test split) is unknown. The sentence is kept with its blank; presets render it.
 */
final class WinograndeReader {
    private WinograndeReader() {
    }

    static McqaDataset read(Path file) {
        DatasetAssembler out = new DatasetAssembler(file, ChoicePolicy.SAME);
        List<String> labels = Letters.first(2);
        for (DatasetRow row : DatasetRows.read(file)) {
            JsonNode n = row.node();
            String sentence = Fields.text(row, n, "sentence");
            if (!sentence.contains("_")) {
                throw row.error("field \"sentence\" has no blank \"_\" for an option to fill");
            }
            List<String> choices = List.of(Fields.text(row, n, "option1"), Fields.text(row, n, "option2"));
            JsonNode a = n.get("answer");
            int answer;
            if (a == null || a.isNull() || a.asText().isBlank()) {
                answer = -1;
            } else if (a.asText().equals("1") || a.asText().equals("2")) {
                answer = Integer.parseInt(a.asText()) - 1;
            } else {
                throw row.error("field \"answer\" must be \"1\" or \"2\" (or empty for the test split), found " + a);
            }
            String id = n.hasNonNull("qID") ? n.get("qID").asText() : Fields.id(row);
            out.add(row.at(), () -> McqaExample.of(id, sentence, choices, labels, answer, null));
        }
        return out.build(labels);
    }
}
