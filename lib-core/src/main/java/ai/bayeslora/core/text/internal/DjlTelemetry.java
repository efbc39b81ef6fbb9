package ai.bayeslora.core.text.internal;

import java.io.IOException;

/**
 * Builds DJL tokenizers without DJL's telemetry call. Every {@code HuggingFaceTokenizer} constructor calls
 * {@code ai.djl.util.Ec2Utils.callHome}, which asks the EC2 metadata service (169.254.169.254) for the instance id and
 * region and, on EC2, requests a DJL telemetry URL carrying them; off EC2 it costs a metadata request that fails or
 * times out. A library that runs offline and is embedded in other people's services should not phone home on their
 * behalf, so the build runs with DJL's own opt-out, the property {@value #OPT_OUT} = {@code true}, set for the build
 * only (docs/DEVELOPING.md, "DJL's telemetry"). A user who set {@value #OPT_OUT} (environment or system property,
 * either value) keeps their choice. Builds are serialised so one build's clearing of the property cannot reach
 * another's.
 */
public final class DjlTelemetry {
    /** DJL's opt-out switch (environment variable or system property). */
    public static final String OPT_OUT = "OPT_OUT_TRACKING";

    private DjlTelemetry() {
    }

    /** A build that may fail with an I/O error. */
    @FunctionalInterface
    public interface Build<T> {
        /**
         * {@return the built object}
         *
         * @throws IOException on a read error
         */
        T build() throws IOException;
    }

    /**
     * Runs {@code build} with DJL's telemetry opted out, unless the user chose otherwise.
     *
     * @param build the tokenizer build
     * @param <T> what it builds
     * @return its result
     * @throws IOException from the build
     */
    public static synchronized <T> T optedOut(Build<T> build) throws IOException {
        boolean set = System.getenv(OPT_OUT) == null && System.getProperty(OPT_OUT) == null;
        if (set) {
            System.setProperty(OPT_OUT, "true");
        }
        try {
            return build.build();
        } finally {
            if (set) {
                System.clearProperty(OPT_OUT);
            }
        }
    }
}
