package org.pshmem.mpj;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * MPJ's starter ({@code MPJRun}, run by {@link MpjMain} so that it listens on {@link ListenAddress} only) and what
 * it starts on this host: the multicore device's JVM, or, across hosts, nothing here (each host's daemon starts
 * its ranks). Its output, which carries the ranks', goes to the launcher's.
 */
final class StarterProcess implements JobProcesses
{
    private final Process process;
    private final OutputPump pump;

    /**
     * @param builder the starter's command, folder and environment.
     * @param out     where its output goes.
     */
    StarterProcess(final ProcessBuilder builder, final PrintStream out) throws IOException
    {
        process = builder.redirectErrorStream(true).start();
        pump = new OutputPump("mpj", process.getInputStream(), out);
    }

    @Override
    public boolean awaitEnd(final long millis) throws InterruptedException
    {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public String startFailure()
    {
        return null; // MPJRun waits for its ranks itself
    }

    @Override
    public void destroy()
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public int exitStatus()
    {
        return process.isAlive() ? 1 : process.exitValue();
    }

    @Override
    public void close()
    {
        destroy();
        pump.close();
    }
}
