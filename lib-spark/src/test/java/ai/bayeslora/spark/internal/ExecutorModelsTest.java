package ai.bayeslora.spark.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The executor cache: concurrent first uses build an object once and all get it; a slow build of one key does not
 * hold up another key; a failed build is not cached.
 */
class ExecutorModelsTest {
    private record Thing(int id) implements AutoCloseable {
        @Override
        public void close() {
        }
    }

    @Test
    void concurrentFirstUsesBuildOnce() throws Exception {
        AtomicInteger builds = new AtomicInteger();
        Object key = List.of("test", "once", System.nanoTime());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Thing>> got = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                got.add(pool.submit(() -> {
                    start.await();
                    return ExecutorModels.shared(key, k -> {
                        sleep(200);
                        return new Thing(builds.incrementAndGet());
                    });
                }));
            }
            start.countDown();
            Thing first = got.get(0).get(10, TimeUnit.SECONDS);
            for (Future<Thing> f : got) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isSameAs(first);
            }
            assertThat(builds).hasValue(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSlowBuildDoesNotHoldUpOtherKeys() throws Exception {
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Thing> slow = pool.submit(() -> ExecutorModels.shared(List.of("test", "slow", System.nanoTime()),
                    k -> {
                        slowStarted.countDown();
                        await(release);
                        return new Thing(1);
                    }));
            assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
            long t0 = System.nanoTime();
            Thing other = ExecutorModels.shared(List.of("test", "other", System.nanoTime()), k -> new Thing(2));
            assertThat(other.id()).isEqualTo(2);
            assertThat((System.nanoTime() - t0) / 1e9).as("seconds for an unrelated key").isLessThan(5);
            release.countDown();
            assertThat(slow.get(10, TimeUnit.SECONDS).id()).isEqualTo(1);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedBuildIsTriedAgain() {
        Object key = List.of("test", "fails once", System.nanoTime());
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> ExecutorModels.shared(key, k -> {
            calls.incrementAndGet();
            throw new IllegalStateException("no model here");
        })).hasMessage("no model here");
        Thing t = ExecutorModels.shared(key, k -> new Thing(calls.incrementAndGet()));
        assertThat(t.id()).isEqualTo(2);
        Thing again = ExecutorModels.shared(key, k -> new Thing(99));
        assertThat(again).isSameAs(t);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
