package org.pshmem.mpj;

import java.io.IOException;

/**
 * The processes of a running MPJ job on the launcher's host, as {@link MpjLauncher} supervises them: the rank JVMs
 * it started itself ({@link HostRanks}), or MPJ's starter ({@link StarterProcess}).
 */
interface JobProcesses extends AutoCloseable
{
    /**
     * Waits up to {@code millis} for every process to end, doing meanwhile what the job needs from the launcher.
     *
     * @return true when every process has ended.
     */
    boolean awaitEnd(long millis) throws IOException, InterruptedException;

    /**
     * @return why the job cannot start (a rank ended before MPJ Express connected the ranks), or null.
     */
    String startFailure();

    /** Ends every process at once (and what they started on this host). */
    void destroy();

    /**
     * @return the exit status, once every process has ended: the first non-zero one, else 0.
     */
    int exitStatus();

    /** Ends what still runs, and waits for the last output. */
    @Override
    void close();
}
