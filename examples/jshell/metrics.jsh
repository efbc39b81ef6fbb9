// Metrics on plain Java arrays: no model, no tensors. Use lib-uncertainty alone with any classifier's outputs.
// Run: ./bayeslora jshell examples/jshell/metrics.jsh
import ai.bayeslora.uncertainty.*;
import ai.bayeslora.uncertainty.metrics.*;
import java.util.List;

// Three examples, three classes: mean predictive probabilities and true labels.
double[][] p = {{0.7, 0.2, 0.1}, {0.1, 0.6, 0.3}, {0.3, 0.3, 0.4}};
int[] y = {0, 2, 2};

System.out.printf("accuracy %.4f%n", Accuracy.compute(p, y));
System.out.printf("NLL      %.4f nats%n", NegativeLogLikelihood.compute(p, y));
System.out.printf("Brier    %.4f%n", BrierScore.compute(p, y));
CalibrationResult ece = ExpectedCalibrationError.compute(p, y, 15);
System.out.println(ece);   // prints the bin count with the value

// Two ensemble members for the same examples: [S=2, B=3, C=3], flattened row-major.
double[] members = {
    0.7, 0.2, 0.1,   0.1, 0.6, 0.3,   0.3, 0.3, 0.4,    // member 0
    0.5, 0.4, 0.1,   0.1, 0.2, 0.7,   0.2, 0.2, 0.6};   // member 1
ProbabilitySamples samples = new ProbabilitySamples(members, 2, 3, 3, List.of("A", "B", "C"));
UncertaintyDecomposition u = UncertaintyDecomposition.of(samples);
for (int i = 0; i < 3; i++) {
    System.out.printf("example %d: total %.4f = aleatoric %.4f + epistemic (MI) %.4f%n",
            i, u.total()[i], u.aleatoric()[i], u.epistemic()[i]);
}
System.out.println(Metrics.evaluate(samples, y).summary());

// OOD detection: higher score = more likely out of distribution.
double[] inDomain = {0.1, 0.3, 0.2, 0.4};
double[] outOfDomain = {0.5, 0.35, 0.9};
DetectionProblem ood = DetectionProblem.outOfDistribution(inDomain, outOfDomain);
System.out.printf("OOD AUROC %.4f, AUPR %.4f%n", Auroc.compute(ood), Aupr.compute(ood));

// Selective prediction: accuracy when answering only the most confident examples.
RiskCoverageCurve rc = SelectivePrediction.compute(p, y);
System.out.printf("AURC %.4f%n", rc.aurc());
/exit
