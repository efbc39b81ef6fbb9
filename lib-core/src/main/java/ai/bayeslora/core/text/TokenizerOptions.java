package ai.bayeslora.core.text;

import java.util.Objects;
import java.util.Optional;

/**
 * How {@link HfTokenizer} encodes text.
 *
 * @param addSpecialTokens whether the tokenizer's own post-processor runs on {@code encode} (it may add BOS/EOS or
 *                         other template tokens). Default false: the library adds BOS itself, see {@code addBos}.
 * @param addBos           whether model inputs start with the BOS token ({@link TextTokenizer#addsBos()}); empty means
 *                         "as the model says": {@code add_bos_token} of {@code tokenizer_config.json} next to
 *                         {@code tokenizer.json}, or false when that file or key is absent.
 */
public record TokenizerOptions(boolean addSpecialTokens, Optional<Boolean> addBos) {

    /**
     * Checks that {@code addBos} is not null.
     *
     * @param addSpecialTokens whether the tokenizer's own post-processor runs on {@code encode}
     * @param addBos BOS on or off, or empty to follow {@code tokenizer_config.json}
     */
    public TokenizerOptions {
        Objects.requireNonNull(addBos, "addBos");
    }

    /**
     * No special tokens from the tokenizer; BOS as {@code tokenizer_config.json} says.
     *
     * @return the default options
     */
    public static TokenizerOptions defaults() {
        return new TokenizerOptions(false, Optional.empty());
    }

    /** {@return a builder starting from the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link TokenizerOptions}, starting from {@link #defaults()}. */
    public static final class Builder {
        private boolean addSpecialTokens;
        private Optional<Boolean> addBos = Optional.empty();

        private Builder() {
        }

        /**
         * Let the tokenizer's post-processor add its special tokens. Default false.
         *
         * @param value true to let the post-processor add its tokens
         * @return this builder
         */
        public Builder addSpecialTokens(boolean value) {
            this.addSpecialTokens = value;
            return this;
        }

        /**
         * Force BOS on or off, overriding {@code tokenizer_config.json}.
         *
         * @param value true to start every input with BOS, false never to
         * @return this builder
         */
        public Builder addBos(boolean value) {
            this.addBos = Optional.of(value);
            return this;
        }

        /**
         * Take BOS from {@code add_bos_token} of {@code tokenizer_config.json} (the default).
         *
         * @return this builder
         */
        public Builder addBosFromConfig() {
            this.addBos = Optional.empty();
            return this;
        }

        /** {@return the options} */
        public TokenizerOptions build() {
            return new TokenizerOptions(addSpecialTokens, addBos);
        }
    }
}
