package ai.bayeslora.core.text;

import java.util.OptionalInt;

/**
 * A text tokenizer as the library needs it: text to token ids and back, plus the special ids that batching needs.
 *
 * <p>{@link #encode(String)} returns the ids of the text only. A BOS token is <em>not</em> prepended by this method;
 * sequence builders such as {@code McqaBatcher} prepend {@link #bosId()} when {@link #addsBos()} is true. This keeps
 * single-piece encodings (for example the answer token {@code " A"}) free of special tokens.
 */
public interface TextTokenizer {

    /**
     * Token ids of {@code text}. Never truncates.
     *
     * @param text any text
     * @return the token ids, no special tokens added unless the tokenizer's options say so
     */
    int[] encode(String text);

    /**
     * {@return the text of {@code ids}} Special tokens are kept in the output, so the round trip is faithful.
     *
     * @param ids token ids of this vocabulary
     */
    String decode(int[] ids);

    /** {@return the number of ids in the vocabulary, added tokens included (largest id + 1)} */
    int vocabSize();

    /** {@return the id used to fill padding positions, if the tokenizer defines or implies one} */
    OptionalInt padId();

    /** {@return the beginning-of-sequence id, if the tokenizer has one} */
    OptionalInt bosId();

    /**
     * {@return the id of one vocabulary entry, spelled as stored in the vocabulary (byte-level BPE stores a leading
     * space as {@code Ġ}, SentencePiece as {@code ▁})} Empty if the vocabulary has no such entry.
     *
     * @param token the vocabulary spelling
     */
    OptionalInt tokenId(String token);

    /** {@return the end-of-sequence id, if the tokenizer has one (some prompt formats end with it)} Default none. */
    default OptionalInt eosId() {
        return OptionalInt.empty();
    }

    /** {@return whether model inputs should start with {@link #bosId()}} Default false. */
    default boolean addsBos() {
        return false;
    }
}
