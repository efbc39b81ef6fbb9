package ai.bayeslora.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The official JSONL of CommonsenseQA, ARC and OpenBookQA: {@code {"id","question":{"stem","choices":[{"label",
 * "text"}]},"answerKey"}}. ARC labels some rows "1"–"4" instead of A–D; those are relabelled by position, as the
 * papers' code does ({@link Letters#positional}).
 */
final class CqaOfficialReader {
    private CqaOfficialReader() {
    }

    static McqaDataset read(Path file, ChoicePolicy keepChoices) {
        DatasetAssembler out = new DatasetAssembler(file, keepChoices);
        AnswerKeyPolicy keys = new AnswerKeyPolicy();
        for (DatasetRow row : DatasetRows.read(file)) {
            JsonNode question = Fields.object(row, row.node(), "question");
            String stem = Fields.text(row, question, "question.stem");
            JsonNode choices = Fields.array(row, question, "question.choices");
            if (choices.isEmpty()) {
                throw row.error("field \"question.choices\" is an empty list");
            }
            List<String> labels = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < choices.size(); i++) {
                String where = "question.choices[" + i + "]";
                JsonNode choice = choices.get(i);
                if (!choice.isObject()) {
                    throw row.error("field \"" + where + "\" must be an object, found " + choice.getNodeType());
                }
                labels.add(Fields.text(row, choice, where + ".label"));
                texts.add(Fields.text(row, choice, where + ".text"));
            }
            int answer = keys.answer(row, labels);
            List<String> classes = Letters.positional(labels);
            out.add(row.at(), () -> McqaExample.of(Fields.id(row), stem, texts, classes, answer, null));
        }
        return out.build();
    }
}
