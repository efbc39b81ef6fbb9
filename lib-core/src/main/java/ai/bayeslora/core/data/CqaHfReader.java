package ai.bayeslora.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

/** CommonsenseQA HF-datasets JSONL: {@code {"id","question","choices":{"label":[..],"text":[..]},"answerKey"}}. */
final class CqaHfReader {
    private CqaHfReader() {
    }

    static McqaDataset read(Path file) {
        DatasetAssembler out = new DatasetAssembler(file);
        AnswerKeyPolicy keys = new AnswerKeyPolicy();
        for (JsonlRows.Row row : JsonlRows.read(file)) {
            String question = Fields.text(row, row.node(), "question");
            JsonNode choices = Fields.object(row, row.node(), "choices");
            List<String> labels = Fields.texts(row, choices, "choices.label");
            List<String> texts = Fields.texts(row, choices, "choices.text");
            if (labels.size() != texts.size()) {
                throw row.error(labels.size() + " labels but " + texts.size() + " choice texts");
            }
            int answer = keys.answer(row, labels);
            out.add(row.line(), () -> McqaExample.of(Fields.id(row), question, texts, labels, answer, null));
        }
        return out.build();
    }
}
