/** Implementation behind {@link ai.bayeslora.core.text.HfTokenizer}; not API. */
package ai.bayeslora.core.text.internal;
