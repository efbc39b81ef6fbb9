package ai.bayeslora.core.data;

import ai.bayeslora.core.text.TextTokenizer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns examples into {@link EncodedBatch}es: render with a {@link PromptTemplate}, tokenize, prepend BOS if
 * configured, truncate from the <em>left</em> to {@code maxLength} (so the answer cue at the end survives; BOS is
 * kept), then left-pad to the longest row of the batch. Immutable and thread-safe if the tokenizer is.
 */
public final class McqaBatcher {
    private static final Logger LOG = LoggerFactory.getLogger(McqaBatcher.class);

    /**
     * Batching settings.
     *
     * @param maxLength the longest row in tokens, BOS included (default {@value #DEFAULT_MAX_LENGTH})
     * @param padId     the id written into padding positions (masked out, so any valid id works)
     * @param addBos    whether each row starts with {@code bosId}; it is not doubled if the tokenizer already put it
     * @param bosId     the BOS id, or -1 if none
     */
    public record Config(int maxLength, int padId, boolean addBos, int bosId) {
        /** Default of {@code maxLength}, in tokens. */
        public static final int DEFAULT_MAX_LENGTH = 512;

        /**
         * Checks the settings.
         *
         * @param maxLength the longest row in tokens, BOS included; at least 1 (2 with BOS)
         * @param padId the id written into padding positions; not negative
         * @param addBos whether each row starts with {@code bosId}
         * @param bosId the BOS id, or -1 if none (then {@code addBos} must be false)
         */
        public Config {
            if (maxLength < 1) {
                throw new IllegalArgumentException("maxLength must be positive, got " + maxLength);
            }
            if (padId < 0) {
                throw new IllegalArgumentException("padId must be a token id, got " + padId);
            }
            if (addBos && bosId < 0) {
                throw new IllegalArgumentException("addBos needs a bosId");
            }
            if (addBos && maxLength < 2) {
                throw new IllegalArgumentException("with addBos, maxLength must be at least 2");
            }
        }

        /**
         * Settings from a tokenizer: its pad id, BOS as {@link TextTokenizer#addsBos()}, max length 512.
         *
         * @param tokenizer the tokenizer the batches are for
         * @return the settings
         * @throws IllegalArgumentException if the tokenizer has no pad id
         */
        public static Config forTokenizer(TextTokenizer tokenizer) {
            int pad = tokenizer.padId().orElseThrow(() -> new IllegalArgumentException(
                    "the tokenizer defines no pad id (no pad_token, <pad> or eos); set one in McqaBatcher.Config"));
            return new Config(DEFAULT_MAX_LENGTH, pad, tokenizer.addsBos(), tokenizer.bosId().orElse(-1));
        }

        /**
         * {@return the same settings with another maximum row length}
         *
         * @param newMaxLength the longest row in tokens, BOS included
         */
        public Config withMaxLength(int newMaxLength) {
            return new Config(newMaxLength, padId, addBos, bosId);
        }
    }

    private final TextTokenizer tokenizer;
    private final PromptFormat template;
    private final Config config;
    private final AtomicBoolean warnedTruncation = new AtomicBoolean();

    /**
     * A batcher.
     *
     * @param template how examples become prompts
     * @param tokenizer the tokenizer that encodes the rendered prompts
     * @param config lengths, padding and BOS
     * @throws IllegalArgumentException if the format appends EOS and the tokenizer has none
     */
    public McqaBatcher(TextTokenizer tokenizer, PromptFormat template, Config config) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.template = Objects.requireNonNull(template, "template");
        this.config = Objects.requireNonNull(config, "config");
        if (template.appendEos() && tokenizer.eosId().isEmpty()) {
            throw new IllegalArgumentException("the prompt format ends prompts with EOS, but the tokenizer has no EOS "
                    + "token");
        }
    }

    /**
     * {@return a batcher with the default template and {@link Config#forTokenizer}}
     *
     * @param tokenizer the tokenizer that encodes the rendered prompts
     */
    public static McqaBatcher forTokenizer(TextTokenizer tokenizer) {
        return new McqaBatcher(tokenizer, PromptTemplate.defaults(), Config.forTokenizer(tokenizer));
    }

    /**
     * {@return the model input of one example: BOS (if configured) + prompt tokens, left-truncated to {@code
     * maxLength}}
     *
     * @param example the example to render and encode
     */
    public int[] tokens(McqaExample example) {
        return truncate(withEos(withBos(tokenizer.encode(template.render(example)))));
    }

    /**
     * Encodes {@code examples} into one left-padded batch.
     *
     * @param examples the batch's examples, in row order
     * @return the batch, left-padded to its longest row
     * @throws IllegalArgumentException if {@code examples} is empty or a prompt encodes to no tokens
     */
    public EncodedBatch encode(List<McqaExample> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no examples to encode");
        }
        int rows = examples.size();
        int[][] tokens = new int[rows][];
        int length = 0;
        int truncated = 0;
        for (int r = 0; r < rows; r++) {
            McqaExample e = examples.get(r);
            int[] full = withEos(withBos(tokenizer.encode(template.render(e))));
            if (full.length == 0) {
                throw new IllegalArgumentException("example " + e.id() + ": the prompt encodes to no tokens");
            }
            tokens[r] = truncate(full);
            if (tokens[r].length < full.length) {
                truncated++;
            }
            length = Math.max(length, tokens[r].length);
        }
        if (truncated > 0 && warnedTruncation.compareAndSet(false, true)) {
            LOG.warn("{} of {} prompts longer than maxLength={} were truncated from the left (warned once)",
                    truncated, rows, config.maxLength());
        }
        long[] ids = new long[rows * length];
        long[] mask = new long[rows * length];
        long[] positions = new long[rows * length];
        int[] labels = new int[rows];
        int[] counts = new int[rows];
        List<String> exampleIds = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            int offset = r * length;
            int pad = length - tokens[r].length;
            long cumsum = 0;
            for (int c = 0; c < length; c++) {
                boolean real = c >= pad;
                ids[offset + c] = real ? tokens[r][c - pad] : config.padId();
                mask[offset + c] = real ? 1 : 0;
                cumsum += mask[offset + c];
                positions[offset + c] = Math.max(cumsum - 1, 0);
            }
            labels[r] = examples.get(r).answer();
            counts[r] = examples.get(r).labels().size();
            exampleIds.add(examples.get(r).id());
        }
        return new EncodedBatch(exampleIds, ids, mask, positions, labels, rows, length, truncated, counts);
    }

    /**
     * {@return the dataset in consecutive batches of {@code batchSize} (the last may be smaller), in dataset order}
     * Each batch is encoded when the iterator reaches it; the iterable can be iterated more than once.
     *
     * @param dataset the examples to batch
     * @param batchSize rows per batch, at least 1
     */
    public Iterable<EncodedBatch> batches(McqaDataset dataset, int batchSize) {
        Objects.requireNonNull(dataset, "dataset");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        List<McqaExample> examples = dataset.examples();
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < examples.size();
            }

            @Override
            public EncodedBatch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int end = Math.min(next + batchSize, examples.size());
                EncodedBatch batch = encode(examples.subList(next, end));
                next = end;
                return batch;
            }
        };
    }

    /** {@return the tokenizer that encodes the prompts} */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** {@return the prompt format} */
    public PromptFormat template() {
        return template;
    }

    /** {@return the lengths, padding and BOS settings} */
    public Config config() {
        return config;
    }

    private int[] withEos(int[] ids) {
        if (!template.appendEos()) {
            return ids;
        }
        int[] out = java.util.Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = tokenizer.eosId().getAsInt();
        return out;
    }

    private int[] withBos(int[] ids) {
        if (!config.addBos() || ids.length > 0 && ids[0] == config.bosId()) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = config.bosId();
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    private int[] truncate(int[] ids) {
        int max = config.maxLength();
        if (ids.length <= max) {
            return ids;
        }
        int[] out = new int[max];
        if (config.addBos()) {
            out[0] = ids[0];
            System.arraycopy(ids, ids.length - (max - 1), out, 1, max - 1);
        } else {
            System.arraycopy(ids, ids.length - max, out, 0, max);
        }
        return out;
    }
}
