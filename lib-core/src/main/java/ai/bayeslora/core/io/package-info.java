/**
 * Output safety: atomic writes of files and folders, markers on the folders the library writes, and refusal to
 * replace what it did not write ({@link ai.bayeslora.core.io.AtomicOutput}).
 */
package ai.bayeslora.core.io;
