package ai.bayeslora.core.io;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;

/**
 * A JVM of {@link ResourceCacheTest}'s cross-process race: waits until the start file exists, extracts the tiny
 * Llama from the jar given as the first argument, and prints the folder.
 */
public final class ResourceCacheRaceMain {
    private ResourceCacheRaceMain() {
    }

    /**
     * @param args the jar holding the resources, and the start file to wait for
     * @throws Exception on any failure (the test reads the exit code)
     */
    public static void main(String[] args) throws Exception {
        Path start = Path.of(args[1]);
        while (!java.nio.file.Files.exists(start)) {
            Thread.sleep(2);
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(args[0]).toUri().toURL()}, null)) {
            Path dir = ResourceCache.folder(loader, ai.bayeslora.core.data.BundledData.TINY_LLAMA_RESOURCE,
                    "tiny-llama", List.of("config.json", "model.safetensors", "tokenizer.json"));
            System.out.println(dir);
        }
    }
}
