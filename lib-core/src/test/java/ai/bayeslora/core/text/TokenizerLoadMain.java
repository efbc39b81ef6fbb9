package ai.bayeslora.core.text;

import ai.bayeslora.core.data.BundledData;

/** Child JVM of {@link TokenizerCudaProbeTest}: loads the bundled tokenizer, prints its ids, the DJL
 * properties after the load and whether DJL's telemetry call went past its opt-out. */
public final class TokenizerLoadMain {
    private TokenizerLoadMain() {
    }

    public static void main(String[] args) {
        try (HfTokenizer tokenizer = HfTokenizer.load(BundledData.tinyLlamaModel())) {
            System.out.println("ids " + java.util.Arrays.toString(tokenizer.encode("Answer: A")));
        }
        System.out.println("fork property after load: " + System.getProperty("ai.djl.util.cuda.fork"));
        System.out.println("telemetry property after load: " + System.getProperty("OPT_OUT_TRACKING"));
        // DJL's telemetry call stamps this field before it contacts anything; 0 means it returned at the opt-out
        try {
            java.lang.reflect.Field f = Class.forName("ai.djl.util.Ec2Utils").getDeclaredField("lastCheckIn");
            f.setAccessible(true);
            System.out.println("telemetry check-in: " + (f.getLong(null) == 0 ? "never" : "called"));
        } catch (ReflectiveOperationException e) {
            System.out.println("telemetry check-in: unknown (" + e + ")");
        }
    }
}
