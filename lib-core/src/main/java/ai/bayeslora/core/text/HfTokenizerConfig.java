package ai.bayeslora.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The parts of an HF {@code tokenizer_config.json} the library reads: {@code add_bos_token}, {@code bos_token},
 * {@code eos_token} and {@code pad_token}. A token entry is either a string or an object with {@code content}.
 * Each token field is tri-state: absent (empty outer Optional), explicitly null (present, empty inner), or a value.
 */
record HfTokenizerConfig(Optional<Boolean> addBosToken, Optional<Optional<String>> bosToken,
                         Optional<Optional<String>> eosToken, Optional<Optional<String>> padToken) {

    static final String FILE_NAME = "tokenizer_config.json";

    static HfTokenizerConfig absent() {
        return new HfTokenizerConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Reads {@code dir/tokenizer_config.json}, or returns {@link #absent()} when there is no such file. */
    static HfTokenizerConfig readFrom(Path dir, ObjectMapper json) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return absent();
        }
        JsonNode root;
        try {
            root = json.readTree(file.toFile());
        } catch (IOException e) {
            throw new TokenizerFormatException(file, "malformed JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new TokenizerFormatException(file, "expected a JSON object");
        }
        JsonNode addBos = root.get("add_bos_token");
        Optional<Boolean> addBosToken = addBos != null && addBos.isBoolean()
                ? Optional.of(addBos.booleanValue()) : Optional.empty();
        return new HfTokenizerConfig(addBosToken, token(root, "bos_token"), token(root, "eos_token"),
                token(root, "pad_token"));
    }

    private static Optional<Optional<String>> token(JsonNode root, String key) {
        if (!root.has(key)) {
            return Optional.empty();
        }
        JsonNode node = root.get(key);
        if (node.isTextual()) {
            return Optional.of(Optional.of(node.textValue()));
        }
        if (node.isObject() && node.path("content").isTextual()) {
            return Optional.of(Optional.of(node.get("content").textValue()));
        }
        return Optional.of(Optional.empty());
    }
}
