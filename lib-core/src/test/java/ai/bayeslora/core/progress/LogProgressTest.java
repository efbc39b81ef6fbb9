package ai.bayeslora.core.progress;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.progress.internal.LogProgress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The log listener's rate rule (a line per tenth, at least one per interval, a closing line), against hand-written lines. */
class LogProgressTest {
    private static final long SECOND = 1_000_000_000L;

    /** A settable clock. */
    private static final class Clock {
        long now;
    }

    @Test
    void oneLinePerTenthAndAClosingLine() {
        List<String> lines = new ArrayList<>();
        Clock clock = new Clock();
        try (LogProgress t = new LogProgress("epoch 1/2", 20, lines::add, () -> clock.now, 0, 30 * SECOND)) {
            for (int i = 0; i < 20; i++) {
                clock.now += SECOND / 2;
                t.advance(1);
                if (i == 4) {
                    t.status("loss 0.5000");
                }
            }
        }
        // tenths at 2, 4, ..., 18 of 20 steps (0.5 s each); the 10th tenth is the closing line
        assertThat(lines).containsExactly(
                "epoch 1/2: 2/20 (10%), 1.0 s",
                "epoch 1/2: 4/20 (20%), 2.0 s",
                "epoch 1/2: 6/20 (30%), 3.0 s, loss 0.5000",
                "epoch 1/2: 8/20 (40%), 4.0 s, loss 0.5000",
                "epoch 1/2: 10/20 (50%), 5.0 s, loss 0.5000",
                "epoch 1/2: 12/20 (60%), 6.0 s, loss 0.5000",
                "epoch 1/2: 14/20 (70%), 7.0 s, loss 0.5000",
                "epoch 1/2: 16/20 (80%), 8.0 s, loss 0.5000",
                "epoch 1/2: 18/20 (90%), 9.0 s, loss 0.5000",
                "epoch 1/2: 20/20 (100%), done in 10.0 s, loss 0.5000");
    }

    @Test
    void slowTasksLogOnTheIntervalAndBigStepsOnce() {
        List<String> lines = new ArrayList<>();
        Clock clock = new Clock();
        LogProgress t = new LogProgress("fit", 1000, lines::add, () -> clock.now, 0, 30 * SECOND);
        clock.now = 20 * SECOND;
        t.advance(1); // 0.1 %, 20 s: nothing yet
        clock.now = 31 * SECOND;
        t.advance(1); // 31 s since the start: an interval line
        clock.now = 40 * SECOND;
        t.advance(500); // jumps five tenths: one line
        t.close();
        t.close(); // idempotent
        assertThat(lines).containsExactly(
                "fit: 2/1000 (0%), 31.0 s",
                "fit: 502/1000 (50%), 40.0 s",
                "fit: 502/1000 (50%), done in 40.0 s");
    }

    @Test
    void aShortTaskLogsOnlyItsClosingLineAndTenthsKeepAMinimumGap() {
        List<String> lines = new ArrayList<>();
        Clock clock = new Clock();
        try (LogProgress t = new LogProgress("evaluate", 10, lines::add, () -> clock.now, 5 * SECOND, 30 * SECOND)) {
            for (int i = 0; i < 10; i++) {
                clock.now += SECOND / 2;
                t.advance(1); // 5 s in all: no tenth is 5 s after the start
            }
        }
        try (LogProgress t = new LogProgress("epoch", 10, lines::add, () -> clock.now, 5 * SECOND, 30 * SECOND)) {
            for (int i = 0; i < 10; i++) {
                clock.now += 2 * SECOND;
                t.advance(1); // 2 s per tenth: lines at 6 s (3/10) and 12 s (6/10), 18 s (9/10)
            }
        }
        assertThat(lines).containsExactly("evaluate: 10/10 (100%), done in 5.0 s",
                "epoch: 3/10 (30%), 6.0 s", "epoch: 6/10 (60%), 12.0 s", "epoch: 9/10 (90%), 18.0 s",
                "epoch: 10/10 (100%), done in 20.0 s");
    }

    @Test
    void unknownTotalLogsCountsOnTheInterval() {
        List<String> lines = new ArrayList<>();
        Clock clock = new Clock();
        try (LogProgress t = new LogProgress("laplace fit", 0, lines::add, () -> clock.now, 0, 30 * SECOND)) {
            for (int i = 0; i < 7; i++) {
                clock.now += 10 * SECOND;
                t.advance(8);
            }
        }
        assertThat(lines).containsExactly("laplace fit: 24, 30.0 s", "laplace fit: 48, 60.0 s",
                "laplace fit: 56, done in 70.0 s");
    }

    @Test
    void redirectedStderrGetsLogLinesNotBars() {
        // surefire's forked JVM writes stderr to a pipe, as a shell redirect would: no terminal, so no \r frames
        assertThat(Progress.stderrIsTerminal()).isFalse();
        assertThat(Progress.auto().start("t", 1)).isInstanceOf(LogProgress.class);
    }

    @Test
    void defaultListenerIsReplaceableAndNoneIsSilent() {
        List<String> names = new ArrayList<>();
        ProgressListener mine = (name, total) -> {
            names.add(name + "/" + total);
            return Progress.none().start(name, total);
        };
        Progress.setDefaultListener(mine);
        try {
            Progress.start(null, "evaluate", 5).close();
            assertThat(names).containsExactly("evaluate/5");
        } finally {
            Progress.setDefaultListener(null);
        }
        assertThat(Progress.defaultListener()).isNotSameAs(mine);
    }
}
