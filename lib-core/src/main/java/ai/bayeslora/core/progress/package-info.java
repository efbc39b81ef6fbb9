/**
 * One progress path for long-running work (training epochs, dataset evaluations, Laplace fits):
 * {@link ai.bayeslora.core.progress.ProgressListener} receives it, {@link ai.bayeslora.core.progress.Progress} makes
 * the standard listeners (bars on a terminal, SLF4J lines otherwise, or nothing). See docs/GUIDE.md, "Progress and
 * logging".
 */
package ai.bayeslora.core.progress;
