package ai.bayeslora.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.safetensors.RawTensor;
import ai.bayeslora.core.safetensors.SafetensorsDType;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.safetensors.SafetensorsFormatException;
import ai.bayeslora.core.safetensors.SafetensorsWriter;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.testing.Mutator;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The safetensors reader against mutated files. Properties: it never fails with anything but a
 * {@link SafetensorsFormatException} (no crash, no other exception type); everything it accepts obeys the reference
 * rules, checked here by an independent reading of the bytes; and what it accepts round-trips through the writer
 * byte for byte. CI runs {@value #TRIES} seeded mutants; {@code JAZZER_FUZZ=1 mvn test -pl lib-core
 * -Dtest=SafetensorsFuzzTest} fuzzes with coverage guidance (docs/DEVELOPING.md, "Fuzz and property tests").
 */
class SafetensorsFuzzTest {
    static final int TRIES = Mutator.tries(3000);
    static final long SEED = Mutator.seed(20261201L);
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    /** Small valid files: several dtypes, a scalar, a zero-size tensor, metadata, and the peft fixture. */
    private List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        Map<String, RawTensor> t = new LinkedHashMap<>();
        t.put("w", new RawTensor(SafetensorsDType.F32, new long[] {2, 3}, new byte[24]));
        t.put("h", new RawTensor(SafetensorsDType.BF16, new long[] {4}, new byte[8]));
        t.put("ids", new RawTensor(SafetensorsDType.I64, new long[] {1, 2}, new byte[16]));
        t.put("s", new RawTensor(SafetensorsDType.F16, new long[] {}, new byte[2]));
        t.put("z", new RawTensor(SafetensorsDType.U8, new long[] {0, 3}, new byte[0]));
        Path f = tmp.resolve("seed.safetensors");
        SafetensorsWriter.writeRaw(f, t, Map.of("format", "pt"));
        seeds.add(Files.readAllBytes(f));
        seeds.add(Files.readAllBytes(Fixtures.path("lora/tiny-llama-lora-r4").resolve("adapter_model.safetensors")));
        return seeds;
    }

    @Test
    void mutatedFilesAreRefusedCleanlyOrReadExactly() throws Exception {
        List<byte[]> seeds = seeds();
        Mutator m = new Mutator(SEED);
        int accepted = 0;
        for (int i = 0; i < TRIES; i++) {
            byte[] seed = seeds.get(i % seeds.size());
            byte[] input = i < seeds.size() ? seed : m.mutateBytes(seed);
            try {
                accepted += check(input, tmp) ? 1 : 0;
            } catch (AssertionError e) {
                throw new AssertionError("mutant " + i + " (seed " + SEED + "): " + e.getMessage(), e);
            }
        }
        System.out.println("safetensors mutants accepted: " + accepted + " of " + TRIES);
        // the mutants must reach both outcomes, or the test checks nothing
        assertThat(accepted).isBetween(seeds().size(), TRIES - 1);
    }

    /** Coverage-guided fuzzing of the same property (regression mode in CI: the inputs directory, if any). */
    @FuzzTest(maxDuration = "5m")
    void fuzz(@com.code_intelligence.jazzer.mutation.annotation.NotNull byte[] input) throws IOException {
        Path dir = Files.createTempDirectory("st-fuzz");
        try {
            check(input, dir);
        } finally {
            ai.bayeslora.core.io.AtomicOutput.deleteQuietly(dir);
        }
    }

    /** The property for one input; true if the reader accepted it. */
    static boolean check(byte[] input, Path dir) throws IOException {
        Path file = dir.resolve("in.safetensors");
        Files.write(file, input);
        Map<String, byte[]> read = new LinkedHashMap<>();
        Map<String, RawTensor> raw = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.names()) {
                ByteBuffer b = f.rawBytes(name);
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                read.put(name, bytes);
                raw.put(name, new RawTensor(f.info(name).dtype(), f.info(name).shape(), bytes));
            }
        } catch (SafetensorsFormatException e) {
            assertThat(e.getMessage()).as("the message names the file").contains(file.toString());
            return false;
        }
        assertObeysReference(input, read);
        // round trip: written again, the same tensors come back with the same bytes
        Path again = dir.resolve("again.safetensors");
        SafetensorsWriter.writeRaw(again, raw, Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(again)) {
            assertThat(f.names()).containsExactlyInAnyOrderElementsOf(read.keySet());
            for (String name : read.keySet()) {
                ByteBuffer b = f.rawBytes(name);
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                assertThat(bytes).as(name).isEqualTo(read.get(name));
            }
        }
        return true;
    }

    /** An independent reading of the format's rules: length prefix, JSON object, sizes, offsets tiling the data. */
    private static void assertObeysReference(byte[] in, Map<String, byte[]> read) throws IOException {
        assertThat(in.length).isGreaterThanOrEqualTo(8);
        long n = ByteBuffer.wrap(in, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n).isBetween(2L, in.length - 8L);
        JsonNode h = JSON.readTree(new String(in, 8, (int) n, StandardCharsets.UTF_8));
        assertThat(h.isObject()).isTrue();
        long data = in.length - 8 - n;
        List<long[]> ranges = new ArrayList<>();
        int tensors = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            tensors++;
            JsonNode t = e.getValue();
            SafetensorsDType dt = SafetensorsDType.valueOf(t.get("dtype").asText());
            long numel = 1;
            for (JsonNode d : t.get("shape")) {
                assertThat(d.asLong()).isNotNegative();
                numel *= d.asLong();
            }
            long begin = t.get("data_offsets").get(0).asLong();
            long end = t.get("data_offsets").get(1).asLong();
            assertThat(end - begin).as(e.getKey() + " size").isEqualTo(numel * dt.byteSize());
            assertThat(read.get(e.getKey())).as(e.getKey() + " bytes").isEqualTo(
                    java.util.Arrays.copyOfRange(in, (int) (8 + n + begin), (int) (8 + n + end)));
            if (end > begin) {
                ranges.add(new long[] {begin, end});
            }
        }
        assertThat(read).hasSize(tensors);
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        long at = 0;
        for (long[] r : ranges) {
            assertThat(r[0]).as("contiguous offsets").isEqualTo(at);
            at = r[1];
        }
        assertThat(at).as("the tensors cover the data buffer").isEqualTo(data);
    }
}
