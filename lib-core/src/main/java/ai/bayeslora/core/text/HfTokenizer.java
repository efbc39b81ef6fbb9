package ai.bayeslora.core.text;

import ai.bayeslora.core.text.internal.DjlTelemetry;
import ai.bayeslora.core.text.internal.TokenizerNatives;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HF {@code tokenizer.json} tokenizer, run by DJL's Rust bindings ({@code ai.djl.huggingface:tokenizers}).
 *
 * <p>Truncation and padding inside the tokenizer are switched off: {@code encode} returns every token, and batching
 * truncates from the left itself. Special tokens of the tokenizer's post-processor are added only when
 * {@link TokenizerOptions#addSpecialTokens()} is set.
 *
 * <p>Special ids:
 * <ul>
 *   <li>BOS: {@code bos_token} of {@code tokenizer_config.json} (an explicit {@code null} means none); without that key,
 *       the first of {@code <s>}, {@code <|begin_of_text|>}, {@code <bos>} present in the vocabulary.</li>
 *   <li>EOS: {@code eos_token} of {@code tokenizer_config.json}; without it, the first of {@code </s>},
 *       {@code <|endoftext|>}, {@code <|end_of_text|>}, {@code <eos>} present.</li>
 *   <li>Pad: {@code pad_token} of {@code tokenizer_config.json}; else {@code <pad>} if in the vocabulary; else the EOS
 *       id (the usual choice for Llama/Mistral, whose masked pad positions never matter).</li>
 * </ul>
 * A configured token missing from the vocabulary is logged and the fallback is used.
 *
 * <p>Holds a native tokenizer: {@link #close()} it when done; using it afterwards throws
 * {@link IllegalStateException}.
 */
public final class HfTokenizer implements TextTokenizer, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HfTokenizer.class);
    private static final String TOKENIZER_JSON = "tokenizer.json";
    private static final List<String> BOS_NAMES = List.of("<s>", "<|begin_of_text|>", "<bos>");
    private static final List<String> EOS_NAMES = List.of("</s>", "<|endoftext|>", "<|end_of_text|>", "<eos>");

    private final HuggingFaceTokenizer tokenizer;
    private final Path file;
    private final TokenizerOptions options;
    private final HfVocabulary vocabulary;
    private final OptionalInt bosId;
    private final OptionalInt eosId;
    private final OptionalInt padId;
    private final boolean addBos;
    private volatile boolean closed;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, Path file, TokenizerOptions options, HfVocabulary vocabulary,
                        HfTokenizerConfig config) {
        this.tokenizer = tokenizer;
        this.file = file;
        this.options = options;
        this.vocabulary = vocabulary;
        this.bosId = special("bos_token", config.bosToken(), BOS_NAMES);
        this.eosId = special("eos_token", config.eosToken(), EOS_NAMES);
        OptionalInt pad = special("pad_token", config.padToken(), List.of("<pad>"));
        this.padId = pad.isPresent() ? pad : eosId;
        this.addBos = options.addBos().orElse(config.addBosToken().orElse(false));
        if (addBos && bosId.isEmpty()) {
            throw new TokenizerFormatException(file, "addBos is set but the tokenizer has no BOS token");
        }
    }

    /**
     * Loads with {@link TokenizerOptions#defaults()}.
     *
     * @param tokenizerJsonOrModelDir a {@code tokenizer.json} file, or the model folder holding one
     * @return the tokenizer; close it to free the native tokenizer
     */
    public static HfTokenizer load(Path tokenizerJsonOrModelDir) {
        return load(tokenizerJsonOrModelDir, TokenizerOptions.defaults());
    }

    /**
     * Loads {@code tokenizer.json}, given either that file or the model folder holding it.
     * {@code tokenizer_config.json}
     * is read from the same folder if present.
     *
     * @param tokenizerJsonOrModelDir a {@code tokenizer.json} file, or the model folder holding one
     * @param options how text is encoded
     * @return the tokenizer; close it to free the native tokenizer
     * @throws TokenizerNotFoundException naming the path looked at, when there is no {@code tokenizer.json}
     * @throws TokenizerFormatException   naming the file, when a tokenizer file is malformed
     */
    public static HfTokenizer load(Path tokenizerJsonOrModelDir, TokenizerOptions options) {
        Objects.requireNonNull(tokenizerJsonOrModelDir, "path");
        Objects.requireNonNull(options, "options");
        Path file = locate(tokenizerJsonOrModelDir.toAbsolutePath().normalize());
        ObjectMapper json = new ObjectMapper();
        JsonNode root;
        try {
            root = json.readTree(file.toFile());
        } catch (IOException e) {
            throw new TokenizerFormatException(file, "malformed JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new TokenizerFormatException(file, "expected a JSON object");
        }
        HfVocabulary vocabulary = HfVocabulary.of(root, file);
        HfTokenizerConfig config = HfTokenizerConfig.readFrom(file.getParent(), json);
        HuggingFaceTokenizer djl;
        try {
            TokenizerNatives.load();
            djl = DjlTelemetry.optedOut(() -> HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(options.addSpecialTokens())
                    .optTruncation(false)
                    .optPadding(false)
                    .build());
        } catch (IOException | RuntimeException e) {
            throw new TokenizerFormatException(file, "cannot load tokenizer: " + e.getMessage(), e);
        }
        try {
            return new HfTokenizer(djl, file, options, vocabulary, config);
        } catch (RuntimeException e) {
            djl.close();
            throw e;
        }
    }

    private static Path locate(Path path) {
        if (Files.isDirectory(path)) {
            Path file = path.resolve(TOKENIZER_JSON);
            if (!Files.isRegularFile(file)) {
                String detail = Files.exists(path.resolve("tokenizer.model"))
                        ? "the folder has only a SentencePiece tokenizer.model; convert it to tokenizer.json"
                        : "the folder has no " + TOKENIZER_JSON;
                throw new TokenizerNotFoundException(file, detail);
            }
            return file;
        }
        if (!Files.isRegularFile(path)) {
            throw new TokenizerNotFoundException(path, "no such file or folder");
        }
        return path;
    }

    private OptionalInt special(String key, Optional<Optional<String>> configured, List<String> fallbacks) {
        if (configured.isPresent()) {
            Optional<String> token = configured.get();
            if (token.isEmpty()) {
                return OptionalInt.empty();
            }
            OptionalInt id = vocabulary.id(token.get());
            if (id.isPresent()) {
                return id;
            }
            LOG.warn("{} '{}' of {} is not in the vocabulary of {}; using a fallback", key, token.get(),
                    HfTokenizerConfig.FILE_NAME, file);
        }
        for (String name : fallbacks) {
            OptionalInt id = vocabulary.id(name);
            if (id.isPresent()) {
                return id;
            }
        }
        return OptionalInt.empty();
    }

    @Override
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        ensureOpen();
        long[] ids = tokenizer.encode(text, options.addSpecialTokens(), false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        ensureOpen();
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, false);
    }

    @Override
    public int vocabSize() {
        return vocabulary.size();
    }

    @Override
    public OptionalInt padId() {
        return padId;
    }

    @Override
    public OptionalInt bosId() {
        return bosId;
    }

    /** The end-of-sequence id, if any (see the class comment for how it is found). */
    @Override
    public OptionalInt eosId() {
        return eosId;
    }

    @Override
    public OptionalInt tokenId(String token) {
        return vocabulary.id(token);
    }

    @Override
    public boolean addsBos() {
        return addBos;
    }

    /** {@return the {@code tokenizer.json} that was loaded} */
    public Path file() {
        return file;
    }

    /** {@return the options this tokenizer was loaded with} */
    public TokenizerOptions options() {
        return options;
    }

    /** Frees the native tokenizer. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            tokenizer.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("tokenizer " + file + " is closed");
        }
    }

    @Override
    public String toString() {
        return "HfTokenizer[" + file + ", vocab=" + vocabulary.size() + ", addBos=" + addBos + "]";
    }
}
