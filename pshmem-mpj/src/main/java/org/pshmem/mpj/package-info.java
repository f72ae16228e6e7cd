/**
 * The MPJ Express transport: a JVM per rank, messages over MPJ Express (niodev between processes and hosts,
 * or multicore threads), node memory as files in {@code /dev/shm} mapped with Chronicle Bytes.
 *
 * <p>{@link org.pshmem.mpj.MpjTransport} is the transport; {@link org.pshmem.mpj.MpjLauncher} runs a job
 * ({@code ./pshmem run --transport mpj}) and {@link org.pshmem.mpj.GuardedRank} wraps each rank's main so that
 * a failing or dying rank ends the job with its name; {@link org.pshmem.mpj.JvmOptions} prints the options
 * ranks need; {@link org.pshmem.mpj.ShmTool} lists and cleans stale segment files.
 */
package org.pshmem.mpj;
