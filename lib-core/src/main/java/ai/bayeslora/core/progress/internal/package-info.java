/** Implementations behind {@link ai.bayeslora.core.progress.Progress}; not API. */
package ai.bayeslora.core.progress.internal;
