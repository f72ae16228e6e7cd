/**
 * The in-process transport: a plain JVM is one rank ({@link org.pshmem.local.LocalTransport}), or ranks run as
 * threads of one JVM ({@link org.pshmem.local.LocalJob} from Java code, {@link org.pshmem.local.LocalLauncher}
 * from the command line, which {@code ./pshmem run --transport local} uses), optionally dealt to simulated
 * nodes. Node memory is native memory of the JVM, given back at the last close.
 */
package org.pshmem.local;
