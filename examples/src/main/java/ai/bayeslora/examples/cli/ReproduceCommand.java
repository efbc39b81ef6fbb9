package ai.bayeslora.examples.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bayeslora reproduce balabanov2024|yang2024|onal2024}: a paper's protocol in one command (docs/REPRODUCE.md):
 * its prompt format, targets, class reduction, LoRA and optimizer settings, splits, in-domain and OOD sets, ECE bins
 * and sample counts, run as the CLI's own commands, plus Laplace-LoRA and temperature scaling as comparisons; the
 * combined report and the paper's table at the end.
 */
@Command(name = "reproduce", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Runs a paper's protocol end to end.",
        description = {"Runs a paper's protocol end to end: reproduce balabanov2024|yang2024|onal2024 --model DIR "
            + "--data-dir DIR. The expected files under --data-dir are listed in docs/REPRODUCE.md and in each "
            + "protocol's --help. The numbers depend on the model: the bundled tiny model only shows that the pipeline "
            + "runs; a real 7B checkpoint needs a GPU (hours per protocol on one H100-class device).", ""},
        subcommands = {ReproduceCommand.Balabanov.class, ReproduceCommand.Yang.class, ReproduceCommand.Onal.class})
final class ReproduceCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 0;
    }

    /** Options every protocol takes. */
    static final class Options {
        @Option(names = "--model", paramLabel = "DIR|ORG/NAME", converter = ModelDirConverter.class,
                description = ModelDirConverter.HELP + " Default: the bundled tiny model (the pipeline runs; the numbers "
                        + "mean nothing).")
        Path model;

        @Option(names = "--data-dir", required = true, paramLabel = "DIR",
                description = "Folder with the protocol's datasets (see the list above).")
        Path dataDir;

        @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/reproduce-<paper>).")
        Path out;

        @Option(names = "--device", paramLabel = "auto|cpu|cuda[:N]", description = "Compute device (default: auto).")
        String device;

        @Option(names = "--dtype", paramLabel = "float32|float64|bfloat16|float16", converter = CliEnums.DTypes.class,
                description = "Compute dtype (default: float32 on CPU, bfloat16 on CUDA).")
        ai.bayeslora.core.DType dtype;

        @Option(names = "--epochs", paramLabel = "E", description = "Training epochs (default: the paper's).")
        Integer epochs;

        @Option(names = "--heldout", paramLabel = "F", description = {"Fraction of each training set held out (never "
            + "trained on) to fit temperature scaling; 0 trains on all of it and skips temperature scaling (default: "
            + "the protocol's)."})
        Double heldout;

        @Option(names = "--samples", defaultValue = "10000", paramLabel = "S",
                description = "Monte Carlo samples of Laplace's linearised predictive (default: ${DEFAULT-VALUE}).")
        int samples;

        @Option(names = "--seed", paramLabel = "N", description = "Base seed (default: the paper's first seed).")
        Long seed;

        @Option(names = "--resume", description = "Continue an earlier run in --out: completed steps are skipped.")
        boolean resume;

        @Mixin OverwriteOption overwrite = new OverwriteOption();

        /** --model, --device and --dtype for a step that loads the model. */
        List<String> modelArgs() {
            List<String> a = new ArrayList<>();
            if (model != null) {
                a.addAll(List.of("--model", model.toString()));
            }
            if (device != null) {
                a.addAll(List.of("--device", device));
            }
            if (dtype != null) {
                a.addAll(List.of("--dtype", CliEnums.name(dtype)));
            }
            return a;
        }

        Path out(String paper) {
            return out != null ? out : Path.of("runs", "reproduce-" + paper);
        }

        double heldout(double paperDefault) {
            double f = heldout == null ? paperDefault : heldout;
            if (!(f >= 0 && f < 1)) {
                throw new IllegalArgumentException("--heldout must lie in [0, 1), got " + f);
            }
            return f;
        }

        /** Prepares the run folder: refuses what it may not replace, honours --resume and --overwrite. */
        Path runFolder(String paper) {
            if (samples < 1 || (epochs != null && epochs < 1)) {
                throw new IllegalArgumentException("--samples and --epochs must be positive");
            }
            Path dir = out(paper);
            new OutputGuard("reproduce", overwrite.overwrite).inputs(model, dataDir)
                    .runFolder("--out", dir, resume, OutputGuard.Earlier.RESUME_OR_KEEP);
            return dir;
        }
    }

    /** The training part of a data spec: the file, minus the held-out fraction. */
    static String trainPart(Path file, double heldout) {
        return heldout > 0 ? file + "#holdout=" + heldout : file.toString();
    }

    /** The held-out part, for temperature scaling. */
    static String heldoutPart(String name, Path file, double heldout) {
        return name + "-heldout=" + file + "#heldout=" + heldout;
    }

    static String banner(String paper, Options o) {
        return "reproduce " + paper + ": " + (o.model == null ? "the bundled tiny model (random weights): the pipeline "
                + "runs, the numbers mean nothing" : "model " + o.model) + ". The numbers depend on the model; a real "
                + "7B checkpoint needs a GPU.";
    }

    private static List<String> cat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /**
     * A task's K-FAC Laplace-LoRA fit on its MAP adapter (λ by marginal likelihood) and the evaluation of its
     * linearised predictive by Monte Carlo: the two steps yang2024 and onal2024 share.
     *
     * @param fitData the fit's data options (prompt, choices, max length)
     * @param evalArgs the evaluation's data and report options
     */
    private static void laplaceSteps(ProtocolRun run, String task, Path td, Path adapter, String trainSpec,
                                     List<String> fitData, List<String> evalArgs, Options o) {
        run.step(task + ": laplace fit", td.resolve("laplace"), false, cat(cat(List.of("laplace", "fit", "--adapter",
                adapter.toString(), "--data", trainSpec, "--structure", "kfac", "--out", td.resolve("laplace")
                        .toString()), fitData), o.modelArgs()));
        run.step(task + ": evaluate laplace", td.resolve("eval-laplace"), true, cat(cat(List.of("evaluate",
                "--laplace", td.resolve("laplace").toString(), "--link", "mc", "--samples", Integer.toString(o.samples),
                "--out", td.resolve("eval-laplace").toString()), evalArgs), o.modelArgs()));
    }

    /** Balabanov &amp; Linander 2024: LoRA deep ensembles on CommonsenseQA, MMLU STEM and social sciences as OOD. */
    @Command(name = "balabanov2024", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "LoRA ensembles as Balabanov & Linander (2024).",
            description = {"LoRA ensembles (Balabanov & Linander 2024, docs/METHODS.md §8): train-ensemble --preset "
                + "balabanov2024 (Mistral-7B in the paper; r=8, alpha=32 on q_proj,v_proj; AdamW lr 5e-6, clip 0.3, batch "
                + "8, 10 epochs, beta=1 on ||BA||^2; full-vocabulary reduction with an 'other' class; M=5) on "
                + "CommonsenseQA with the paper's 'Q: ... Answer Choices: (a) ... A: (' prompt; per-epoch evaluation on "
                + "the CQA validation set, MMLU STEM and MMLU social sciences (ECE with 10 bins), entropy and MI per "
                + "epoch for correct and incorrect answers (Figures 2-4). Comparisons: member 0 alone (M=1), K-FAC "
                + "Laplace-LoRA on member 0 (lambda by marginal likelihood), temperature scaling of the ensemble and of "
                + "member 0 on the held-out part of the training set.",
                "",
                "Files under --data-dir (the first that exists):",
                "  training: commonsense_qa/train.{jsonl,parquet} or train_rand_split.jsonl",
                "  in-domain test: commonsense_qa/validation.{jsonl,parquet}",
                "      or dev_rand_split.jsonl",
                "  OOD (#stem and #social): mmlu/test.{jsonl,parquet},",
                "      or the official CSV folder mmlu/data/test",
                ""})
    static final class Balabanov implements Callable<Integer> {
        @Mixin Options o = new Options();

        @Option(names = "--members", defaultValue = "5", paramLabel = "M", description = "Ensemble size (default: 5).")
        int members;

        @Override
        public Integer call() {
            PaperDataDir dir = new PaperDataDir(o.dataDir);
            Path train = dir.require(PaperDataDir.CQA_TRAIN);
            Path val = dir.require(PaperDataDir.CQA_VALIDATION);
            Path mmlu = dir.require(PaperDataDir.MMLU_TEST);
            double h = o.heldout(0.1);
            Path out = o.runFolder("balabanov2024");
            System.err.println(banner("balabanov2024", o));
            String cqa = "cqa=" + val;
            String stem = "mmlu-stem=" + mmlu + "#stem";
            String social = "mmlu-social=" + mmlu + "#social";
            List<String> common = List.of("--prompt", "balabanov2024", "--ece-bins", "10");
            ProtocolRun run = new ProtocolRun("balabanov2024", out);
            List<String> trainArgs = cat(List.of("train-ensemble", "--preset", "balabanov2024", "--train",
                    trainPart(train, h), "--eval", cqa, "--eval", stem, "--eval", social, "--split", "test",
                    "--members", Integer.toString(members), "--seed", Long.toString(o.seed == null ? 0 : o.seed),
                    "--out", out.resolve("ensemble").toString()), cat(common, o.modelArgs()));
            if (o.epochs != null) {
                trainArgs.addAll(List.of("--epochs", o.epochs.toString()));
            }
            run.step("train-ensemble", out.resolve("ensemble"), true, trainArgs);
            Path member0 = out.resolve("ensemble").resolve("ensemble-final").resolve("member-00");
            run.step("laplace-fit", out.resolve("laplace"), false, cat(List.of("laplace", "fit", "--adapter",
                    member0.toString(), "--data", trainPart(train, h), "--structure", "kfac", "--out",
                    out.resolve("laplace").toString(), "--prompt", "balabanov2024"), o.modelArgs()));
            for (String[] ood : new String[][] {{"stem", stem}, {"social", social}}) {
                run.step("evaluate-laplace-" + ood[0], out.resolve("eval-laplace-" + ood[0]), true,
                        cat(List.of("evaluate", "--laplace", out.resolve("laplace").toString(), "--data", cqa, "--ood",
                                ood[1], "--split", "test", "--reduction", "full-vocab", "--link", "mc", "--samples",
                                Integer.toString(o.samples), "--out", out.resolve("eval-laplace-" + ood[0]).toString()),
                                cat(common, o.modelArgs())));
            }
            if (h > 0) {
                String ts = heldoutPart("cqa", train, h);
                run.step("evaluate-ensemble-ts", out.resolve("eval-ensemble-ts"), true, cat(List.of("evaluate",
                        "--ensemble", out.resolve("ensemble").toString(), "--data", cqa, "--ood", stem, "--split",
                        "test", "--temperature-from", ts, "--out", out.resolve("eval-ensemble-ts").toString()),
                        cat(common, o.modelArgs())));
                run.step("evaluate-member0-ts", out.resolve("eval-member0-ts"), true, cat(List.of("evaluate",
                        "--adapter", member0.toString(), "--data", cqa, "--ood", stem, "--split", "test",
                        "--reduction", "full-vocab", "--temperature-from", ts, "--out",
                        out.resolve("eval-member0-ts").toString()), cat(common, o.modelArgs())));
            }
            return run.run("LoRA ensembles (Balabanov & Linander 2024): CommonsenseQA, MMLU STEM / social sciences",
                    List.of(banner("balabanov2024", o), "M = " + members + ", ECE with 10 bins, full-vocabulary "
                            + "reduction (an 'other' class); per-epoch metrics and Figures 2-4 are in "
                            + out.resolve("ensemble/report/report.html"),
                            h > 0 ? String.format(Locale.ROOT, "%.0f%% of the CQA training set held out for "
                                    + "temperature scaling (the paper trains on all of it; --heldout 0 does too)",
                                    100 * h) : "trained on the whole CQA training set, as the paper"));
        }
    }

    /** One Laplace-LoRA or SWAG-LoRA task: its name, files and the choice filter. */
    private record Task(String name, PaperDataDir.Need train, PaperDataDir.Need validation, boolean fourChoices) {
    }

    private static final List<Task> YANG_TASKS = List.of(
            new Task("winogrande_s", PaperDataDir.WINOGRANDE_S_TRAIN, PaperDataDir.WINOGRANDE_S_VALIDATION, false),
            new Task("winogrande_m", PaperDataDir.WINOGRANDE_M_TRAIN, PaperDataDir.WINOGRANDE_M_VALIDATION, false),
            new Task("arc_challenge", PaperDataDir.ARC_C_TRAIN, PaperDataDir.ARC_C_VALIDATION, true),
            new Task("arc_easy", PaperDataDir.ARC_E_TRAIN, PaperDataDir.ARC_E_VALIDATION, true),
            new Task("openbookqa", PaperDataDir.OBQA_TRAIN, PaperDataDir.OBQA_VALIDATION, true),
            new Task("boolq", PaperDataDir.BOOLQ_TRAIN, PaperDataDir.BOOLQ_VALIDATION, false));

    private static final List<Task> ONAL_TASKS = List.of(
            new Task("openbookqa", PaperDataDir.OBQA_TRAIN, PaperDataDir.OBQA_VALIDATION, true),
            new Task("commonsense_qa", PaperDataDir.CQA_TRAIN, PaperDataDir.CQA_VALIDATION, false),
            new Task("arc_easy", PaperDataDir.ARC_E_TRAIN, PaperDataDir.ARC_E_VALIDATION, true),
            new Task("arc_challenge", PaperDataDir.ARC_C_TRAIN, PaperDataDir.ARC_C_VALIDATION, true));

    /** The tasks of a protocol found under --data-dir (and in --tasks, if given); an error if none is. */
    private static List<Task> found(PaperDataDir dir, List<Task> all, List<String> wanted, String paper) {
        List<Task> out = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Task t : all) {
            if (wanted != null && !wanted.contains(t.name())) {
                continue;
            }
            if (dir.find(t.train()).isPresent() && dir.find(t.validation()).isPresent()) {
                out.add(t);
            } else {
                missing.add(t.name());
            }
        }
        if (wanted != null) {
            for (String w : wanted) {
                if (all.stream().noneMatch(t -> t.name().equals(w))) {
                    throw new IllegalArgumentException("--tasks: unknown task '" + w + "' for " + paper + "; expected "
                            + all.stream().map(Task::name).toList());
                }
            }
            if (!missing.isEmpty()) {
                throw new ai.bayeslora.core.BayesLoraException("--data-dir " + dir.root() + ": no train and validation "
                        + "files for " + missing + " (see reproduce " + paper + " --help)");
            }
        }
        if (out.isEmpty()) {
            throw new ai.bayeslora.core.BayesLoraException("--data-dir " + dir.root() + ": none of the " + paper
                    + " tasks " + all.stream().map(Task::name).toList() + " has its train and validation files (see "
                    + "reproduce " + paper + " --help)");
        }
        if (!missing.isEmpty()) {
            System.err.println("reproduce " + paper + ": no files for " + missing + ": those tasks are skipped");
        }
        return out;
    }

    /** Yang et al. 2024: Laplace-LoRA on six tasks, MAP and the comparisons. */
    @Command(name = "yang2024", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Laplace-LoRA as Yang et al. (ICLR 2024).",
            description = {"Laplace-LoRA (Yang et al., ICLR 2024; docs/METHODS.md §8), per task: the paper's prompts "
                + "(--prompt yang2024: 'Select one of the choices ...', BoolQ 'Answer the question with only True or "
                + "False' with EOS), ARC and OBQA 4-choice rows, LoRA r=8, alpha=16, dropout 0.1 on q_proj,v_proj, lr "
                + "5e-5, batch 4, max length 300, seed 21, trained on 80% of the training set (the other 20% held out); "
                + "the validation split is the test set, ECE with 10 bins. Posteriors: MAP, MC dropout, a deep ensemble of "
                + "--members seeds, K-FAC Laplace on the MAP with lambda by marginal likelihood and the linearised "
                + "predictive by Monte Carlo (--samples), temperature scaling of the MAP on the held-out 20%.",
                "OpenBookQA's posteriors are also evaluated on ARC-Challenge and ARC-Easy (distribution shift), when "
                + "present.",
                "",
                "Files under --data-dir (each task runs when its two files exist; the first name that exists):",
                "  winogrande_s/{train,validation}.{jsonl,parquet},",
                "      or winogrande/train_s.jsonl + winogrande/dev.jsonl",
                "  winogrande_m/{train,validation}.{jsonl,parquet},",
                "      or winogrande/train_m.jsonl + winogrande/dev.jsonl",
                "  arc_challenge/{train,validation}.*,",
                "      or ARC-Challenge/ARC-Challenge-{Train,Dev}.jsonl",
                "  arc_easy/{train,validation}.*, or ARC-Easy/ARC-Easy-{Train,Dev}.jsonl",
                "  openbookqa/{train,validation}.*,",
                "      or OpenBookQA-V1-Sep2018/Data/Main/{train,dev}.jsonl",
                "  boolq/{train,validation}.*, or boolq/dev.jsonl for validation",
                ""})
    static final class Yang implements Callable<Integer> {
        @Mixin Options o = new Options();

        @Option(names = "--members", defaultValue = "3", paramLabel = "M",
                description = "Deep-ensemble seeds (member 0 is the MAP; default: 3).")
        int members;

        @Option(names = "--tasks", split = ",", paramLabel = "TASK", description = "Only these tasks.")
        List<String> tasks;

        @Override
        public Integer call() {
            PaperDataDir dir = new PaperDataDir(o.dataDir);
            List<Task> todo = found(dir, YANG_TASKS, tasks, "yang2024");
            double h = o.heldout(0.2);
            Path out = o.runFolder("yang2024");
            System.err.println(banner("yang2024", o));
            ProtocolRun run = new ProtocolRun("yang2024", out);
            long seed = o.seed == null ? 21 : o.seed;
            for (Task t : todo) {
                Path train = dir.require(t.train());
                Path val = dir.require(t.validation());
                Path td = out.resolve(t.name());
                List<String> data = new ArrayList<>(List.of("--prompt", "yang2024", "--max-length", "300"));
                if (t.fourChoices()) {
                    data.addAll(List.of("--choices", "4"));
                }
                String test = t.name() + "=" + val;
                List<String> evalCommon = cat(List.of("--ece-bins", "10", "--prompt", "yang2024", "--data", test),
                        t.fourChoices() ? List.of("--choices", "4") : List.of());
                List<String> shift = new ArrayList<>();
                if (t.name().equals("openbookqa")) {
                    dir.find(PaperDataDir.ARC_C_VALIDATION).ifPresent(p -> shift.add("arc_challenge=" + p));
                    dir.find(PaperDataDir.ARC_E_VALIDATION).ifPresent(p -> shift.add("arc_easy=" + p));
                }
                List<String> trainArgs = cat(List.of("train-ensemble", "--train", trainPart(train, h), "--eval", test,
                        "--members", Integer.toString(members), "--rank", "8", "--alpha", "16", "--dropout", "0.1",
                        "--targets", "q_proj,v_proj", "--lr", "5e-5", "--train-batch-size", "4", "--reduction",
                        "answer-tokens", "--ece-bins", "10", "--seed", Long.toString(seed), "--epochs",
                        Integer.toString(o.epochs == null ? 5 : o.epochs), "--out", td.resolve("train").toString()),
                        cat(data, o.modelArgs()));
                for (String s : shift) {
                    trainArgs.addAll(List.of("--eval", s));
                }
                run.step(t.name() + ": train", td.resolve("train"), true, trainArgs);
                Path map = td.resolve("train").resolve("ensemble-final").resolve("member-00");
                List<String> oodArg = shift.isEmpty() ? List.of() : List.of("--ood", shift.get(0));
                laplaceSteps(run, t.name(), td, map, trainPart(train, h), data, cat(evalCommon, oodArg), o);
                List<String> ts = h > 0 ? List.of("--temperature-from", heldoutPart(t.name(), train, h)) : List.of();
                run.step(t.name() + ": evaluate map", td.resolve("eval-map"), true, cat(cat(List.of("evaluate",
                        "--adapter", map.toString(), "--out", td.resolve("eval-map").toString()), evalCommon),
                        cat(cat(ts, oodArg), o.modelArgs())));
                run.step(t.name() + ": evaluate mc dropout", td.resolve("eval-mc-dropout"), true, cat(cat(List.of(
                        "evaluate", "--mc-dropout", "--adapter", map.toString(), "--samples", "10", "--out",
                        td.resolve("eval-mc-dropout").toString()), evalCommon), cat(oodArg, o.modelArgs())));
            }
            return run.run("Laplace-LoRA (Yang et al. 2024): " + todo.stream().map(Task::name).toList(),
                    List.of(banner("yang2024", o), "MAP = member 0 of the trained seeds; ensemble of " + members
                            + " seeds from " + seed + "; ECE with 10 bins; Laplace: K-FAC, lambda by marginal "
                            + "likelihood, linearised predictive with " + o.samples + " Monte Carlo samples",
                            String.format(Locale.ROOT, "%.0f%% of each training set held out (temperature scaling)",
                                    100 * h),
                            "the paper trains 10k steps; here --epochs " + (o.epochs == null ? 5 : o.epochs)));
        }
    }

    /** Onal et al. 2024: SWAG-LoRA on four in-domain tasks with MMLU as OOD. */
    @Command(name = "onal2024", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "SWAG-LoRA as Onal et al. (2024).",
            description = {"SWAG-LoRA (Onal et al. 2024; docs/METHODS.md §5 and §8), per in-domain task (OBQA, CQA, ARC-E, "
                + "ARC-C): swag with the paper's 'Select one of the choices' prompt (choices relabelled by position, ARC "
                + "4-choice rows), 18 epochs with SWAG from epoch 8, lr 6e-4, batch 16, rank-5 covariance, evaluated on "
                + "the validation split with ECE 20 bins and MMLU as the OOD set. Comparisons: the SWAG run's adapter "
                + "(MAP), K-FAC Laplace-LoRA on it, temperature scaling of the MAP on a held-out part of the training set.",
                "",
                "Files under --data-dir (each task runs when its two files exist):",
                "  openbookqa/{train,validation}.*, commonsense_qa/{train,validation}.*,",
                "  arc_easy/..., arc_challenge/...",
                "  (or the official names, as for yang2024 and balabanov2024), and for OOD",
                "  mmlu/test.{jsonl,parquet} or the official CSV folder mmlu/data/test",
                ""})
    static final class Onal implements Callable<Integer> {
        @Mixin Options o = new Options();

        @Option(names = "--tasks", split = ",", paramLabel = "TASK", description = "Only these in-domain tasks.")
        List<String> tasks;

        @Override
        public Integer call() {
            PaperDataDir dir = new PaperDataDir(o.dataDir);
            List<Task> todo = found(dir, ONAL_TASKS, tasks, "onal2024");
            Path mmlu = dir.require(PaperDataDir.MMLU_TEST);
            double h = o.heldout(0.1);
            Path out = o.runFolder("onal2024");
            System.err.println(banner("onal2024", o));
            ProtocolRun run = new ProtocolRun("onal2024", out);
            int epochs = o.epochs == null ? 18 : o.epochs;
            int start = Math.max(1, Math.min(epochs, (int) Math.round(epochs * 8.0 / 18)));
            String ood = "mmlu=" + mmlu;
            for (Task t : todo) {
                Path train = dir.require(t.train());
                Path val = dir.require(t.validation());
                Path td = out.resolve(t.name());
                List<String> choices = t.fourChoices() ? List.of("--choices", "4") : List.of();
                List<String> evalCommon = cat(List.of("--ece-bins", "20", "--prompt", "onal2024", "--data",
                        t.name() + "=" + val, "--ood", ood, "--split", "test"), choices);
                run.step(t.name() + ": swag", td.resolve("swag"), false, cat(cat(List.of("swag", "--train",
                        trainPart(train, h), "--prompt", "onal2024", "--epochs", Integer.toString(epochs),
                        "--start-epoch", Integer.toString(start), "--max-rank", "5", "--lr", "6e-4", "--train-batch-size",
                        "16", "--seed", Long.toString(o.seed == null ? 0 : o.seed), "--out",
                        td.resolve("swag").toString()), choices), o.modelArgs()));
                run.step(t.name() + ": evaluate swag", td.resolve("eval-swag"), true, cat(cat(List.of("evaluate",
                        "--swag", td.resolve("swag").toString(), "--out", td.resolve("eval-swag").toString()),
                        evalCommon), o.modelArgs()));
                Path map = td.resolve("swag").resolve("adapter");
                List<String> ts = h > 0 ? List.of("--temperature-from", heldoutPart(t.name(), train, h)) : List.of();
                run.step(t.name() + ": evaluate map", td.resolve("eval-map"), true, cat(cat(List.of("evaluate",
                        "--adapter", map.toString(), "--out", td.resolve("eval-map").toString()), evalCommon),
                        cat(ts, o.modelArgs())));
                laplaceSteps(run, t.name(), td, map, trainPart(train, h), cat(List.of("--prompt", "onal2024"), choices),
                        evalCommon, o);
            }
            return run.run("SWAG-LoRA (Onal et al. 2024): " + todo.stream().map(Task::name).toList() + ", MMLU as OOD",
                    List.of(banner("onal2024", o), "ECE with 20 bins; SWAG from epoch " + start + " of " + epochs
                            + ", rank-5 covariance", String.format(Locale.ROOT, "%.0f%% of each training set held out "
                            + "(temperature scaling)", 100 * h)));
        }
    }
}
