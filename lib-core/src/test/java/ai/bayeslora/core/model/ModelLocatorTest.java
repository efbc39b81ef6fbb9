package ai.bayeslora.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HF ids resolved in fake hub caches laid out as huggingface_hub writes them (models--org--name/refs, snapshots). */
class ModelLocatorTest {
    @TempDir
    Path tmp;

    private Path snapshot(Path cache, String repo, String commit, long epochSeconds) throws Exception {
        Path s = Files.createDirectories(cache.resolve(repo).resolve("snapshots").resolve(commit));
        Files.writeString(s.resolve("config.json"), "{}");
        Files.setLastModifiedTime(s, FileTime.from(Instant.ofEpochSecond(epochSeconds)));
        return s;
    }

    @Test
    void refsMainWinsOverANewerSnapshot() throws Exception {
        Path cache = tmp.resolve("hub");
        Path main = snapshot(cache, "models--org--tiny", "aaa111", 1_000);
        snapshot(cache, "models--org--tiny", "bbb222", 2_000); // newer, but not main
        Files.createDirectories(cache.resolve("models--org--tiny/refs"));
        Files.writeString(cache.resolve("models--org--tiny/refs/main"), "aaa111\n"); // the hub writes no newline; both work
        ModelLocator l = ModelLocator.ofCaches(List.of(cache));
        assertThat(l.locate("org/tiny")).isEqualTo(main);
    }

    @Test
    void withoutRefsTheNewestSnapshotAndAnExplicitRevision() throws Exception {
        Path cache = tmp.resolve("hub");
        Path old = snapshot(cache, "models--org--tiny", "aaa111", 1_000);
        Path newest = snapshot(cache, "models--org--tiny", "bbb222", 2_000);
        ModelLocator l = ModelLocator.ofCaches(List.of(cache));
        assertThat(l.locate("org/tiny")).isEqualTo(newest);
        assertThat(l.locate("org/tiny@aaa111")).isEqualTo(old);
        assertThatThrownBy(() -> l.locate("org/tiny@ccc333")).isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining(cache.resolve("models--org--tiny") + " (no snapshot for ccc333)");
    }

    @Test
    void environmentOrderAndTheErrorListsEveryPlace() throws Exception {
        Path hubCache = tmp.resolve("custom");
        Path hfHome = tmp.resolve("hfhome");
        Path home = tmp.resolve("home");
        Path inHome = snapshot(home.resolve(".cache/huggingface/hub"), "models--gpt2", "c0ffee", 1_000);
        Path inHfHome = snapshot(hfHome.resolve("hub"), "models--org--both", "1", 1_000);
        snapshot(home.resolve(".cache/huggingface/hub"), "models--org--both", "2", 5_000);
        ModelLocator l = ModelLocator.fromEnvironment(Map.of("HF_HUB_CACHE", hubCache.toString(),
                "HF_HOME", hfHome.toString()), home);
        assertThat(l.caches()).containsExactly(hubCache, hfHome.resolve("hub"), home.resolve(".cache/huggingface/hub"));
        assertThat(l.locate("gpt2")).isEqualTo(inHome); // an id without an org
        assertThat(l.locate("org/both")).isEqualTo(inHfHome); // the first cache holding it, not the newest anywhere
        assertThatThrownBy(() -> l.locate("meta-llama/Llama-3.2-1B")).isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("model meta-llama/Llama-3.2-1B: no folder ")
                .hasMessageContaining("looked in " + hubCache.resolve("models--meta-llama--Llama-3.2-1B") + ", "
                        + hfHome.resolve("hub/models--meta-llama--Llama-3.2-1B") + ", "
                        + home.resolve(".cache/huggingface/hub/models--meta-llama--Llama-3.2-1B") + ". Nothing is "
                        + "downloaded");
    }

    @Test
    void anExistingFolderIsTakenAsIsAndOtherTextIsAFolderError() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("org/model"));
        ModelLocator l = ModelLocator.ofCaches(List.of(tmp.resolve("empty")));
        assertThat(l.locate(dir.toString())).isEqualTo(dir);
        Path file = Files.writeString(tmp.resolve("file.txt"), "x");
        assertThatThrownBy(() -> l.locate(file.toString())).isInstanceOf(ModelNotFoundException.class)
                .hasMessage("model " + file + ": no such folder (it is a file; a model is a folder with config.json)");
        Files.createDirectories(tmp.resolve("empty/models--org--nosnap"));
        assertThatThrownBy(() -> l.locate("org/nosnap")).hasMessageContaining("models--org--nosnap (no snapshot)");
    }
}
