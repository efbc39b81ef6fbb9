package ai.bayeslora.core.text;

import ai.bayeslora.core.data.BundledData;

/** Child JVM of {@link TokenizerCudaProbeTest}: loads the bundled tokenizer, prints its ids and the fork property. */
public final class TokenizerLoadMain {
    private TokenizerLoadMain() {
    }

    public static void main(String[] args) {
        try (HfTokenizer tokenizer = HfTokenizer.load(BundledData.tinyLlamaModel())) {
            System.out.println("ids " + java.util.Arrays.toString(tokenizer.encode("Answer: A")));
        }
        System.out.println("fork property after load: " + System.getProperty("ai.djl.util.cuda.fork"));
    }
}
