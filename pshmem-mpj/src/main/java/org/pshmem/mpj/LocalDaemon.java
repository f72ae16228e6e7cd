package org.pshmem.mpj;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The MPJ Express daemon of this host, which starts niodev ranks. If one already listens on the daemon port
 * it is used as it is; otherwise one is started for the job and stopped after it.
 */
final class LocalDaemon implements AutoCloseable
{
    static final int PORT = 40055;
    private static final long START_TIMEOUT_MS = 30_000;

    private final Process process;

    private LocalDaemon(final Process process)
    {
        this.process = process;
    }

    static boolean running()
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", PORT), 500);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * A daemon runs ranks with its own {@code java}, and ranks get the options of the launcher's Java version
     * (a Java 17 rank refuses Java 25's options and the job would hang): a daemon of this MPJ home running
     * another Java is stopped so that one with this Java can start; another's daemon is an error.
     *
     * @return true when a stale daemon was stopped.
     */
    private static boolean replaceStale(final Path home, final Path javaBin) throws IOException
    {
        final String daemonJar = home.resolve("lib/daemon.jar").toString();
        final Path ours = javaBin.toRealPath();
        boolean stopped = false;
        for (final ProcessHandle daemon : (Iterable<ProcessHandle>)ProcessHandle.allProcesses()
            .filter(p -> p.info().commandLine().map(line -> line.contains("runtime.daemon.MPJDaemon")).orElse(false))::iterator)
        {
            final String command = daemon.info().command().orElse("");
            final String line = daemon.info().commandLine().orElse("");
            if (command.isEmpty() || Path.of(command).toRealPath().equals(ours))
            {
                continue;
            }
            if (!line.contains(daemonJar))
            {
                throw new IOException("an MPJ Express daemon (pid " + daemon.pid() + ") runs with " + command +
                    ", but this job's ranks run with " + javaBin + " and need its options; stop that daemon, or " +
                    "launch with the same Java");
            }
            stop(daemon);
            stopped = true;
        }
        if (stopped)
        {
            awaitListening(false, 10_000, null); // if it still listens, starting ours says so
        }
        return stopped;
    }

    /**
     * @param home    the MPJ home.
     * @param javaBin the java command ranks are to run with.
     * @param workDir where the daemon runs and logs.
     * @return the daemon, to be closed after the job (which stops it only if this call started it).
     */
    static LocalDaemon ensure(final Path home, final Path javaBin, final Path workDir) throws IOException
    {
        if (running())
        {
            if (!replaceStale(home, javaBin))
            {
                return new LocalDaemon(null);
            }
        }
        final ProcessBuilder builder = new ProcessBuilder(javaBin.toString(), "-cp",
            home.resolve("lib/daemon.jar").toString(), "runtime.daemon.MPJDaemon", Integer.toString(PORT))
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("daemon.log").toFile());
        builder.environment().put("MPJ_HOME", home.toString());
        builder.environment().put("PATH", javaBin.getParent() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        final Process process = builder.start();
        boolean listening = false;
        try
        {
            listening = awaitListening(true, START_TIMEOUT_MS, process);
        }
        finally
        {
            if (!listening)
            {
                process.destroyForcibly();
            }
        }
        if (!listening)
        {
            throw new IOException("the MPJ Express daemon did not start listening on port " + PORT +
                " (log: " + workDir.resolve("daemon.log") + ")");
        }
        return new LocalDaemon(process);
    }

    boolean startedHere()
    {
        return null != process;
    }

    /**
     * Waits until the daemon port is listening, or no longer is.
     *
     * @param starting a daemon being started: waiting ends when it dies; or null.
     * @return false when the deadline passed or {@code starting} died first.
     */
    private static boolean awaitListening(final boolean listening, final long timeoutMs, final Process starting)
        throws IOException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (running() != listening)
        {
            if (System.currentTimeMillis() > deadline || null != starting && !starting.isAlive())
            {
                return false;
            }
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for the MPJ Express daemon's port");
            }
        }
        return true;
    }

    /** Ends a daemon and the ranks it started: politely, then, after 5 s, forcibly. */
    private static void stop(final ProcessHandle daemon)
    {
        daemon.descendants().forEach(ProcessHandle::destroy);
        daemon.destroy();
        try
        {
            daemon.onExit().get(5, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            daemon.descendants().forEach(ProcessHandle::destroyForcibly);
            daemon.destroyForcibly();
            daemon.onExit().completeOnTimeout(daemon, 5, TimeUnit.SECONDS).join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            daemon.destroyForcibly();
        }
    }

    @Override
    public void close()
    {
        if (null != process)
        {
            stop(process.toHandle());
        }
    }
}
