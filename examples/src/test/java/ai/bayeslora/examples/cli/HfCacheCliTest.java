package ai.bayeslora.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --model org/name} against a fake HF hub cache named by {@code HF_HUB_CACHE} (a child JVM, since the
 * environment is fixed per process): the CLI scores with the snapshot that {@code refs/main} names, with the same
 * output as {@code --model SNAPSHOT_FOLDER}, and an unknown id lists the cache folder it looked in.
 */
class HfCacheCliTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out) {
    }

    private Run cli(Path cache, String... args) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx512m",
                "-Duser.home=" + tmp.resolve("home"), "-cp",
                System.getProperty("java.class.path"), BayesLoraCli.class.getName()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(tmp, "cli", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("HF_HUB_CACHE", cache.toString());
        pb.environment().remove("HF_HOME");
        pb.environment().remove("XDG_CACHE_HOME");
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the CLI finished").isTrue();
        return new Run(p.exitValue(), Files.readString(log));
    }

    /** The table lines of predict's output (after the log lines). */
    private static String table(String out) {
        return out.substring(out.indexOf("id "));
    }

    @Test
    void anHfIdResolvesToTheMainSnapshot() throws Exception {
        Path cache = tmp.resolve("hub");
        Path repo = cache.resolve("models--tiny-org--tiny-llama");
        Path main = Files.createDirectories(repo.resolve("snapshots/0123abcd"));
        Files.createDirectories(repo.resolve("snapshots/ffff0000")); // a newer, incomplete snapshot: not main
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            Files.copy(Fixtures.model("tiny-llama").resolve(f), main.resolve(f));
        }
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), "0123abcd");
        Run byId = cli(cache, "predict", "--model", "tiny-org/tiny-llama", "--device", "cpu", "--limit", "3");
        Run byDir = cli(cache, "predict", "--model", main.toString(), "--device", "cpu", "--limit", "3");
        assertThat(byId.code()).as(byId.out()).isZero();
        assertThat(byDir.code()).as(byDir.out()).isZero();
        assertThat(byId.out()).contains(main.resolve("model.safetensors").toString());
        assertThat(table(byId.out())).isEqualTo(table(byDir.out()));

        Run missing = cli(cache, "predict", "--model", "tiny-org/absent", "--device", "cpu");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.out()).contains("Invalid value for option '--model'")
                .contains(cache.resolve("models--tiny-org--absent").toString())
                .contains(tmp.resolve("home/.cache/huggingface/hub/models--tiny-org--absent").toString());
    }
}
