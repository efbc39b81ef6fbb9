package ai.bayeslora.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

/**
 * The HF-datasets JSONL of CommonsenseQA, ARC ({@code {"id","question","choices":{"label":[..],"text":[..]},
 * "answerKey"}}) and OpenBookQA ({@code "question_stem"} instead of {@code "question"}). Numeric labels are
 * relabelled by position ({@link Letters#positional}).
 */
final class CqaHfReader {
    private CqaHfReader() {
    }

    static McqaDataset read(Path file, ChoicePolicy keepChoices) {
        DatasetAssembler out = new DatasetAssembler(file, keepChoices);
        AnswerKeyPolicy keys = new AnswerKeyPolicy();
        for (DatasetRow row : DatasetRows.read(file)) {
            String question = Fields.text(row, row.node(), row.node().has("question_stem") ? "question_stem"
                    : "question");
            JsonNode choices = Fields.object(row, row.node(), "choices");
            List<String> labels = Fields.texts(row, choices, "choices.label");
            List<String> texts = Fields.texts(row, choices, "choices.text");
            if (labels.size() != texts.size()) {
                throw row.error(labels.size() + " labels but " + texts.size() + " choice texts");
            }
            int answer = keys.answer(row, labels);
            List<String> classes = Letters.positional(labels);
            out.add(row.at(), () -> McqaExample.of(Fields.id(row), question, texts, classes, answer, null));
        }
        return out.build();
    }
}
