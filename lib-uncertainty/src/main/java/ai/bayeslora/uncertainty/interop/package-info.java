/**
 * The tensor corner of lib-uncertainty: metrics and posterior samples from libtorch tensors
 * ({@code org.bytedeco.pytorch.Tensor}), for code that already holds its predictions as tensors. Everything here
 * copies the tensor into Java doubles once and calls the array forms of {@link ai.bayeslora.uncertainty.metrics}, so a
 * tensor and the array of its values give the same numbers bit for bit. Applications that hold arrays (or a
 * {@link ai.bayeslora.uncertainty.ProbabilitySamples}) use the metrics classes directly and never need this package.
 */
package ai.bayeslora.uncertainty.interop;
