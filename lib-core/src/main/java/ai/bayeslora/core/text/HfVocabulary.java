package ai.bayeslora.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/** The token-to-id table of an HF {@code tokenizer.json}: the model vocabulary plus the added tokens. */
final class HfVocabulary {
    private final Map<String, Integer> ids;
    private final int size;

    private HfVocabulary(Map<String, Integer> ids, int size) {
        this.ids = ids;
        this.size = size;
    }

    /** Reads {@code model.vocab} (an object for BPE/WordPiece/WordLevel, a list of [piece, score] for Unigram). */
    static HfVocabulary of(JsonNode root, Path file) {
        Map<String, Integer> ids = new HashMap<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            vocab.fields().forEachRemaining(e -> {
                if (!e.getValue().canConvertToInt()) {
                    throw new TokenizerFormatException(file, "model.vocab[\"" + e.getKey() + "\"] is not an integer id");
                }
                ids.put(e.getKey(), e.getValue().intValue());
            });
        } else if (vocab.isArray()) {
            for (int i = 0; i < vocab.size(); i++) {
                JsonNode entry = vocab.get(i);
                String piece = entry.isArray() ? entry.path(0).asText(null) : null;
                if (piece == null) {
                    throw new TokenizerFormatException(file, "model.vocab[" + i + "] is not a [piece, score] pair");
                }
                ids.putIfAbsent(piece, i);
            }
        } else {
            throw new TokenizerFormatException(file, "no model.vocab (object or list) found");
        }
        for (JsonNode added : root.path("added_tokens")) {
            if (added.hasNonNull("content") && added.path("id").canConvertToInt()) {
                ids.put(added.get("content").asText(), added.get("id").intValue());
            }
        }
        int max = -1;
        for (int id : ids.values()) {
            max = Math.max(max, id);
        }
        return new HfVocabulary(Map.copyOf(ids), max + 1);
    }

    OptionalInt id(String token) {
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    int size() {
        return size;
    }
}
