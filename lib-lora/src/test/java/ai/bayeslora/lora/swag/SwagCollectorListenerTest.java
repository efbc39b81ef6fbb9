package ai.bayeslora.lora.swag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.lora.interop.AdapterTensors;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.train.EpochSummary;
import ai.bayeslora.lora.train.TrainingStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link SwagCollector} driven by synthetic {@link TrainingStep} / {@link EpochSummary} events. Before each event the
 * adapter gets a distinct θ; the posterior's moments must equal the oracle moments of exactly the θs the schedule
 * selects, which checks which events were collected, not only how many.
 */
class SwagCollectorListenerTest {
    private static TestModel tm;

    @BeforeAll
    static void load() {
        tm = new TestModel();
    }

    @AfterAll
    static void close() {
        tm.close();
    }

    /** Drives epochs × steps of synthetic training; returns θ (as doubles) at each event, keyed "e3" / "s7". */
    @SuppressWarnings("try")
    private static java.util.Map<String, double[]> train(SwagCollector c, LoraAdapter a, int epochs, int steps) {
        float[] base = TestModel.params(a);
        java.util.Map<String, double[]> states = new java.util.HashMap<>();
        long g = 0;
        int id = 0;
        for (int e = 1; e <= epochs; e++) {
            for (int j = 0; j < steps; j++) {
                g++;
                states.put("s" + g, set(a, base, ++id));
                c.onStepEnd(new TrainingStep(e, g, 0.5, 1e-4, a));
            }
            states.put("e" + e, set(a, base, ++id));
            c.onEpochEnd(new EpochSummary(e, g, 0.5, 0.25, OptionalDouble.empty(), OptionalDouble.empty(),
                    Optional.empty(), a));
        }
        return states;
    }

    @SuppressWarnings("try")
    private static double[] set(LoraAdapter a, float[] base, int id) {
        float[] t = new float[base.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = base[i] + (float) (0.01 * id * ((i % 7) - 3));
        }
        try (PointerScope s = new PointerScope()) {
            AdapterTensors.assign(a, Tensors.ofFloats(t, t.length));
        }
        float[] back = TestModel.params(a);
        double[] d = new double[back.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = back[i];
        }
        return d;
    }

    @SuppressWarnings("try")
    private static void assertCollected(SwagCollector c, java.util.Map<String, double[]> states, String... keys) {
        List<double[]> thetas = new ArrayList<>();
        for (String k : keys) {
            thetas.add(states.get(k));
        }
        SwagMomentsTest.Expected e = SwagMomentsTest.Expected.of(thetas, c.config().maxRank());
        assertThat(c.collected()).isEqualTo(keys.length);
        try (SwagPosterior post = c.posterior(); PointerScope s = new PointerScope()) {
            assertThat(Tensors.toDoubles(post.mean())).containsExactly(e.mean());
            assertThat(Tensors.toDoubles(post.squaredMean())).containsExactly(e.sqMean());
            assertThat(Tensors.toDoubles(post.deviations())).containsExactly(e.deviationMatrix());
        }
    }

    @Test
    void endOfEpochCollectsEachEpochEndFromTheStartEpochAndIgnoresSteps() {
        try (LoraAdapter a = tm.adapter(0.1, 31);
             SwagCollector c = new SwagCollector(SwagConfig.builder().startEpoch(3).build())) {
            var states = train(c, a, 5, 4);
            assertCollected(c, states, "e3", "e4", "e5");
        }
    }

    @Test
    void everyKStepsCountsStepsFromTheFirstStepOfTheStartEpochAndIgnoresEpochEnds() {
        try (LoraAdapter a = tm.adapter(0.1, 32);
             SwagCollector c = new SwagCollector(SwagConfig.builder().startEpoch(2).everySteps(3).maxRank(2).build())) {
            var states = train(c, a, 3, 4);
            // epoch 2 starts at global step 5: the collection phase's 3rd and 6th steps are global steps 7 and 10
            assertCollected(c, states, "s7", "s10");
        }
    }

    @Test
    void collectingGoesOnAfterAPosteriorAndManualCollectsCount() {
        try (LoraAdapter a = tm.adapter(0.1, 33);
             SwagCollector c = new SwagCollector(SwagConfig.builder().startEpoch(1).everySteps(2).maxRank(2).build())) {
            var states = train(c, a, 1, 4); // steps 2 and 4
            assertCollected(c, states, "s2", "s4");
            float[] base = TestModel.params(a);
            states.put("manual", set(a, base, 99));
            c.collect(a);
            assertCollected(c, states, "s2", "s4", "manual");
        }
    }

    @Test
    void aSnapshotOfAnotherAdapterLayoutIsRejected() {
        try (LoraAdapter a = tm.adapter(0.1, 34);
             LoraAdapter other = LoraAdapter.create(tm.model, LoraConfig.builder().rank(2).build(), 1);
             SwagCollector c = new SwagCollector(SwagConfig.defaults())) {
            c.collect(a);
            assertThatThrownBy(() -> c.collect(other)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("does not match").hasMessageContaining("[2, 64]");
            assertThat(c.collected()).isEqualTo(1);
        }
    }
}
