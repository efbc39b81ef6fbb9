package ai.bayeslora.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded mutations of valid inputs for the property tests of the readers: byte-level edits (bit flips, boundary
 * bytes, deletions, insertions, duplications, truncation, a rewritten little-endian length) and JSON-tree edits (a
 * value replaced by a number at a boundary, a string, null, a container; a field removed or added). The same seed
 * gives the same mutants, so a CI failure reproduces with the seed it prints.
 */
public final class Mutator {
    private static final byte[] INTERESTING = {0, 1, -1, 0x7f, (byte) 0x80, '{', '}', '[', ']', '"', ',', ':', ' ',
        '\n', '0', '9', '-', '.', 'e', (byte) 0xc3, (byte) 0xff};
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SplittableRandom rng;

    /** @param seed the seed of the mutation stream */
    public Mutator(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    /**
     * The number of mutants a property test runs: {@code ciDefault}, or {@code -Dbayeslora.fuzz.tries=N} for a longer
     * run (docs/DEVELOPING.md, "Fuzz and property tests").
     */
    public static int tries(int ciDefault) {
        return Integer.getInteger("bayeslora.fuzz.tries", ciDefault);
    }

    /** The mutation seed: {@code ciDefault}, or {@code -Dbayeslora.fuzz.seed=S} to explore other mutants. */
    public static long seed(long ciDefault) {
        return Long.getLong("bayeslora.fuzz.seed", ciDefault);
    }

    /** The random source (for a test's own choices). */
    public SplittableRandom random() {
        return rng;
    }

    /** One to three byte-level edits of {@code input} (a new array). */
    public byte[] mutateBytes(byte[] input) {
        byte[] b = input.clone();
        int edits = 1 + rng.nextInt(3);
        for (int e = 0; e < edits; e++) {
            b = editBytes(b);
        }
        return b;
    }

    private byte[] editBytes(byte[] b) {
        if (b.length == 0) {
            return new byte[] {INTERESTING[rng.nextInt(INTERESTING.length)]};
        }
        int at = rng.nextInt(b.length);
        switch (rng.nextInt(8)) {
            case 0: // flip a bit
                b[at] ^= (byte) (1 << rng.nextInt(8));
                return b;
            case 1: // a boundary or syntax byte
                b[at] = INTERESTING[rng.nextInt(INTERESTING.length)];
                return b;
            case 2: { // delete a range
                int n = Math.min(b.length - at, 1 + rng.nextInt(16));
                byte[] out = new byte[b.length - n];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + n, out, at, b.length - at - n);
                return out;
            }
            case 3: { // insert random bytes
                int n = 1 + rng.nextInt(8);
                byte[] out = new byte[b.length + n];
                System.arraycopy(b, 0, out, 0, at);
                for (int i = 0; i < n; i++) {
                    out[at + i] = (byte) rng.nextInt(256);
                }
                System.arraycopy(b, at, out, at + n, b.length - at);
                return out;
            }
            case 4: { // duplicate a range
                int n = Math.min(b.length - at, 1 + rng.nextInt(32));
                byte[] out = new byte[b.length + n];
                System.arraycopy(b, 0, out, 0, at + n);
                System.arraycopy(b, at, out, at + n, b.length - at);
                return out;
            }
            case 5: // truncate
                return Arrays.copyOf(b, at);
            case 6: { // rewrite a little-endian 64-bit integer (safetensors' header length, at offset 0 most often)
                int pos = rng.nextBoolean() || b.length < 8 ? 0 : rng.nextInt(b.length - 7);
                if (b.length < pos + 8) {
                    return b;
                }
                long old = 0;
                for (int i = 7; i >= 0; i--) {
                    old = old << 8 | (b[pos + i] & 0xff);
                }
                long[] choices = {old - 1 - rng.nextInt(8), old + 1 + rng.nextInt(8), 0, -1, Long.MAX_VALUE,
                    b.length, b.length - 8, 1L << 40};
                long v = choices[rng.nextInt(choices.length)];
                for (int i = 0; i < 8; i++) {
                    b[pos + i] = (byte) (v >>> (8 * i));
                }
                return b;
            }
            default: { // swap two bytes
                int other = rng.nextInt(b.length);
                byte t = b[at];
                b[at] = b[other];
                b[other] = t;
                return b;
            }
        }
    }

    /** One to three structural edits of a JSON tree (a deep copy). */
    public JsonNode mutateJson(JsonNode tree) {
        JsonNode root = tree.deepCopy();
        int edits = 1 + rng.nextInt(3);
        for (int e = 0; e < edits; e++) {
            List<ContainerNode<?>> containers = new ArrayList<>();
            collect(root, containers);
            ContainerNode<?> c = containers.get(rng.nextInt(containers.size()));
            editContainer(c);
        }
        return root;
    }

    private static void collect(JsonNode n, List<ContainerNode<?>> out) {
        if (n instanceof ContainerNode<?> c) {
            out.add(c);
            for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
                collect(it.next(), out);
            }
        }
    }

    private void editContainer(ContainerNode<?> c) {
        if (c instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            int op = rng.nextInt(names.isEmpty() ? 1 : 4);
            if (op == 0) {
                o.set("fuzz_" + rng.nextInt(4), value());
            } else if (op == 1) {
                o.remove(names.get(rng.nextInt(names.size())));
            } else {
                o.set(names.get(rng.nextInt(names.size())), value());
            }
        } else if (c instanceof ArrayNode a) {
            int op = rng.nextInt(a.isEmpty() ? 1 : 4);
            if (op == 0) {
                a.add(value());
            } else if (op == 1) {
                a.remove(rng.nextInt(a.size()));
            } else if (op == 2) {
                a.add(a.get(rng.nextInt(a.size())).deepCopy());
            } else {
                a.set(rng.nextInt(a.size()), value());
            }
        }
    }

    /** A replacement value: numbers at the boundaries, odd strings, null, booleans, empty containers. */
    public JsonNode value() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (rng.nextInt(14)) {
            case 0: return f.numberNode(0);
            case 1: return f.numberNode(-1);
            case 2: return f.numberNode(1);
            case 3: return f.numberNode(Integer.MAX_VALUE);
            case 4: return f.numberNode(4294967296L);
            case 5: return f.numberNode(rng.nextInt(2000) - 1000);
            case 6: return f.numberNode(rng.nextDouble() * 10);
            case 7: return f.numberNode(1e308);
            case 8: return f.numberNode(-0.0);
            case 9: return f.textNode(List.of("", "NaN", "A", "q_proj", "llama", "gaussian", "\u00e9\u0000", "1e9")
                    .get(rng.nextInt(8)));
            case 10: return f.nullNode();
            case 11: return f.booleanNode(rng.nextBoolean());
            case 12: return f.arrayNode();
            default: return f.objectNode();
        }
    }

    /** Parses JSON text (for seeds). */
    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Serialises a tree compactly. */
    public static String text(JsonNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
