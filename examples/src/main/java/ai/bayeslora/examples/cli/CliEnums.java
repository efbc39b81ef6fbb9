package ai.bayeslora.examples.cli;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.data.McqaFormat;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.laplace.FisherEstimate;
import ai.bayeslora.laplace.KfacPositions;
import ai.bayeslora.laplace.LinearizedPredictive;
import ai.bayeslora.laplace.Structure;
import ai.bayeslora.uncertainty.MemberAveraging;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * One picocli converter per enum the command line takes, each delegating to the type's own {@code parse} (so the
 * CLI and the library accept the same spellings), and {@link #name} for the one spelling every command prints:
 * lower case with hyphens ({@code full-vocab}, {@code kfac-lowrank}, {@code mmlu-csv}). A bad value is a usage error
 * (exit 2) naming the option and the accepted values.
 */
final class CliEnums {
    private CliEnums() {
    }

    /** The printed name of a CLI enum value: its {@code cliName()} where it has one, else lower-case-hyphen. */
    static String name(Enum<?> e) {
        if (e instanceof ClassReduction r) {
            return r.cliName();
        }
        if (e instanceof Structure s) {
            return s.cliName();
        }
        if (e instanceof MemberAveraging a) {
            return a.cliName();
        }
        if (e instanceof FisherEstimate f) {
            return f == FisherEstimate.MC_SAMPLED ? "mc" : lowerHyphen(f);
        }
        if (e instanceof LinearizedPredictive.Link l) {
            return LaplaceRecipe.linkName(l);
        }
        return lowerHyphen(e);
    }

    private static String lowerHyphen(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static <T> T convert(String value, Function<String, T> parse) {
        try {
            return parse.apply(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** {@code --format}: auto, cqa-official, cqa-hf, arc, openbookqa, boolq, winogrande, mmlu-csv, mmlu-hf, generic. */
    static final class Format implements ITypeConverter<McqaFormat> {
        @Override
        public McqaFormat convert(String value) {
            String n = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            return Arrays.stream(McqaFormat.values()).filter(f -> f.name().equals(n)).findFirst()
                    .orElseThrow(() -> new TypeConversionException("unknown format '" + value + "'; expected one of "
                            + String.join(", ", new Formats())));
        }
    }

    /** The {@code --format} names for {@code ${COMPLETION-CANDIDATES}}. */
    static final class Formats implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(McqaFormat.values()).map(CliEnums::name).iterator();
        }
    }

    /** {@code --reduction}: answer-tokens (a) or full-vocab (b). */
    static final class Reduction implements ITypeConverter<ClassReduction> {
        @Override
        public ClassReduction convert(String value) {
            return CliEnums.convert(value, ClassReduction::parse);
        }
    }

    /** {@code --dtype}: float32, float64, bfloat16, float16 (and their short names). */
    static final class DTypes implements ITypeConverter<DType> {
        @Override
        public DType convert(String value) {
            return CliEnums.convert(value, DType::parse);
        }
    }

    /** {@code --structure}: full, diag, kfac, kfac-lowrank. */
    static final class Structures implements ITypeConverter<Structure> {
        @Override
        public Structure convert(String value) {
            return CliEnums.convert(value, Structure::parse);
        }
    }

    /** {@code --fisher}: exact, mc, empirical. */
    static final class Fisher implements ITypeConverter<FisherEstimate> {
        @Override
        public FisherEstimate convert(String value) {
            return CliEnums.convert(value, FisherEstimate::parse);
        }
    }

    /** {@code --positions}: last-token, reduce, expand. */
    static final class Positions implements ITypeConverter<KfacPositions> {
        @Override
        public KfacPositions convert(String value) {
            return CliEnums.convert(value, KfacPositions::parse);
        }
    }

    /** {@code --link}: probit or mc. */
    static final class Link implements ITypeConverter<LinearizedPredictive.Link> {
        @Override
        public LinearizedPredictive.Link convert(String value) {
            return CliEnums.convert(value, v -> LaplaceRecipe.parseLink(v, "link '" + v + "':"));
        }
    }

    /** An enum without a {@code parse} of its own, by its lower-case-hyphen name ({@code swag-lora-code}). */
    abstract static class ByName<E extends Enum<E>> implements ITypeConverter<E> {
        private final Class<E> type;

        ByName(Class<E> type) {
            this.type = type;
        }

        @Override
        public E convert(String value) {
            String n = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            return Arrays.stream(type.getEnumConstants()).filter(e -> e.name().equals(n)).findFirst()
                    .orElseThrow(() -> new TypeConversionException("unknown value '" + value + "'; expected one of "
                            + String.join(", ", Arrays.stream(type.getEnumConstants()).map(CliEnums::name).toList())));
        }
    }

    /** {@code --mode}: sequential or interleaved. */
    static final class Mode extends ByName<ai.bayeslora.lora.ensemble.EnsembleTrainingMode> {
        Mode() {
            super(ai.bayeslora.lora.ensemble.EnsembleTrainingMode.class);
        }
    }

    /** {@code --variant}: paper or swag-lora-code. */
    static final class Variant extends ByName<ai.bayeslora.lora.swag.SwagVariant> {
        Variant() {
            super(ai.bayeslora.lora.swag.SwagVariant.class);
        }
    }

    /** {@code --average}: probabilities or logits. */
    static final class Averaging implements ITypeConverter<MemberAveraging> {
        @Override
        public MemberAveraging convert(String value) {
            return CliEnums.convert(value, MemberAveraging::parse);
        }
    }
}
