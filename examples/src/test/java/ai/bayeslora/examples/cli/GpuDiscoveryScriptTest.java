package ai.bayeslora.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/spark/discover-gpus.sh prints Spark's resource JSON: the GPUs nvidia-smi lists (a fake one on PATH here),
 * the CUDA_VISIBLE_DEVICES indices when set, and an empty list when there are none.
 */
class GpuDiscoveryScriptTest {
    private static final Path SCRIPT = Path.of("spark/discover-gpus.sh");

    @TempDir Path tmp;

    @Test
    void listsNvidiaSmiGpus() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\necho 0\necho 1\necho 2\n");
        smi.toFile().setExecutable(true);
        JsonNode out = run(Map.of("PATH", bin + ":/usr/bin:/bin"));
        assertThat(out.get("name").asText()).isEqualTo("gpu");
        assertThat(addresses(out)).containsExactly("0", "1", "2");
    }

    @Test
    void cudaVisibleDevicesRenumbersFromZero() throws Exception {
        JsonNode out = run(Map.of("PATH", "/usr/bin:/bin", "CUDA_VISIBLE_DEVICES", "3,5"));
        assertThat(addresses(out)).containsExactly("0", "1");
    }

    @Test
    void noGpuIsAnEmptyList() throws Exception {
        JsonNode out = run(Map.of("PATH", tmp + ":/usr/bin:/bin"));
        assertThat(out.get("name").asText()).isEqualTo("gpu");
        assertThat(addresses(out)).isEmpty();
    }

    private static List<String> addresses(JsonNode out) {
        List<String> a = new ArrayList<>();
        out.get("addresses").forEach(n -> a.add(n.asText()));
        return a;
    }

    private JsonNode run(Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
        pb.environment().remove("CUDA_VISIBLE_DEVICES");
        pb.environment().putAll(env);
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(text).isZero();
        return new ObjectMapper().readTree(text);
    }
}
