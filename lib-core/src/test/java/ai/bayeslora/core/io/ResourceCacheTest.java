package ai.bayeslora.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.data.BundledData;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ResourceCache} extracting the tiny Llama from a jar (the way library users get it): once, into one
 * content-addressed folder, with the jar's bytes, safely when many callers race, and repaired when damaged.
 */
class ResourceCacheTest {
    private static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json");
    private static final String BASE = BundledData.TINY_LLAMA_RESOURCE;

    @TempDir
    Path dir;
    private String oldProperty;
    private URLClassLoader jarLoader;
    private final Map<String, byte[]> expected = new LinkedHashMap<>();

    @BeforeEach
    void jarAndCache() throws Exception {
        Path jar = dir.resolve("lib-core.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out)) {
            for (String f : FILES) {
                byte[] bytes = Files.readAllBytes(BundledData.tinyLlamaModel().resolve(f));
                expected.put(f, bytes);
                zip.putNextEntry(new JarEntry(BASE.substring(1) + f));
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        jarLoader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
        oldProperty = System.getProperty(ResourceCache.PROPERTY);
        System.setProperty(ResourceCache.PROPERTY, dir.resolve("cache").toString());
    }

    @AfterEach
    void restore() throws Exception {
        jarLoader.close();
        if (oldProperty == null) {
            System.clearProperty(ResourceCache.PROPERTY);
        } else {
            System.setProperty(ResourceCache.PROPERTY, oldProperty);
        }
    }

    private Path extract() {
        return ResourceCache.folder(jarLoader, BASE, "tiny-llama", FILES);
    }

    private List<String> cacheEntries() throws Exception {
        try (Stream<Path> s = Files.list(dir.resolve("cache").resolve("resources"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void assertHoldsTheJarsBytes(Path folder) throws Exception {
        for (Map.Entry<String, byte[]> e : expected.entrySet()) {
            assertThat(Files.readAllBytes(folder.resolve(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void extractsOnceIntoOneFolderAndReusesIt() throws Exception {
        Path first = extract();
        assertThat(first.getParent()).isEqualTo(dir.resolve("cache").resolve("resources"));
        assertThat(first.getFileName().toString()).matches("tiny-llama-[0-9a-f]{16}");
        assertHoldsTheJarsBytes(first);
        long modified = Files.getLastModifiedTime(first.resolve("model.safetensors")).toMillis();
        assertThat(extract()).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(first.resolve("model.safetensors")).toMillis()).isEqualTo(modified);
        assertThat(cacheEntries()).containsExactly(first.getFileName().toString()); // no temporary leftovers
    }

    @Test
    void racingCallersShareOneCopyAndLeaveNothingBehind() throws Exception {
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Callable<Path> c = () -> {
                    start.await();
                    Path p = extract();
                    assertHoldsTheJarsBytes(p); // complete the moment it is returned
                    return p;
                };
                results.add(pool.submit(c));
            }
            start.countDown();
            Path first = results.get(0).get();
            for (Future<Path> f : results) {
                assertThat(f.get()).isEqualTo(first);
            }
            assertHoldsTheJarsBytes(first);
            assertThat(cacheEntries()).containsExactly(first.getFileName().toString());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void racingJvmsShareOneCopy() throws Exception {
        // separate processes: other pids in the temporary names, no shared JVM state; they start together on a file
        Path start = dir.resolve("start");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> jvms = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            jvms.add(new ProcessBuilder(javaBin, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                    "-D" + ResourceCache.PROPERTY + "=" + dir.resolve("cache"),
                    "-cp", System.getProperty("java.class.path"), ResourceCacheRaceMain.class.getName(),
                    dir.resolve("lib-core.jar").toString(), start.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }
        Thread.sleep(300); // let them reach the wait
        Files.createFile(start);
        List<String> printed = new ArrayList<>();
        for (Process p : jvms) {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            printed.add(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .strip());
        }
        assertThat(printed).hasSize(3).containsOnly(printed.get(0));
        Path folder = Path.of(printed.get(0));
        assertHoldsTheJarsBytes(folder);
        assertThat(cacheEntries()).containsExactly(folder.getFileName().toString());
    }

    @Test
    void aDamagedCopyIsReplacedAndADeadRunsLeftoverRemoved() throws Exception {
        Path first = extract();
        Files.write(first.resolve("model.safetensors"), new byte[] {1, 2, 3});
        Files.delete(first.resolve("tokenizer.json"));
        // what a JVM killed during extraction leaves: a temporary sibling named with a pid that is not running
        Path leftover = first.resolveSibling("." + first.getFileName() + ".tmp-2147483646-1");
        Files.createDirectories(leftover);
        Files.writeString(leftover.resolve("config.json"), "{");
        assertThat(extract()).isEqualTo(first);
        assertHoldsTheJarsBytes(first);
        assertThat(cacheEntries()).containsExactly(first.getFileName().toString());
    }

    @Test
    void aMissingResourceNamesIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> ResourceCache.folder(jarLoader, BASE, "tiny-llama", List.of("config.json", "absent.bin")))
                .hasMessageContaining(BASE + "absent.bin").hasMessageContaining("missing");
    }
}
