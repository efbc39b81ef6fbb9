package ai.bayeslora.examples.cli;

/** Notes on stderr for deprecated option names, which keep working (docs/GUIDE.md, "Command line"). */
final class Deprecation {
    private Deprecation() {
    }

    /** Says that {@code old} is deprecated in favour of {@code replacement}. */
    static void note(String old, String replacement) {
        System.err.println("note: " + old + " is deprecated; use " + replacement);
    }
}
